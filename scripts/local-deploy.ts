/**
 * The main job on the embedded default, no AWS account needed:
 *   npm run local                     deploy `local` into the AWS emulator, print its outputs, stop
 *   npm run local -- up [--as WHO]    the same, but leave the emulator and the environment running
 *                                     (a sandbox), and write .local/sandbox.env to `source`
 *   npm run local -- down             stop the sandbox and remove what it left
 * WHO is operator (default: may read state, so ecr-deploy.sh and the doctor's
 * key report work), ecr-user or s3-user (their keys, read from SSM).
 * Secrets go to .local/sandbox.env (mode 600), never to the terminal.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HeadBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { credentialsStackName, keyParameterLeaves, ssmPath } from "../environments/naming";
import { startEmulator, type Emulator } from "./lib/emulator";
import { emulatorAwsEnv, emulatorSdkConfig, localBootstrapStack, localEnvironment, redactOutputs, synthForEmulator } from "./lib/local-run";
import { prepareStackWorkdir, tofuRunner, type TofuResult } from "./lib/tofu";
import { ensureToolchain, PROJECT_ROOT } from "./lib/toolchain";

const log = (msg: string) => process.stderr.write(`[local] ${msg}\n`);
/** PLATFORM_SANDBOX_DIR lets tests keep their sandbox apart from a developer's. */
const SANDBOX = process.env.PLATFORM_SANDBOX_DIR ?? join(PROJECT_ROOT, ".local");
const SANDBOX_STATE = join(SANDBOX, "sandbox.json");
const SANDBOX_ENV = join(SANDBOX, "sandbox.env");
const IDENTITIES = ["operator", "ecr-user", "s3-user"] as const;
type Identity = (typeof IDENTITIES)[number];
const USAGE = `usage: npm run local [-- up [--as ${IDENTITIES.join("|")}] | down]`;

function check(step: string, r: TofuResult): TofuResult {
  log(`${step}: ${(r.ms / 1000).toFixed(1)} s`);
  if (r.code !== 0) throw new Error(`${step} failed (exit ${r.code}):\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-4000)}`);
  return r;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function deploy(keep: { as: Identity } | undefined): Promise<void> {
  const started = Date.now();
  const toolchain = ensureToolchain();
  if (!toolchain.awsProviderVersion) throw new Error("no hashicorp/aws provider is available (see README, Providers)");
  const env = localEnvironment();
  if (keep) mkdirSync(SANDBOX, { recursive: true });
  const work = keep ? SANDBOX : mkdtempSync(join(tmpdir(), "platform-local-"));
  let emulator: (Emulator & { pid: number }) | undefined;
  let kept = false;
  try {
    emulator = await startEmulator(toolchain.motoPython, { log, keepIn: keep ? SANDBOX : undefined });
    if (keep) writeFileSync(SANDBOX_STATE, JSON.stringify({ pid: emulator.pid, endpoint: emulator.endpoint }));
    const outdir = join(work, "cdktf.out");
    synthForEmulator(emulator, outdir);
    log(`synthesized into ${outdir}`);
    const tofu = tofuRunner(toolchain, emulatorAwsEnv(emulator, env.region));
    const run = join(work, "run");
    const bootstrap = prepareStackWorkdir(outdir, localBootstrapStack(env), run, toolchain);
    const stack = prepareStackWorkdir(outdir, env.name, run, toolchain);
    const credentials = prepareStackWorkdir(outdir, credentialsStackName(env), run, toolchain);
    if (stack.providerVersionNote) log(`NOTE: ${stack.providerVersionNote}`);

    log(`bootstrap (${bootstrap.stack}): state bucket ${env.state.bucket} and the account's GitHub OIDC provider`);
    check("bootstrap init", await tofu.run(bootstrap.dir, ["init", "-input=false", "-no-color"]));
    // The bootstrap spends ~55 s in the provider's lifecycle-configuration waiter (see the
    // emulator module); the environment only needs the bucket, so it deploys meanwhile.
    const bootstrapApply = tofu.run(bootstrap.dir, ["apply", "-auto-approve", "-input=false", "-no-color"]);
    let bootstrapDone = false;
    void bootstrapApply.then(() => (bootstrapDone = true));
    const s3 = new S3Client(emulatorSdkConfig(emulator, env.region));
    for (;;) {
      if (bootstrapDone) break;
      if (
        await s3.send(new HeadBucketCommand({ Bucket: env.state.bucket })).then(
          () => true,
          () => false,
        )
      )
        break;
      await new Promise((r) => setTimeout(r, 250));
    }
    if (bootstrapDone) check("bootstrap apply", await bootstrapApply);
    else log(`state bucket ${env.state.bucket} exists; deploying while the bootstrap finishes`);

    log(`deploy ${env.name}: remote state s3://${env.state.bucket}/${env.state.key}, S3 lock file on`);
    check("init", await tofu.run(stack.dir, ["init", "-input=false", "-no-color"]));
    const apply = check("apply", await tofu.run(stack.dir, ["apply", "-auto-approve", "-input=false", "-no-color"]));
    const summary = apply.stdout.match(/Apply complete! Resources: .*/)?.[0];
    if (summary) log(summary);
    log(`deploy ${credentials.stack}: the users' access keys and their SSM parameters, in a state only operators read`);
    check("credentials init", await tofu.run(credentials.dir, ["init", "-input=false", "-no-color"]));
    check("credentials apply", await tofu.run(credentials.dir, ["apply", "-auto-approve", "-input=false", "-no-color"]));
    check("bootstrap apply", await bootstrapApply);
    const outputs = {
      ...redactOutputs(check("output", await tofu.run(stack.dir, ["output", "-json"])).stdout),
      ...redactOutputs(check("credentials output", await tofu.run(credentials.dir, ["output", "-json"])).stdout),
    };

    process.stdout.write(`\nOutputs of environment '${env.name}' (AWS emulator at ${emulator.endpoint}):\n`);
    const width = Math.max(...Object.keys(outputs).map((k) => k.length));
    for (const [k, v] of Object.entries(outputs)) process.stdout.write(`  ${k.padEnd(width)}  ${v}\n`);
    log(`deployed in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    if (keep) {
      const sdk = emulatorSdkConfig(emulator, env.region);
      let credentialsOf = { accessKeyId: "testing", secretAccessKey: "testing" };
      if (keep.as !== "operator") {
        const leaves = keyParameterLeaves(keep.as === "ecr-user" ? "ecr" : "s3");
        const ssm = new SSMClient(sdk);
        const read = async (leaf: string) => (await ssm.send(new GetParameterCommand({ Name: ssmPath(env, leaf), WithDecryption: true }))).Parameter!.Value!;
        credentialsOf = { accessKeyId: await read(leaves.accessKeyId), secretAccessKey: await read(leaves.secretAccessKey) };
      }
      const exports: [string, string][] = [
        ["AWS_ENDPOINT_URL", emulator.endpoint],
        ["AWS_REGION", env.region],
        ["AWS_DEFAULT_REGION", env.region],
        ["AWS_CA_BUNDLE", emulator.caFile],
        ["NODE_EXTRA_CA_CERTS", emulator.caFile],
        // scripts/ecr-deploy.sh reads outputs from the sandbox's initialised stacks with this engine.
        ["STACKS_DIR", run],
        ["TF_BINARY", toolchain.tofuBin],
        ["TF_CLI_CONFIG_FILE", toolchain.cliConfigFile],
      ];
      const secrets: [string, string][] = [
        ["AWS_ACCESS_KEY_ID", credentialsOf.accessKeyId],
        ["AWS_SECRET_ACCESS_KEY", credentialsOf.secretAccessKey],
      ];
      const line = ([k, v]: [string, string]) => `export ${k}='${v}'`;
      writeFileSync(SANDBOX_ENV, `${[...exports, ...secrets].map(line).join("\n")}\nunset AWS_SESSION_TOKEN AWS_PROFILE\n`, { mode: 0o600 });
      process.stdout.write(
        `\nThe sandbox is up (emulator pid ${emulator.pid}). To use it:\n  source ${SANDBOX_ENV}\n` +
          `which sets:\n${exports.map((e) => `  ${line(e)}`).join("\n")}\n  and the ${keep.as}'s AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (not shown)\n` +
          `then e.g.: aws ecr describe-repositories; npm run doctor -- ${env.name} --online; scripts/ecr-deploy.sh ${env.name} api\n` +
          `Stop it with: bash scripts/local.sh down\n`,
      );
      kept = true;
    } else {
      process.stdout.write(
        `\nRead a secret with: tofu output -raw ecr_aws_secret_access_key (in a real environment's ${credentialsStackName(env)} stack directory)\n`,
      );
    }
  } finally {
    if (!kept) {
      await emulator?.stop();
      if (emulator) log("AWS emulator stopped");
      if (keep) rmSync(SANDBOX, { recursive: true, force: true });
      else rmSync(work, { recursive: true, force: true });
    }
  }
}

async function down(): Promise<number> {
  if (!existsSync(SANDBOX_STATE)) {
    log("no sandbox is running");
    rmSync(SANDBOX, { recursive: true, force: true });
    return 0;
  }
  const { pid } = JSON.parse(readFileSync(SANDBOX_STATE, "utf8")) as { pid: number };
  if (alive(pid)) {
    process.kill(pid, "SIGTERM");
    for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
    if (alive(pid)) process.kill(pid, "SIGKILL");
    log(`AWS emulator (pid ${pid}) stopped`);
  }
  rmSync(SANDBOX, { recursive: true, force: true });
  log("sandbox removed");
  return 0;
}

export async function main(argv: readonly string[]): Promise<number> {
  const [mode, ...rest] = argv;
  if (mode === undefined) return deploy(undefined).then(() => 0);
  if (mode === "down" && rest.length === 0) return down();
  if (mode === "up") {
    const who = rest.length === 0 ? "operator" : rest[0] === "--as" && rest.length === 2 ? rest[1] : undefined;
    if (who && (IDENTITIES as readonly string[]).includes(who)) {
      if (existsSync(SANDBOX_STATE) && alive((JSON.parse(readFileSync(SANDBOX_STATE, "utf8")) as { pid: number }).pid)) {
        log("a sandbox is already up: bash scripts/local.sh down first");
        return 1;
      }
      return deploy({ as: who as Identity }).then(() => 0);
    }
  }
  process.stderr.write(`${USAGE}\n`);
  return 2;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      process.stderr.write(`[local] ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
