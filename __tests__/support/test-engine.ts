/**
 * The engine as the end-to-end suites run it themselves (not through the cdktf CLI, `npm run
 * bootstrap` or the main job): scripts/lib/tofu.ts's runner, except that a working directory's
 * `init` gets a lock file that names each provider's version without checksums, and keeps it
 * read-only.
 *
 * With checksums in the lock file, Terraform and OpenTofu hash the whole provider package on
 * every command, not only at init (hashicorp/aws 5.100.0 is a 707 MB binary: 0.5 CPU-seconds a
 * command for `terraform`, 0.7 for `tofu`, about 60 per test run). The providers here are the
 * toolchain's own mirror; the paths users take keep checksummed lock files, and the suites that
 * walk them (sandbox, operator-bootstrap) run those commands as typed.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tofuRunner, type TofuRunner } from "../../scripts/lib/tofu";
import type { Toolchain } from "../../scripts/lib/toolchain";

const LOCK_FILE = ".terraform.lock.hcl";
const HEADER = "# Written by __tests__/support/test-engine.ts: no checksums, so that the engine does not hash the provider package on every command.";

/** Provider sources the configuration in `dir` requires, from its `cdk.tf.json`, `cdk.tf` or `*.tf` files. */
function requiredSources(dir: string): string[] {
  const text = readdirSync(dir)
    .filter((f) => f.endsWith(".tf.json") || f.endsWith(".tf"))
    .map((f) => readFileSync(join(dir, f), "utf8"))
    .join("\n");
  // `source` as a key of its own (not `event_source`, `Resource`, …); a module's or a file's source is no provider
  // the toolchain pins, so it only makes the caller fall back to the engine's own lock file.
  return [...new Set([...text.matchAll(/(?<![\w-])"?source"?\s*[:=]\s*"([^"]+)"/g)].map((m) => (m[1].includes("/") ? m[1] : `hashicorp/${m[1]}`)))];
}

/**
 * The lock file for `dir` without checksums, or undefined when it requires a provider the
 * toolchain does not pin (then the engine's own init writes a checksummed one, as usual).
 */
export function checksumlessLock(toolchain: Toolchain, engine: "terraform" | "tofu", dir: string): string | undefined {
  const host = engine === "tofu" ? "registry.opentofu.org" : "registry.terraform.io";
  const versions: Record<string, string> = { "hashicorp/aws": toolchain.awsProviderVersion, "integrations/github": toolchain.githubProviderVersion };
  const sources = requiredSources(dir);
  if (sources.length === 0 || sources.some((s) => !versions[s])) return undefined;
  return [HEADER, ...sources.map((s) => `provider "${host}/${s}" {\n  version = "${versions[s]}"\n}`), ""].join("\n");
}

/** tofuRunner(toolchain, baseEnv, engine) whose `init` writes and keeps a lock file without checksums. */
export function testEngine(toolchain: Toolchain, baseEnv: Record<string, string>, engine: string = toolchain.tofuBin): TofuRunner {
  const inner = tofuRunner(toolchain, baseEnv, engine);
  const name = engine === toolchain.engineBin ? toolchain.engineName : engine === toolchain.tofuBin ? "tofu" : "terraform";
  const withLock = (dir: string, args: readonly string[]): readonly string[] => {
    if (args[0] !== "init") return args;
    const file = join(dir, LOCK_FILE);
    if (!existsSync(file)) {
      const lock = checksumlessLock(toolchain, name, dir);
      if (!lock) return args;
      writeFileSync(file, lock);
    }
    // A lock file someone else wrote (the engine's own, checksummed) is left to the engine.
    return readFileSync(file, "utf8").startsWith(HEADER) ? [...args, "-lockfile=readonly"] : args;
  };
  return {
    run: (dir, args, opts) => inner.run(dir, withLock(dir, args), opts),
    start: (dir, args, opts) => inner.start(dir, withLock(dir, args), opts),
  };
}
