import { spawn } from "node:child_process";
import { join } from "node:path";
import type { TofuResult } from "./tofu";
import { engineEnv } from "./tofu";
import { PROJECT_ROOT, type Toolchain } from "./toolchain";

/** The project's own cdktf CLI (devDependency), as `npx cdktf` runs it. */
export const CDKTF_BIN = join(PROJECT_ROOT, "node_modules", ".bin", "cdktf");

/**
 * What the cdktf CLI needs to drive the toolchain's engine: the engine
 * (cdktf's TERRAFORM_BINARY_NAME), the provider mirror, and no calls home
 * (CHECKPOINT_DISABLE also stops cdktf's own version check).
 */
export function cdktfEnv(toolchain: Toolchain): Record<string, string> {
  return {
    ...engineEnv(toolchain),
    TERRAFORM_BINARY_NAME: toolchain.engineBin,
    // The pinned AWS SDK warns on Node 20 with type `Warning`, which --disable-warning cannot name.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  };
}

/**
 * cdktf locks providers for linux_amd64 through the registry when a stack has no lock file yet;
 * with providers from a local mirror that step cannot run, and the engine's own init writes the lock.
 */
export const offlineFlags = (toolchain: Toolchain): string[] => (toolchain.registry === "reachable" ? [] : ["--skip-provider-lock"]);

/**
 * Runs `cdktf <args>` in `cwd` (the project by default) with the caller's
 * environment plus `env`. `echo` streams its output as it comes (the main
 * job shows cdktf's own progress); the result keeps all of it.
 */
export function runCdktf(
  args: readonly string[],
  opts: { env: Record<string, string | undefined>; cwd?: string; echo?: (chunk: string) => void },
): Promise<TofuResult> {
  const began = Date.now();
  return new Promise((resolveRun) => {
    const child = spawn(CDKTF_BIN, [...args], { cwd: opts.cwd ?? PROJECT_ROOT, env: { ...process.env, ...opts.env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
      opts.echo?.(c.toString());
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
      opts.echo?.(c.toString());
    });
    child.on("close", (code, signal) => resolveRun({ code, signal, stdout, stderr, ms: Date.now() - began }));
  });
}
