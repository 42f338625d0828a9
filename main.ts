import { ConfigError, ENVIRONMENTS } from "./environments";
import { synthesizePlatform } from "./stacks/synthesize";

try {
  const { outdir, stacks } = synthesizePlatform({ environments: ENVIRONMENTS });
  const count = stacks.environments.length + stacks.github.length + stacks.bootstrap.length;
  process.stderr.write(`synthesized ${count} stacks for ${stacks.environments.length} environments into ${outdir}\n`);
} catch (err) {
  process.stderr.write(`${err instanceof ConfigError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
}
