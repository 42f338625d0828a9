/**
 * Bootstraps an account and region, or finishes a bootstrap that stopped:
 *   npm run bootstrap -- <bootstrap-stack> [--auto-approve]
 * 1. synthesizes the app (as `cdktf synth` does) and copies the stack into .bootstrap/<stack>/;
 * 2. applies it with a local state there (its bucket does not exist yet);
 * 3. moves that state into the bucket (`init -migrate-state`), proves the stack
 *    then reads the same state from it, and removes the local copy.
 * From then on the stack is an ordinary one: `npx cdktf diff|deploy <bootstrap-stack>`.
 * Run again, it resumes from a local state left behind, or says that the state
 * is already in its bucket. The engine and providers are found as for the
 * main job (scripts/toolchain.sh); credentials come from the usual AWS variables.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ENVIRONMENTS } from "../environments";
import { appEnvironments, synthesizePlatform } from "../stacks/synthesize";
import { bootstrapPhase, initLocal, migrateToBucket, prepareBootstrapWorkdir } from "./lib/bootstrap";
import { tofuRunner } from "./lib/tofu";
import { ensureToolchain, PROJECT_ROOT } from "./lib/toolchain";

const USAGE = "usage: npm run bootstrap -- <bootstrap-stack> [--auto-approve]";
/** PLATFORM_BOOTSTRAP_DIR keeps a test's bootstrap apart from an operator's. */
const WORKDIR = process.env.PLATFORM_BOOTSTRAP_DIR ?? join(PROJECT_ROOT, ".bootstrap");

export async function main(argv: readonly string[], write: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  const flags = argv.filter((a) => a.startsWith("-"));
  const names = argv.filter((a) => !a.startsWith("-"));
  const unknown = flags.filter((f) => f !== "--auto-approve");
  if (names.length !== 1 || unknown.length > 0) {
    process.stderr.write(`${unknown.length ? `unknown option ${JSON.stringify(unknown[0])}\n` : ""}${USAGE}\n`);
    return 2;
  }
  const [stack] = names;
  const scratch = mkdtempSync(join(tmpdir(), "bootstrap-synth-"));
  try {
    synthesizePlatform({ outdir: join(scratch, "cdktf.out"), environments: appEnvironments(ENVIRONMENTS, process.env) });
    const manifest = JSON.parse(readFileSync(join(scratch, "cdktf.out", "manifest.json"), "utf8")) as { stacks: Record<string, unknown> };
    const bootstraps = Object.keys(manifest.stacks).filter((s) => s.startsWith("bootstrap-"));
    if (!bootstraps.includes(stack)) {
      process.stderr.write(`no bootstrap stack ${JSON.stringify(stack)}; this app has: ${bootstraps.join(", ")}\n${USAGE}\n`);
      return 2;
    }
    const toolchain = ensureToolchain("engine");
    // The operator's AWS credentials and settings, as cdktf would pass them to the engine.
    const aws = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[0].startsWith("AWS_") && e[1] !== undefined));
    const tofu = tofuRunner(toolchain, aws, toolchain.engineBin);
    const work = prepareBootstrapWorkdir(join(scratch, "cdktf.out"), stack, WORKDIR);
    const phase = await bootstrapPhase(tofu, work);
    if (phase === "in-bucket") {
      write(`${stack}: its state is already in its bucket. Use \`npx cdktf diff ${stack}\` and \`npx cdktf deploy ${stack}\`.\n`);
      rmSync(work.dir, { recursive: true, force: true });
      return 0;
    }
    write(phase === "local" ? `${stack}: resuming with the local state left in ${work.dir}\n` : `${stack}: first apply, with a local state in ${work.dir}\n`);
    await initLocal(tofu, work);
    const auto = flags.includes("--auto-approve");
    // Interactive unless --auto-approve: the engine shows the plan and asks, as `cdktf deploy` does.
    const apply = await tofu.run(work.dir, ["apply", "-input=" + String(!auto), ...(auto ? ["-auto-approve"] : [])], { terminal: !auto });
    if (apply.code !== 0) {
      process.stderr.write(
        `${apply.stdout.slice(-4000)}${apply.stderr.slice(-4000)}\n${stack}: apply failed; the local state stays in ${work.dir}: run the same command again.\n`,
      );
      return 1;
    }
    if (auto) write(`${apply.stdout.match(/Apply complete!.*/)?.[0] ?? "applied"}\n`);
    const moved = await migrateToBucket(tofu, work);
    if (existsSync(join(work.dir, "terraform.tfstate"))) throw new Error("the local state is still there after the migration");
    rmSync(work.dir, { recursive: true, force: true });
    write(
      `${stack}: state moved into its bucket (${(moved.ms / 1000).toFixed(1)} s); the local copy is removed.\n` +
        `From now on: npx cdktf diff ${stack} / npx cdktf deploy ${stack}\n`,
    );
    return 0;
  } catch (err) {
    process.stderr.write(`${stack}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
