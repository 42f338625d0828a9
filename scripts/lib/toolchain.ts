import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";

/** The directory holding package.json, whether running from source (ts-jest) or from dist/. */
export const PROJECT_ROOT = (() => {
  let dir = __dirname;
  while (!existsSync(join(dir, "package.json"))) {
    const parent = resolve(dir, "..");
    if (parent === dir) throw new Error("package.json not found above " + __dirname);
    dir = parent;
  }
  return dir;
})();

export interface Toolchain {
  readonly tofuBin: string;
  readonly cliConfigFile: string;
  /** Version of the hashicorp/aws binary in the mirror; empty when none is available. */
  readonly awsProviderVersion: string;
  readonly githubProviderVersion: string;
  readonly motoPython: string;
  readonly pluginCacheDir: string;
}

/** Runs scripts/toolchain.sh (cheap when cached) and reads what it wrote. */
export function ensureToolchain(): Toolchain {
  const cache = process.env.PLATFORM_CACHE ?? join(homedir(), ".cache", "platform");
  execFileSync("bash", [join(PROJECT_ROOT, "scripts", "toolchain.sh")], { stdio: ["ignore", "inherit", "inherit"] });
  const envFile = join(cache, "toolchain.env");
  if (!existsSync(envFile)) throw new Error(`toolchain.sh wrote no ${envFile}`);
  const vars = Object.fromEntries(
    readFileSync(envFile, "utf8")
      .split("\n")
      .filter((l) => l.includes("="))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
  return {
    tofuBin: vars.TOFU_BIN,
    cliConfigFile: vars.TF_CLI_CONFIG_FILE,
    awsProviderVersion: vars.AWS_PROVIDER_VERSION ?? "",
    githubProviderVersion: vars.GITHUB_PROVIDER_VERSION ?? "",
    motoPython: vars.MOTO_PYTHON,
    pluginCacheDir: vars.TF_PLUGIN_CACHE_DIR,
  };
}
