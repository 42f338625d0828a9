/**
 * The main job, no AWS account needed: the `local` environment deployed into
 * an AWS emulator on loopback through the cdktf CLI, as an operator deploys
 * any environment (`npx cdktf deploy local local-credentials`).
 *   npm run local                     deploy `local` into the AWS emulator, print its outputs, stop
 *   npm run local -- up [--as WHO]    the same, but leave the emulator and the environment running
 *                                     (a sandbox), and write .local/sandbox.env to `source`
 *   npm run local -- down             stop the sandbox and remove what it left
 * WHO is operator (default: may read state, so ecr-deploy.sh and the doctor's
 * key report work), ecr-user or s3-user (their keys, read from SSM).
 * Secrets go to .local/sandbox.env (mode 600), never to the terminal.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { bootstrapStateKey, credentialsStackName, keyParameterLeaves, ssmPath } from "../environments/naming";
import { initLocal, migrateToBucket, prepareBootstrapWorkdir } from "./lib/bootstrap";
import { AWS_PROVIDER_CONSTRAINT } from "../stacks/platform-app";
import { cdktfEnv, offlineFlags, runCdktf, seedAwsProviderLocks } from "./lib/cdktf-cli";
import type { ServedRegistry } from "./emulator/registry/serve";
import { startEmulator, type Emulator } from "./lib/emulator";
import {
  applyBootstrapUntilBucket,
  emulatorAwsEnv,
  emulatorOperatorEnv,
  emulatorSdkConfig,
  localBootstrapStack,
  localEnvironment,
  synthForEmulator,
} from "./lib/local-run";
import { ENGINE_TUNING, tofuRunner, type TofuResult } from "./lib/tofu";
import { ensureToolchain, PROJECT_ROOT } from "./lib/toolchain";

const log = (msg: string) => process.stderr.write(`[local] ${msg}\n`);
/** PLATFORM_SANDBOX_DIR lets tests keep their sandbox apart from a developer's. */
const SANDBOX = process.env.PLATFORM_SANDBOX_DIR ?? join(PROJECT_ROOT, ".local");
const SANDBOX_STATE = join(SANDBOX, "sandbox.json");
const SANDBOX_ENV = join(SANDBOX, "sandbox.env");
const REGISTRY_STATE = join(SANDBOX, "registry.json");
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

async function stop(pid: number, what: string): Promise<void> {
  if (!alive(pid)) return;
  process.kill(pid, "SIGTERM");
  for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  if (alive(pid)) process.kill(pid, "SIGKILL");
  log(`${what} (pid ${pid}) stopped`);
}

/** Starts the registry stand-in (scripts/emulator/registry) as a process of the sandbox; `down` stops it. */
async function startSandboxRegistry(emulator: Emulator, region: string): Promise<ServedRegistry> {
  const logFd = openSync(join(SANDBOX, "registry.log"), "a");
  const serve = join(PROJECT_ROOT, "dist", "scripts", "emulator", "registry", "serve.js");
  spawn(process.execPath, [serve, "--endpoint", emulator.endpoint, "--ca", emulator.caFile, "--region", region, "--out", REGISTRY_STATE], {
    detached: true,
    stdio: ["ignore", logFd, logFd],
  }).unref();
  for (let i = 0; i < 300 && !existsSync(REGISTRY_STATE); i++) await new Promise((r) => setTimeout(r, 100));
  if (!existsSync(REGISTRY_STATE)) throw new Error(`the registry stand-in did not start (see ${join(SANDBOX, "registry.log")})`);
  const registry = JSON.parse(readFileSync(REGISTRY_STATE, "utf8")) as ServedRegistry;
  log(`ECR registry stand-in on ${registry.hostPort} (pid ${registry.pid})`);
  return registry;
}

async function deploy(keep: { as: Identity } | undefined): Promise<void> {
  const started = Date.now();
  const toolchain = ensureToolchain("main");
  if (!toolchain.awsProviderVersion)
    throw new Error("no hashicorp/aws provider: the Terraform registry does not answer and none is on this machine (README, Requirements)");
  const env = localEnvironment();
  if (keep) mkdirSync(SANDBOX, { recursive: true });
  const work = keep ? SANDBOX : mkdtempSync(join(tmpdir(), "platform-local-"));
  let emulator: (Emulator & { pid: number }) | undefined;
  let bootstrapApply: Awaited<ReturnType<typeof applyBootstrapUntilBucket>> | undefined;
  let kept = false;
  let registry: ServedRegistry | undefined;
  try {
    emulator = await startEmulator(toolchain.motoPython, { log, keepIn: keep ? SANDBOX : undefined });
    if (keep) writeFileSync(SANDBOX_STATE, JSON.stringify({ pid: emulator.pid, endpoint: emulator.endpoint }));
    // The sandbox's registry: an ECR stand-in before the emulator, for `podman push` and co.
    if (keep) registry = await startSandboxRegistry(emulator, env.region);
    const awsEnv = emulatorAwsEnv(emulator, env.region);
    const cliEnv = emulatorOperatorEnv(toolchain, emulator, env.region);

    // The bootstrap first, with a local state until its bucket exists (scripts/lib/bootstrap.ts).
    // It spends ~55 s in the provider's lifecycle-configuration waiter; the environment needs only
    // the state bucket, so it deploys meanwhile.
    const outdir = join(work, "bootstrap.out");
    synthForEmulator(emulator, outdir);
    const tofu = tofuRunner(toolchain, awsEnv, toolchain.engineBin);
    const bootstrap = prepareBootstrapWorkdir(outdir, localBootstrapStack(env), join(work, "bootstrap"));
    log(
      `bootstrap ${bootstrap.stack} with ${toolchain.engineName} ${toolchain.engineVersion}: state bucket ${env.state.bucket}, the account's GitHub OIDC provider`,
    );
    await initLocal(tofu, bootstrap);
    bootstrapApply = await applyBootstrapUntilBucket(tofu, bootstrap, emulator, env);
    if (bootstrapApply.ended) check("bootstrap apply", await bootstrapApply.applied);

    // Without the registry the engine cannot compute the lock's other-platform checksums.
    const deployArgs = ["deploy", env.name, credentialsStackName(env), "--auto-approve", "--parallelism", "1", ...offlineFlags(toolchain)];
    seedAwsProviderLocks(toolchain, join(PROJECT_ROOT, "cdktf.out"), [env.name, credentialsStackName(env)], AWS_PROVIDER_CONSTRAINT);
    log(`npx cdktf ${deployArgs.join(" ")} (state in s3://${env.state.bucket})`);
    const echo = (chunk: string) => process.stdout.write(chunk);
    check("cdktf deploy", await runCdktf(deployArgs, { env: cliEnv, echo }));
    check("bootstrap apply", await bootstrapApply.applied);
    const migrated = await migrateToBucket(tofu, bootstrap);
    log(`bootstrap state moved into s3://${env.state.bucket}/${bootstrapStateKey(env.accountId, env.state.region)} (${(migrated.ms / 1000).toFixed(1)} s)`);
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
        // The emulator's and the registry stand-in's certificates.
        ["AWS_CA_BUNDLE", registry!.caFile],
        ["NODE_EXTRA_CA_CERTS", registry!.caFile],
        // Any OCI client pushes to <account>.dkr.ecr.<region>.amazonaws.com through this proxy
        // (only those hosts go to the stand-in) and trusts the stand-in's certificate.
        ["ECR_REGISTRY_ENDPOINT", registry!.hostPort],
        ["HTTPS_PROXY", registry!.proxyUrl],
        ["NO_PROXY", "127.0.0.1,localhost"],
        ["CONTAINER_CERT_DIR", registry!.certDir],
        // The cdktf CLI, as typed, against the sandbox: the app adds `local`, its backend on the emulator
        // (AWS_ENDPOINT_URL above points its provider there).
        ["PLATFORM_EMULATOR_ENDPOINT", emulator.endpoint],
        ...Object.entries(cdktfEnv(toolchain)).filter(([name]) => !(name in ENGINE_TUNING)),
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
          `then, as against AWS:\n${sandboxHints(env)
            .map((h) => `  ${h}\n`)
            .join("")}` +
          `Stop it with: bash scripts/local.sh down\n`,
      );
      kept = true;
    }
  } finally {
    if (!kept) {
      if (bootstrapApply) {
        bootstrapApply.stop();
        await bootstrapApply.applied;
      }
      // A sandbox that failed to come up leaves nothing running: the registry stand-in runs detached.
      if (registry) await stop(registry.pid, "registry stand-in");
      await emulator?.stop();
      if (emulator) log("AWS emulator stopped");
      if (keep) rmSync(SANDBOX, { recursive: true, force: true });
      else rmSync(work, { recursive: true, force: true });
    }
  }
}

/** The commands the sandbox banner offers, from the project directory; __tests__/e2e/sandbox.test.ts runs each as printed. */
export function sandboxHints(env: { name: string }): string[] {
  return [
    `npx cdktf diff ${env.name}`,
    `npx cdktf output ${env.name}`,
    // Operators only: the keys, into a file of the sandbox (removed by `down`), never on screen.
    `npx cdktf output ${credentialsStackName(env)} --outputs-file ${join(SANDBOX, "credentials.json")} --outputs-file-include-sensitive-outputs`,
    `aws ecr describe-repositories`,
    `npm run doctor -- ${env.name} --online`,
  ];
}

async function down(): Promise<number> {
  if (!existsSync(SANDBOX_STATE)) {
    log("no sandbox is running");
    rmSync(SANDBOX, { recursive: true, force: true });
    return 0;
  }
  if (existsSync(REGISTRY_STATE)) await stop(JSON.parse(readFileSync(REGISTRY_STATE, "utf8")).pid as number, "registry stand-in");
  await stop((JSON.parse(readFileSync(SANDBOX_STATE, "utf8")) as { pid: number }).pid, "AWS emulator");
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
