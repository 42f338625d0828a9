import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
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
  /** Set when the stack's pinned provider version had to be replaced by the one available here. */
  readonly providerVersionNote?: string;
}

/**
 * Copies one synthesized stack into its own working directory. The JSON is
 * used as synthesized with at most two documented edits:
 *  - bootstrap stacks keep their local state in the working directory;
 *  - when the pinned hashicorp/aws version is not in the mirror (no 6.x
 *    provider is obtainable here, see README), the version constraint is
 *    set to the version that is.
 */
export function prepareStackWorkdir(outdir: string, stack: string, root: string, toolchain: Toolchain): StackWorkdir {
  const dir = join(root, stack);
  mkdirSync(dir, { recursive: true });
  const json = JSON.parse(readFileSync(join(outdir, "stacks", stack, "cdk.tf.json"), "utf8"));
  let providerVersionNote: string | undefined;
  const aws = json.terraform?.required_providers?.aws;
  if (aws && toolchain.awsProviderVersion && aws.version !== toolchain.awsProviderVersion) {
    providerVersionNote = `hashicorp/aws ${aws.version} is not obtainable here; running with ${toolchain.awsProviderVersion}`;
    aws.version = toolchain.awsProviderVersion;
  }
  if (json.terraform?.backend?.local) json.terraform.backend.local.path = "terraform.tfstate";
  writeFileSync(join(dir, "cdk.tf.json"), JSON.stringify(json, null, 2));
  return { stack, dir, providerVersionNote };
}

export interface TofuRunner {
  run(dir: string, args: readonly string[], opts?: { stdin?: string; env?: Record<string, string> }): Promise<TofuResult>;
  /** Starts a command and returns it unfinished, for fault tests. */
  start(
    dir: string,
    args: readonly string[],
    opts?: { env?: Record<string, string> },
  ): { child: ChildProcess; result: Promise<TofuResult>; output: () => string };
}

export function tofuRunner(toolchain: Toolchain, baseEnv: Record<string, string>): TofuRunner {
  const envFor = (extra?: Record<string, string>) => ({
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: process.env.HOME ?? "/tmp",
    TF_CLI_CONFIG_FILE: toolchain.cliConfigFile,
    TF_IN_AUTOMATION: "1",
    // Providers are linked from one cache instead of copied (the aws binary is ~700 MB) into every stack.
    TF_PLUGIN_CACHE_DIR: toolchain.pluginCacheDir,
    CHECKPOINT_DISABLE: "1",
    ...baseEnv,
    ...extra,
  });
  const start: TofuRunner["start"] = (dir, args, opts) => {
    const began = Date.now();
    const child = spawn(toolchain.tofuBin, ["-chdir=" + dir, ...args], { env: envFor(opts?.env), stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
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
      else child.stdin!.end();
      return result;
    },
  };
}
