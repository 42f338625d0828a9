import { spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Toolchain } from "./toolchain";

export interface TofuResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

export interface StackWorkdir {
  readonly stack: string;
  readonly dir: string;
}

/** Copies one synthesized stack, as synthesized (`cdk.tf.json`, or `cdk.tf` from an HCL export), into its own working directory. */
export function prepareStackWorkdir(outdir: string, stack: string, root: string, file: "cdk.tf.json" | "cdk.tf" = "cdk.tf.json"): StackWorkdir {
  const dir = join(root, stack);
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(outdir, "stacks", stack, file), join(dir, file));
  return { stack, dir };
}

export interface TofuRunner {
  /** `terminal`: the engine talks to this process's terminal (an interactive apply); nothing is captured. */
  run(dir: string, args: readonly string[], opts?: { stdin?: string; env?: Record<string, string>; terminal?: boolean }): Promise<TofuResult>;
  /** Starts a command and returns it unfinished, for fault tests. */
  start(
    dir: string,
    args: readonly string[],
    opts?: { env?: Record<string, string>; terminal?: boolean },
  ): { child: ChildProcess; result: Promise<TofuResult>; output: () => string };
}

/** Runs the test toolchain OpenTofu, or `engine` when given. */
export function tofuRunner(toolchain: Toolchain, baseEnv: Record<string, string>, engine: string = toolchain.tofuBin): TofuRunner {
  const envFor = (extra?: Record<string, string>) => ({
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: process.env.HOME ?? "/tmp",
    ...engineEnv(toolchain),
    TF_IN_AUTOMATION: "1",
    ...baseEnv,
    ...extra,
  });
  const start: TofuRunner["start"] = (dir, args, opts) => {
    const began = Date.now();
    const child = spawn(engine, ["-chdir=" + dir, ...args], { env: envFor(opts?.env), stdio: opts?.terminal ? "inherit" : ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr?.on("data", (c: Buffer) => (stderr += c.toString()));
    const result = new Promise<TofuResult>((resolveResult) => {
      child.on("close", (code, signal) => resolveResult({ code, signal, stdout, stderr, ms: Date.now() - began }));
    });
    return { child, result, output: () => stdout + stderr };
  };
  return {
    start,
    run: async (dir, args, opts) => {
      const { child, result } = start(dir, args, opts);
      if (opts?.stdin !== undefined) child.stdin!.end(opts.stdin);
      else child.stdin?.end();
      return result;
    },
  };
}

/**
 * What the engine (and cdktf, which runs it) needs from the toolchain: the
 * provider mirror when the registry does not answer, one plugin cache
 * (providers are linked from it instead of copied into every stack: the aws
 * binary is ~700 MB), and no call home.
 *
 * An init whose lock file does not yet name a provider reinstalls that provider
 * into the cache, and for that moment the cache entry is gone: any engine that
 * starts the provider through its link then fails ("could not read package
 * directory"). Engines run side by side (the sandbox, the test suites, an
 * operator's second terminal), so the cache entry is used as it is whatever
 * the lock file says; the lock file is still written and checked on the next init.
 *
 * GOGC=400: most of an engine command's CPU is hashicorp/aws starting up (it builds the
 * schemas of ~1,500 resources), and much of that is Go's garbage collector. Collecting at
 * 400 % heap growth instead of 100 % cut a plan of the `local` stack from 10.9 to 7.4 CPU
 * seconds (`/usr/bin/time terraform plan`, 2 cores) for 140 MB more peak memory per process.
 */
export function engineEnv(toolchain: Toolchain): Record<string, string> {
  return {
    ...(toolchain.cliConfigFile ? { TF_CLI_CONFIG_FILE: toolchain.cliConfigFile } : {}),
    TF_PLUGIN_CACHE_DIR: toolchain.pluginCacheDir,
    ...ENGINE_TUNING,
    CHECKPOINT_DISABLE: "1",
  };
}

/**
 * The part of engineEnv that tunes the project's own runs (the main job, the tests) and is not
 * handed to a user's shell (the sandbox's exports): GOGC would reach every Go program there.
 */
export const ENGINE_TUNING: Readonly<Record<string, string>> = { TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE: "true", GOGC: "400" };
