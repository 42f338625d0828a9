import { execFileSync, spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
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
 * With hashicorp/aws from the local mirror, the engine's first init of a stack computes the
 * provider's checksum itself and warns that the lock file then holds this platform's only.
 * A lock computed from the mirror beforehand (`providers lock -fs-mirror`, once per version)
 * leaves it nothing to warn about; synthesis keeps it (stacks/synthesize.ts).
 */
export function seedAwsProviderLocks(toolchain: Toolchain, outdir: string, stacks: readonly string[], constraint: string): void {
  if (!toolchain.providerMirror || toolchain.registry === "reachable") return;
  const cached = join(toolchain.pluginCacheDir, "..", "locks", `hashicorp-aws-${toolchain.awsProviderVersion}.lock.hcl`);
  if (!existsSync(cached)) {
    const scratch = mkdtempSync(join(tmpdir(), "provider-lock-"));
    try {
      writeFileSync(
        join(scratch, "main.tf.json"),
        JSON.stringify({ terraform: { required_providers: { aws: { source: "hashicorp/aws", version: constraint } } } }),
      );
      execFileSync(toolchain.engineBin, ["-chdir=" + scratch, "providers", "lock", `-fs-mirror=${toolchain.providerMirror}`, "-platform=linux_amd64"], {
        stdio: "ignore",
        env: { ...process.env, ...engineEnv(toolchain) },
      });
      mkdirSync(dirname(cached), { recursive: true });
      copyFileSync(join(scratch, ".terraform.lock.hcl"), cached);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }
  for (const stack of stacks) {
    const lock = join(outdir, "stacks", stack, ".terraform.lock.hcl");
    if (existsSync(lock)) continue;
    mkdirSync(dirname(lock), { recursive: true });
    copyFileSync(cached, lock);
  }
}

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
