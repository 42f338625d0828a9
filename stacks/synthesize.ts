import { App } from "cdktf";
import { mkdtempSync, renameSync, rmSync } from "node:fs";
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
  const staging = mkdtempSync(join(dirname(outdir), `.${basename(outdir)}.tmp-`));
  try {
    const app = new App({ outdir: staging });
    const stacks = addPlatformStacks(app, envs);
    app.synth();
    rmSync(outdir, { recursive: true, force: true });
    renameSync(staging, outdir);
    return { outdir, stacks };
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
}

/**
 * The app's command line: synthesize, report on stderr, return the exit code
 * (0 written, 1 bad config or failed synthesis; nothing written then).
 */
export function runSynth(environments: readonly unknown[], write: (line: string) => void = (l) => process.stderr.write(l)): number {
  try {
    const { outdir, stacks } = synthesizePlatform({ environments });
    const count = stacks.environments.length + stacks.credentials.length + stacks.github.length + stacks.bootstrap.length;
    write(`synthesized ${count} stacks for ${stacks.environments.length} environments into ${outdir}\n`);
    return 0;
  } catch (err) {
    write(`${err instanceof ConfigError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}
