/**
 * The `local` environment deployed into a fresh emulator, as the main job
 * deploys it (bootstrap, environment, credentials stacks applied by OpenTofu
 * with the real AWS provider), from the project's own helpers: for a suite
 * that needs an account of its own (key-rotation.test.ts).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { credentialsStackName } from "../../environments/naming";
import type { EnvironmentConfig } from "../../environments";
import { startEmulator, type Emulator } from "../../scripts/lib/emulator";
import {
  applyBootstrapUntilBucket,
  emulatorAwsEnv,
  emulatorSdkConfig,
  localBootstrapStack,
  localEnvironment,
  synthForEmulator,
} from "../../scripts/lib/local-run";
import { initLocal, prepareBootstrapWorkdir } from "../../scripts/lib/bootstrap";
import { prepareStackWorkdir, tofuRunner, type TofuResult } from "../../scripts/lib/tofu";
import { ensureToolchain, type Toolchain } from "../../scripts/lib/toolchain";

export interface DeployedLocal {
  readonly env: EnvironmentConfig;
  readonly emulator: Emulator;
  readonly toolchain: Toolchain;
  readonly sdk: ReturnType<typeof emulatorSdkConfig>;
  /** Directory of the environment stack's working copy (tofu output reads it). */
  readonly stackDirs: Record<string, string>;
  readonly applySeconds: number;
  stop(): Promise<void>;
}

export async function deployLocal(): Promise<DeployedLocal> {
  const env = localEnvironment();
  const toolchain = ensureToolchain();
  if (!toolchain.awsProviderVersion) throw new Error("no hashicorp/aws provider available: see README, Requirements");
  const emulator = await startEmulator(toolchain.motoPython);
  const work = mkdtempSync(join(tmpdir(), "registry-e2e-"));
  const stop = async () => {
    await emulator.stop();
    rmSync(work, { recursive: true, force: true });
  };
  let bootstrapApply: Awaited<ReturnType<typeof applyBootstrapUntilBucket>> | undefined;
  try {
    const outdir = join(work, "cdktf.out");
    synthForEmulator(emulator, outdir);
    const tofu = tofuRunner(toolchain, emulatorAwsEnv(emulator, env.region));
    const stackDirs: Record<string, string> = {};
    const began = Date.now();
    const check = (what: string, r: TofuResult) => {
      if (r.code !== 0) throw new Error(`tofu ${what} failed:\n${r.stderr.slice(-3000)}`);
    };
    // The bootstrap keeps its state local here (its bucket is what it creates); nothing later reads that state.
    const bootstrap = prepareBootstrapWorkdir(outdir, localBootstrapStack(env), join(work, "run"));
    await initLocal(tofu, bootstrap);
    // As the main job does: the environment deploys while the bootstrap's apply waits on the provider.
    bootstrapApply = await applyBootstrapUntilBucket(tofu, bootstrap, emulator, env);
    if (bootstrapApply.ended) check(`apply of ${bootstrap.stack}`, await bootstrapApply.applied);
    for (const stack of [env.name, credentialsStackName(env)]) {
      const { dir } = prepareStackWorkdir(outdir, stack, join(work, "run"));
      stackDirs[stack] = dir;
      check(`init of ${stack}`, await tofu.run(dir, ["init", "-input=false", "-no-color"]));
      check(`apply of ${stack}`, await tofu.run(dir, ["apply", "-auto-approve", "-input=false", "-no-color"]));
    }
    check(`apply of ${bootstrap.stack}`, await bootstrapApply.applied);
    return { env, emulator, toolchain, sdk: emulatorSdkConfig(emulator, env.region), stackDirs, applySeconds: (Date.now() - began) / 1000, stop };
  } catch (e) {
    bootstrapApply?.stop();
    await bootstrapApply?.applied;
    await stop();
    throw e;
  }
}
