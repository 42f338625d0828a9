/**
 * The main job on the embedded default, no AWS account needed:
 *   npm run local
 * builds or finds the toolchain, starts the AWS emulator on loopback,
 * synthesizes, bootstraps the state bucket, deploys the `local`
 * environment with remote state and locking in the emulator's S3, prints the
 * outputs a team consumes (secrets as "(sensitive)"), and stops the emulator.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmulator, type Emulator } from "./lib/emulator";
import { credentialsStackName } from "../environments/naming";
import { emulatorAwsEnv, localBootstrapStack, localEnvironment, redactOutputs, synthForEmulator } from "./lib/local-run";
import { prepareStackWorkdir, tofuRunner, type TofuResult } from "./lib/tofu";
import { ensureToolchain } from "./lib/toolchain";

const log = (msg: string) => process.stderr.write(`[local] ${msg}\n`);

function check(step: string, r: TofuResult): TofuResult {
  log(`${step}: ${(r.ms / 1000).toFixed(1)} s`);
  if (r.code !== 0) throw new Error(`${step} failed (exit ${r.code}):\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-4000)}`);
  return r;
}

async function main(): Promise<void> {
  const toolchain = ensureToolchain();
  if (!toolchain.awsProviderVersion) throw new Error("no hashicorp/aws provider is available (see README, Providers)");
  const env = localEnvironment();
  const work = mkdtempSync(join(tmpdir(), "platform-local-"));
  let emulator: Emulator | undefined;
  try {
    emulator = await startEmulator(toolchain.motoPython, { log });
    const outdir = join(work, "cdktf.out");
    synthForEmulator(emulator, outdir);
    log(`synthesized into ${outdir}`);
    const tofu = tofuRunner(toolchain, emulatorAwsEnv(emulator, env.region));

    const bootstrap = prepareStackWorkdir(outdir, localBootstrapStack(env), join(work, "run"), toolchain);
    const stack = prepareStackWorkdir(outdir, env.name, join(work, "run"), toolchain);
    const credentials = prepareStackWorkdir(outdir, credentialsStackName(env), join(work, "run"), toolchain);
    if (stack.providerVersionNote) log(`NOTE: ${stack.providerVersionNote}`);

    log(`bootstrap (${bootstrap.stack}): state bucket ${env.state.bucket} and the account's GitHub OIDC provider`);
    check("bootstrap init", await tofu.run(bootstrap.dir, ["init", "-input=false", "-no-color"]));
    check("bootstrap apply", await tofu.run(bootstrap.dir, ["apply", "-auto-approve", "-input=false", "-no-color"]));

    log(`deploy ${env.name}: remote state s3://${env.state.bucket}/${env.state.key}, S3 lock file on`);
    check("init", await tofu.run(stack.dir, ["init", "-input=false", "-no-color"]));
    const apply = check("apply", await tofu.run(stack.dir, ["apply", "-auto-approve", "-input=false", "-no-color"]));
    const summary = apply.stdout.match(/Apply complete! Resources: .*/)?.[0];
    if (summary) log(summary);
    log(`deploy ${credentials.stack}: the users' access keys and their SSM parameters, in a state only operators read`);
    check("credentials init", await tofu.run(credentials.dir, ["init", "-input=false", "-no-color"]));
    check("credentials apply", await tofu.run(credentials.dir, ["apply", "-auto-approve", "-input=false", "-no-color"]));
    const outputs = {
      ...redactOutputs(check("output", await tofu.run(stack.dir, ["output", "-json"])).stdout),
      ...redactOutputs(check("credentials output", await tofu.run(credentials.dir, ["output", "-json"])).stdout),
    };

    process.stdout.write(`\nOutputs of environment '${env.name}' (AWS emulator at ${emulator.endpoint}):\n`);
    const width = Math.max(...Object.keys(outputs).map((k) => k.length));
    for (const [k, v] of Object.entries(outputs)) process.stdout.write(`  ${k.padEnd(width)}  ${v}\n`);
    process.stdout.write(`\nRead a secret with: tofu output -raw ecr_aws_secret_access_key (in a real environment's ${credentialsStackName(env)} stack directory)\n`);
  } finally {
    await emulator?.stop();
    log("AWS emulator stopped");
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`[local] ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
