import { execFileSync } from "node:child_process";
import { Agent } from "node:https";
import { join } from "node:path";
import { HeadBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { emulatorEnvironment, ENVIRONMENTS, loadEnvironments, type EnvironmentConfig } from "../../environments";
import { withKeyRotation, type KeyRotationFile } from "../../environments/key-rotation";
import { bootstrapStackName } from "../../stacks/bootstrap-stack";
import { appEnvironments, synthesizePlatform } from "../../stacks/synthesize";
import { cdktfEnv } from "./cdktf-cli";
import type { Emulator } from "./emulator";
import type { StackWorkdir, TofuResult, TofuRunner } from "./tofu";
import { PROJECT_ROOT, type Toolchain } from "./toolchain";

/** The emulator's environment as validated config; its names do not depend on where the emulator listens. */
export function localEnvironment(endpoint = "https://127.0.0.1:4566"): EnvironmentConfig {
  return loadEnvironments([emulatorEnvironment(endpoint)])[0];
}

export const localBootstrapStack = (env: EnvironmentConfig) => bootstrapStackName(env.accountId, env.state.region);

/** Synthesizes the app as users do (compiled main.js), with the `local` environment, its backend on the emulator. */
export function synthForEmulator(emulator: Emulator, outdir: string): void {
  execFileSync(process.execPath, [join(PROJECT_ROOT, "dist", "main.js")], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, PLATFORM_EMULATOR_ENDPOINT: emulator.endpoint, CDKTF_OUTDIR: outdir },
    stdio: ["ignore", "ignore", "pipe"],
  });
}

/**
 * Synthesizes in this process with the local environment pointed at the
 * emulator and the given key rotation state, as a commit with that
 * key-rotation.json would: for tests that walk a rotation.
 */
export function synthForEmulatorWithRotation(emulator: Emulator, outdir: string, rotation: KeyRotationFile): void {
  const inputs = appEnvironments(ENVIRONMENTS, { PLATFORM_EMULATOR_ENDPOINT: emulator.endpoint });
  synthesizePlatform({ outdir, environments: withKeyRotation(inputs, rotation) });
}

/**
 * The emulator's endpoint and CA, and credentials it accepts (never real ones, whatever the caller's
 * environment holds). AWS_ENDPOINT_URL is how the provider of the emulator's stacks finds it
 * (constructs/aws-provider.ts); the backend names it in the stack.
 */
export function emulatorAwsEnv(emulator: Emulator, region: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: emulator.endpoint,
    AWS_ACCESS_KEY_ID: "testing",
    AWS_SECRET_ACCESS_KEY: "testing",
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_CA_BUNDLE: emulator.caFile,
    AWS_EC2_METADATA_DISABLED: "true",
  };
}

/** What an operator's shell holds to run the cdktf CLI against the emulator: the engine's settings, its endpoint, CA and credentials. */
export function emulatorOperatorEnv(toolchain: Toolchain, emulator: Emulator, region: string): Record<string, string> {
  return { ...cdktfEnv(toolchain), ...emulatorAwsEnv(emulator, region), PLATFORM_EMULATOR_ENDPOINT: emulator.endpoint };
}

/** AWS SDK v3 client options for the emulator. */
export function emulatorSdkConfig(emulator: Emulator, region: string, credentials = { accessKeyId: "testing", secretAccessKey: "testing" }) {
  return {
    region,
    endpoint: emulator.endpoint,
    credentials,
    forcePathStyle: true,
    requestHandler: new NodeHttpHandler({ httpsAgent: new Agent({ ca: emulator.caPem, keepAlive: false }) }),
  };
}

/** `tofu output -json` with every sensitive value replaced: safe to print. */
export function redactOutputs(json: string): Record<string, string> {
  const outputs = JSON.parse(json) as Record<string, { sensitive: boolean; value: unknown }>;
  return Object.fromEntries(Object.entries(outputs).map(([k, o]) => [k, o.sensitive ? "(sensitive)" : String(o.value)]));
}

/**
 * Starts the bootstrap's first apply (its state local, scripts/lib/bootstrap.ts) and returns once
 * the environment's state bucket exists in the emulator, or once the apply has ended. An
 * environment needs only that bucket, so it deploys while the apply still waits on the provider's
 * lifecycle-configuration waiter (~55 s). `applied` is the apply's result: await it before the
 * bootstrap's state moves into the bucket; `stop()` interrupts it when the deploy beside it fails.
 */
export async function applyBootstrapUntilBucket(
  tofu: TofuRunner,
  bootstrap: StackWorkdir,
  emulator: Emulator,
  env: EnvironmentConfig,
): Promise<{ applied: Promise<TofuResult>; ended: boolean; stop(): void }> {
  const run = tofu.start(bootstrap.dir, ["apply", "-auto-approve", "-input=false", "-no-color"]);
  run.child.stdin?.end();
  const applied = run.result;
  let ended = false;
  void applied.then(() => (ended = true));
  // When what deploys beside it fails, the apply is interrupted (as Ctrl-C would) rather than left retrying against a stopped emulator.
  const stop = () => {
    if (!ended) run.child.kill("SIGINT");
  };
  const s3 = new S3Client(emulatorSdkConfig(emulator, env.region));
  const bucketExists = () =>
    s3.send(new HeadBucketCommand({ Bucket: env.state.bucket })).then(
      () => true,
      () => false,
    );
  while (!ended && !(await bucketExists())) await new Promise((r) => setTimeout(r, 250));
  return { applied, ended, stop };
}
