import { App } from "cdktf";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from "node:fs";
import { dirname, basename, join, resolve } from "node:path";
import { ConfigError, loadEnvironments } from "../environments/load";
import { addPlatformStacks, type PlatformStacks } from "./platform-app";

export interface SynthesizeOptions {
  /** @default process.env.CDKTF_OUTDIR (set by the cdktf CLI) or "cdktf.out" */
  readonly outdir?: string;
  /** Environment inputs, validated here before anything is written. */
  readonly environments: readonly unknown[];
}

/**
 * Validates config, builds every stack and synthesizes into a sibling
 * temporary directory that replaces `outdir` only when everything succeeded:
 * bad input never leaves a half-written cdktf.out.
 */
export function synthesizePlatform(opts: SynthesizeOptions): { outdir: string; stacks: PlatformStacks } {
  const envs = loadEnvironments(opts.environments);
  const outdir = resolve(opts.outdir ?? process.env.CDKTF_OUTDIR ?? "cdktf.out");
  // `cdktf synth --output a/b/cdktf.out` names a directory whose parents may not exist yet.
  mkdirSync(dirname(outdir), { recursive: true });
  const staging = mkdtempSync(join(dirname(outdir), `.${basename(outdir)}.tmp-`));
  try {
    const app = new App({ outdir: staging });
    const stacks = addPlatformStacks(app, envs);
    app.synth();
    keepProviderLocks(outdir, staging);
    rmSync(outdir, { recursive: true, force: true });
    renameSync(staging, outdir);
    return { outdir, stacks };
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
}

/**
 * Carries each stack's provider lock file (written by the engine's init) into
 * the new output: the providers chosen stay chosen across synths, as a lock
 * file is for, and cdktf needs no registry to re-lock them. (`.terraform` is
 * not carried: cdktf initialises each stack it runs, and a backend whose
 * settings changed, like the emulator's endpoint, must be initialised anew.)
 */
function keepProviderLocks(previous: string, next: string): void {
  const stacksDir = join(previous, "stacks");
  if (!existsSync(stacksDir)) return;
  for (const stack of readdirSync(stacksDir)) {
    const lock = join(stacksDir, stack, ".terraform.lock.hcl");
    if (existsSync(lock) && existsSync(join(next, "stacks", stack))) copyFileSync(lock, join(next, "stacks", stack, ".terraform.lock.hcl"));
  }
}

/**
 * The app's command line: synthesize and return the exit code (0 written,
 * 1 bad config or failed synthesis; nothing written then). Errors go to
 * `error`. The summary goes to `info` only outside the cdktf CLI, which
 * shows anything an app prints as an error.
 */
export function runSynth(
  environments: readonly unknown[],
  io: { error: (line: string) => void; info?: (line: string) => void } = {
    error: (l) => process.stderr.write(l),
    info: process.env.CDKTF_OUTDIR ? undefined : (l) => process.stdout.write(l),
  },
): number {
  try {
    const { outdir, stacks } = synthesizePlatform({ environments });
    const count = stacks.environments.length + stacks.credentials.length + stacks.github.length + stacks.bootstrap.length;
    io.info?.(`synthesized ${count} stacks for ${stacks.environments.length} environments into ${outdir}\n`);
    return 0;
  } catch (err) {
    io.error(`${err instanceof ConfigError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}

export { appEnvironments } from "../environments";
