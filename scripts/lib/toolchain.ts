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
  /** The engine cdktf drives here: the user's tofu or terraform, or OpenTofu built as a last resort. */
  readonly engineBin: string;
  readonly engineName: "tofu" | "terraform";
  readonly engineVersion: string;
  /** OpenTofu for the suites that run it whatever the engine is (the test toolchain); else the engine. */
  readonly tofuBin: string;
  /** CLI configuration with the local provider mirror; empty when every provider comes from the registry. */
  readonly cliConfigFile: string;
  /** Version of the hashicorp/aws binary in the mirror, `registry`, or empty when none is available. */
  readonly awsProviderVersion: string;
  readonly githubProviderVersion: string;
  /** The local provider mirror's directory, when any provider comes from it. */
  readonly providerMirror: string;
  /** Whether the Terraform registry answered: providers come from it, not from the local mirror. */
  readonly registry: "reachable" | "unreachable";
  readonly motoPython: string;
  readonly pluginCacheDir: string;
}

/** Runs scripts/toolchain.sh (cheap when cached) and reads what it wrote. */
export function ensureToolchain(mode: ToolchainMode = "main"): Toolchain {
  execFileSync("bash", [join(PROJECT_ROOT, "scripts", "toolchain.sh"), mode], { stdio: ["ignore", "inherit", "inherit"] });
  const toolchain = readToolchain(mode);
  if (!toolchain) throw new Error(`toolchain.sh wrote no ${toolchainEnvFile(mode)}`);
  return toolchain;
}

/** engine: an engine and providers; main: also the emulator; test: also OpenTofu, checkov, actionlint. */
export type ToolchainMode = "engine" | "main" | "test";
const toolchainEnvFile = (mode: ToolchainMode) => join(process.env.PLATFORM_CACHE ?? join(homedir(), ".cache", "platform"), `toolchain-${mode}.env`);

/** What scripts/toolchain.sh last wrote for `mode`, without running it; undefined when it never ran. */
export function readToolchain(mode: ToolchainMode): Toolchain | undefined {
  const envFile = toolchainEnvFile(mode);
  if (!existsSync(envFile)) return undefined;
  const vars = Object.fromEntries(
    readFileSync(envFile, "utf8")
      .split("\n")
      .filter((l) => l.includes("="))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
  return {
    engineBin: vars.ENGINE_BIN,
    engineName: vars.ENGINE_NAME === "tofu" ? "tofu" : "terraform",
    engineVersion: vars.ENGINE_VERSION,
    tofuBin: vars.TOFU_BIN,
    cliConfigFile: vars.TF_CLI_CONFIG_FILE,
    awsProviderVersion: vars.AWS_PROVIDER_VERSION ?? "",
    githubProviderVersion: vars.GITHUB_PROVIDER_VERSION ?? "",
    providerMirror: vars.PROVIDER_MIRROR ?? "",
    registry: vars.REGISTRY === "reachable" ? "reachable" : "unreachable",
    motoPython: vars.MOTO_PYTHON,
    pluginCacheDir: vars.TF_PLUGIN_CACHE_DIR,
  };
}
