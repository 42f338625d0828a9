/**
 * The operator's first steps in an empty account, as typed: `npm run bootstrap`
 * (local state, then moved into the bucket it creates), then the cdktf CLI
 * (`cdktf diff|deploy|destroy <stack>`) driving the machine's engine with the
 * real AWS provider against an emulator of this suite's own (the account must
 * start empty). The AWS SDK checks what exists. The rest of the operator's
 * path, `cdktf deploy|diff|output|destroy <env>` on a deployed environment,
 * runs on the shared sandbox (sandbox.test.ts).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeRegistryCommand, ECRClient, GetRegistryScanningConfigurationCommand } from "@aws-sdk/client-ecr";
import {
  GetBucketEncryptionCommand,
  GetBucketLoggingCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { accessLogBucketName, bootstrapStateKey, credentialsStackName, keyParameterLeaves, repositoryName, ssmPath } from "../../environments/naming";
import { startEmulator, type Emulator } from "../../scripts/lib/emulator";
import { emulatorAwsEnv, emulatorOperatorEnv, emulatorSdkConfig, localBootstrapStack, localEnvironment } from "../../scripts/lib/local-run";
import { prepareStackWorkdir, type TofuRunner, type TofuResult } from "../../scripts/lib/tofu";
import { testEngine } from "../support/test-engine";
import { ensureToolchain, PROJECT_ROOT } from "../../scripts/lib/toolchain";
import { offlineFlags, runCdktf } from "../../scripts/lib/cdktf-cli";
import { plainText } from "../support/cli-text";

const env = localEnvironment();
const timings: Record<string, number> = {};
let emulator: Emulator;
let tofu: TofuRunner;
let work: string;
let toolchain: ReturnType<typeof ensureToolchain>;
let bootstrapStack: string;
/** The variables an operator has set: the engine, the emulator's endpoint and CA, credentials. */
let operatorEnv: Record<string, string>;
let sdk: ReturnType<typeof emulatorSdkConfig>;

const timed = async <T extends { ms: number }>(name: string, p: Promise<T>) => {
  const r = await p;
  timings[name] = r.ms;
  return r;
};

/** `npx cdktf <args>` as typed, with this suite's own output directory (other suites run beside it). */
function cdktf(args: readonly string[], outdir = join(work, "cdktf.out")): Promise<TofuResult> {
  return runCdktf([...args, "--output", outdir, ...offlineFlags(toolchain)], { env: operatorEnv });
}
const output = (r: TofuResult) => plainText(r.stdout + r.stderr);

beforeAll(async () => {
  toolchain = ensureToolchain("test");
  if (!toolchain.awsProviderVersion) throw new Error("no hashicorp/aws provider available: see README, Requirements");
  emulator = await startEmulator(toolchain.motoPython);
  sdk = emulatorSdkConfig(emulator, env.region);
  work = mkdtempSync(join(tmpdir(), "e2e-operator-"));
  bootstrapStack = localBootstrapStack(env);
  operatorEnv = { ...emulatorOperatorEnv(toolchain, emulator, env.region), PLATFORM_BOOTSTRAP_DIR: join(work, "bootstrap") };
  // The same engine as the CLI: a state written by a newer Terraform is refused by an older OpenTofu.
  tofu = testEngine(toolchain, emulatorAwsEnv(emulator, env.region), toolchain.engineBin);
}, 180_000);

afterAll(async () => {
  await emulator?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
  process.stderr.write(
    `operator-bootstrap timings (s): ${Object.entries(timings)
      .map(([k, v]) => `${k}=${(v / 1000).toFixed(1)}`)
      .join(" ")}\n`,
  );
});

function runOperatorCommand(script: string, args: readonly string[]): Promise<TofuResult> {
  return new Promise((done) => {
    const began = Date.now();
    const child = spawn(process.execPath, [join(PROJECT_ROOT, "dist", "scripts", `${script}.js`), ...args], { env: { ...process.env, ...operatorEnv } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("close", (code, signal) => done({ code, signal, stdout, stderr, ms: Date.now() - began }));
  });
}

describe("bootstrap (npm run bootstrap: local state first, then moved into its bucket)", () => {
  it("creates the state bucket versioned, encrypted, private and TLS-only", async () => {
    const apply = await timed("bootstrap_apply", runOperatorCommand("bootstrap", [bootstrapStack, "--auto-approve"]));
    if (apply.code !== 0) throw new Error(output(apply));
    expect(apply.stdout).toContain(`From now on: npx cdktf diff ${bootstrapStack} / npx cdktf deploy ${bootstrapStack}`);
    const s3 = new S3Client(sdk);
    const Bucket = env.state.bucket;
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket }))).Status).toBe("Enabled");
    expect(
      (await s3.send(new GetBucketEncryptionCommand({ Bucket }))).ServerSideEncryptionConfiguration?.Rules?.[0].ApplyServerSideEncryptionByDefault
        ?.SSEAlgorithm,
    ).toBe("aws:kms");
    expect((await s3.send(new GetPublicAccessBlockCommand({ Bucket }))).PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    const policy = JSON.parse((await s3.send(new GetBucketPolicyCommand({ Bucket }))).Policy!);
    expect(policy.Statement[0]).toMatchObject({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } });
    // Who read or wrote which state: server access logs into a log bucket of its own, encrypted the one way S3 delivers to.
    expect((await s3.send(new GetBucketLoggingCommand({ Bucket }))).LoggingEnabled).toMatchObject({
      TargetBucket: accessLogBucketName(Bucket),
      TargetPrefix: `${Bucket}/`,
    });
    const logs = accessLogBucketName(Bucket);
    expect(
      (await s3.send(new GetBucketEncryptionCommand({ Bucket: logs }))).ServerSideEncryptionConfiguration?.Rules?.[0].ApplyServerSideEncryptionByDefault
        ?.SSEAlgorithm,
    ).toBe("AES256");
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: logs }))).Status).toBe("Enabled");
  });

  it("sets the registry's scanning (Inspector, continuous) and replication as configured", async () => {
    const ecr = new ECRClient(sdk);
    const { scanningConfiguration } = await ecr.send(new GetRegistryScanningConfigurationCommand({}));
    const registry = env.ecr.registry!;
    expect(scanningConfiguration?.scanType).toBe(registry.scanType);
    expect(scanningConfiguration?.rules?.map((r) => [r.scanFrequency, r.repositoryFilters?.map((f) => f.filter)])).toEqual([
      [registry.scanFrequency, registry.scanFilters],
    ]);
    const { replicationConfiguration } = await ecr.send(new DescribeRegistryCommand({}));
    expect(replicationConfiguration?.rules?.[0].destinations).toEqual(
      registry.replicateTo!.map((d) => ({ region: d.region, registryId: d.accountId ?? env.accountId })),
    );
    expect(replicationConfiguration?.rules?.[0].repositoryFilters?.map((f) => f.filter).sort()).toEqual(env.services.map((s) => repositoryName(env, s)).sort());
  });

  it("its state is in its bucket and nowhere else; run again, the command says so", async () => {
    const s3 = new S3Client(sdk);
    await expect(s3.send(new HeadObjectCommand({ Bucket: env.state.bucket, Key: bootstrapStateKey(env.accountId, env.state.region) }))).resolves.toBeDefined();
    expect(existsSync(join(operatorEnv.PLATFORM_BOOTSTRAP_DIR, bootstrapStack))).toBe(false);
    const again = await runOperatorCommand("bootstrap", [bootstrapStack, "--auto-approve"]);
    expect({ code: again.code, said: again.stdout.trim() }).toEqual({
      code: 0,
      said: `${bootstrapStack}: its state is already in its bucket. Use \`npx cdktf diff ${bootstrapStack}\` and \`npx cdktf deploy ${bootstrapStack}\`.`,
    });
  });

  it("a second operator (fresh checkout, no local file) plans it with cdktf: no changes", async () => {
    const diff = await timed("bootstrap_diff", cdktf(["diff", bootstrapStack], join(work, "second-checkout", "cdktf.out")));
    if (diff.code !== 0) throw new Error(output(diff));
    expect(output(diff)).toMatch(/No changes\. Your infrastructure matches the configuration/);
  });
});

describe("order between an environment's stacks", () => {
  it("cdktf deploy of the credentials before the environment fails at plan, naming the command to run, and creates nothing", async () => {
    const early = await cdktf(["deploy", credentialsStackName(env), "--auto-approve"]);
    expect(early.code).not.toBe(0);
    expect(output(early)).toContain(`Run \`cdktf deploy ${env.name}\` first`);
    const ssm = new SSMClient(sdk);
    await expect(ssm.send(new GetParameterCommand({ Name: ssmPath(env, keyParameterLeaves("ecr").accessKeyId) }))).rejects.toThrow();
  });
});
describe("the bootstrap stays", () => {
  it("cdktf destroy of the bootstrap is refused: the state bucket keeps the state", async () => {
    const destroy = await cdktf(["destroy", bootstrapStack, "--auto-approve"]);
    expect(destroy.code).not.toBe(0);
    const refusal = /Instance cannot be destroyed[\s\S]*lifecycle\.prevent_destroy/;
    // cdktf sometimes stops relaying the engine's output before its last lines: then the reason comes from the engine itself.
    if (!refusal.test(output(destroy))) {
      // The stack as cdktf destroy synthesized it.
      const copy = prepareStackWorkdir(join(work, "cdktf.out"), bootstrapStack, join(work, "run"));
      expect((await tofu.run(copy.dir, ["init", "-input=false", "-no-color"])).code).toBe(0);
      const plan = await timed("refusal_from_engine", tofu.run(copy.dir, ["plan", "-destroy", "-input=false", "-no-color", "-lock=false"]));
      expect({ code: plan.code, reason: refusal.test(plan.stderr) }).toEqual({ code: 1, reason: true });
    }
    const s3 = new S3Client(sdk);
    await expect(s3.send(new HeadBucketCommand({ Bucket: env.state.bucket }))).resolves.toBeDefined();
    await expect(s3.send(new HeadObjectCommand({ Bucket: env.state.bucket, Key: bootstrapStateKey(env.accountId, env.state.region) }))).resolves.toBeDefined();
  });
});
