import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { prepareStackWorkdir, type StackWorkdir, type TofuResult, type TofuRunner } from "./tofu";

/**
 * A bootstrap stack's state lives in the bucket that the stack itself
 * creates, so its first apply cannot use that bucket. As with cloudposse's
 * tfstate-backend: apply once with a local state (an override file replaces
 * the synthesized S3 backend), then `init -migrate-state` into the bucket and
 * drop the local file. From then on every operator runs `cdktf deploy|diff`
 * on the stack as on any other.
 */
export const LOCAL_BACKEND_OVERRIDE = "backend_override.tf.json";
const LOCAL_STATE = "terraform.tfstate";

export type BootstrapPhase = "in-bucket" | "local" | "new";

/** A bootstrap stack's working directory: kept between runs, since it may hold the local state. */
export type BootstrapWorkdir = StackWorkdir;

/** Copies the synthesized stack into `root/<stack>`, as any stack's working directory. */
export const prepareBootstrapWorkdir = prepareStackWorkdir;

const fail = (step: string, r: TofuResult) => new Error(`${step} failed (exit ${r.code}):\n${(r.stdout + r.stderr).slice(-4000)}`);

/**
 * Where the stack's state is now: a local file from an unfinished bootstrap,
 * already in its bucket (init with the S3 backend finds resources), or
 * nowhere yet.
 */
export async function bootstrapPhase(tofu: TofuRunner, work: BootstrapWorkdir): Promise<BootstrapPhase> {
  if (existsSync(join(work.dir, LOCAL_STATE))) return "local";
  // A probe in a directory of its own: a failed init against a missing bucket leaves nothing behind here.
  const probe = mkdtempSync(join(work.dir, "..", `.${work.stack}-probe-`));
  try {
    copyFileSync(join(work.dir, "cdk.tf.json"), join(probe, "cdk.tf.json"));
    const init = await tofu.run(probe, ["init", "-input=false", "-no-color"]);
    if (init.code !== 0) return "new"; // the bucket does not exist yet
    const list = await tofu.run(probe, ["state", "list", "-no-color"]);
    return list.code === 0 && list.stdout.trim() !== "" ? "in-bucket" : "new";
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

/** Initialises the stack with a local state in its working directory (the first apply). */
export async function initLocal(tofu: TofuRunner, work: BootstrapWorkdir): Promise<void> {
  writeFileSync(join(work.dir, LOCAL_BACKEND_OVERRIDE), JSON.stringify({ terraform: { backend: { local: { path: LOCAL_STATE } } } }, null, 2));
  const init = await tofu.run(work.dir, ["init", "-input=false", "-no-color", "-reconfigure"]);
  if (init.code !== 0) throw fail("init (local state)", init);
}

interface StateFile {
  readonly resources: readonly { readonly mode: string; readonly type: string; readonly name: string; readonly instances: readonly unknown[] }[];
  readonly outputs?: Record<string, unknown>;
}

/** What a state holds, as addresses and output names (the engine gives a migrated state a new lineage and serial). */
const contentOf = (state: StateFile) =>
  JSON.stringify({
    resources: state.resources.map((r) => `${r.mode}.${r.type}.${r.name}[${r.instances.length}]`).sort(),
    outputs: Object.keys(state.outputs ?? {}).sort(),
  });

/**
 * Moves the local state into the stack's bucket, proves that the bucket then
 * holds the same resources and outputs, and only then removes the local files.
 */
export async function migrateToBucket(tofu: TofuRunner, work: BootstrapWorkdir): Promise<{ ms: number }> {
  const started = Date.now();
  const local = JSON.parse(readFileSync(join(work.dir, LOCAL_STATE), "utf8")) as StateFile;
  rmSync(join(work.dir, LOCAL_BACKEND_OVERRIDE), { force: true });
  const init = await tofu.run(work.dir, ["init", "-input=false", "-no-color", "-migrate-state", "-force-copy"]);
  if (init.code !== 0) throw fail("init -migrate-state", init);
  const pulled = await tofu.run(work.dir, ["state", "pull"]);
  if (pulled.code !== 0) throw fail("state pull from the bucket", pulled);
  const remote = JSON.parse(pulled.stdout) as StateFile;
  if (contentOf(remote) !== contentOf(local)) {
    throw new Error(`the bucket's state does not hold what the local one does; the local state stays in ${work.dir}`);
  }
  for (const file of [LOCAL_STATE, `${LOCAL_STATE}.backup`]) rmSync(join(work.dir, file), { force: true });
  return { ms: Date.now() - started };
}
