/**
 * What needs an account of its own (an emulator and a bootstrap of this suite's own; the shared
 * sandbox's environment is already deployed, and its keys are in use by other suites), in one
 * account, one after the other:
 *  - faults of an apply: an apply interrupted midway (Ctrl-C, a cancelled CI job) and a second
 *    apply while the first holds the lock;
 *  - key rotation without downtime, as an operator walks it: each step a commit of
 *    key-rotation.json, synthesized and applied to the credentials stack.
 * The engine runs directly on the `local` stacks as synthesized; remote state and the S3 lock file
 * are in the emulator's S3. The AWS SDK checks what exists; the online doctor reports the keys.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { DescribeKeyCommand, KMSClient, ListKeysCommand } from "@aws-sdk/client-kms";
import { IAMClient, ListAccessKeysCommand } from "@aws-sdk/client-iam";
import { HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { credentialsStackName, ecrUserName, keyParameterLeaves, siblingStateKey, ssmPath } from "../../environments/naming";
import { initLocal, prepareBootstrapWorkdir } from "../../scripts/lib/bootstrap";
import { startEmulator, type Emulator } from "../../scripts/lib/emulator";
import {
  applyBootstrapUntilBucket,
  emulatorAwsEnv,
  emulatorSdkConfig,
  localBootstrapStack,
  localEnvironment,
  synthForEmulator,
  synthForEmulatorWithRotation,
} from "../../scripts/lib/local-run";
import { prepareStackWorkdir, type StackWorkdir, type TofuResult, type TofuRunner } from "../../scripts/lib/tofu";
import { testEngine } from "../support/test-engine";
import { ensureToolchain } from "../../scripts/lib/toolchain";
import { doctorOnline as doctorOnlineAt } from "../support/online-doctor";
import { localState, managedInstances, remoteState, type StateFile } from "../support/state-file";

const env = localEnvironment();
const timings: Record<string, number> = {};
let emulator: Emulator;
let sdk: ReturnType<typeof emulatorSdkConfig>;
let work: string;
let tofu: TofuRunner;
let stack: StackWorkdir;
let bootstrap: StackWorkdir;
/** The bootstrap's first apply: the suite starts once its state bucket exists, and awaits the rest where it matters. */
let bootstrapApply: Awaited<ReturnType<typeof applyBootstrapUntilBucket>>;
let bootstrapApplied: Promise<TofuResult>;
let expectedResources: number;
let outdir: string;

const timed = async <T extends { ms: number }>(name: string, p: Promise<T>) => {
  const r = await p;
  timings[name] = r.ms;
  return r;
};

async function waitFor(predicate: () => boolean, what: string, ms = 120_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  const toolchain = ensureToolchain("test");
  if (!toolchain.awsProviderVersion) throw new Error("no hashicorp/aws provider available: see README, Requirements");
  emulator = await startEmulator(toolchain.motoPython);
  sdk = emulatorSdkConfig(emulator, env.region);
  work = mkdtempSync(join(tmpdir(), "e2e-faults-"));
  outdir = join(work, "cdktf.out");
  synthForEmulator(emulator, outdir);
  tofu = testEngine(toolchain, emulatorAwsEnv(emulator, env.region), toolchain.engineBin);
  // The state bucket first, as an operator's bootstrap makes it (its own state stays local here).
  // As the main job does, the suite goes on once the bucket exists, while the apply waits on the
  // provider's lifecycle-configuration waiter.
  bootstrap = prepareBootstrapWorkdir(outdir, localBootstrapStack(env), join(work, "run"));
  await initLocal(tofu, bootstrap);
  const began = Date.now();
  bootstrapApply = await applyBootstrapUntilBucket(tofu, bootstrap, emulator, env);
  bootstrapApplied = bootstrapApply.applied.then((r) => {
    timings.bootstrap_apply = Date.now() - began;
    if (r.code !== 0) throw new Error(`bootstrap apply failed:\n${r.stderr.slice(-3000)}`);
    return r;
  });
  // Reported where it is awaited; never an unhandled rejection meanwhile.
  bootstrapApplied.catch(() => undefined);
  stack = prepareStackWorkdir(outdir, env.name, join(work, "run"));
  expectedResources = Object.values(JSON.parse(readFileSync(join(stack.dir, "cdk.tf.json"), "utf8")).resource as Record<string, object>).reduce(
    (n, byName) => n + Object.keys(byName).length,
    0,
  );
}, 300_000);

afterAll(async () => {
  bootstrapApply?.stop();
  await bootstrapApply?.applied;
  await emulator?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
  process.stderr.write(
    `faults-and-rotation timings (s): ${Object.entries(timings)
      .map(([k, v]) => `${k}=${(v / 1000).toFixed(1)}`)
      .join(" ")}\n`,
  );
});

describe("deploy with faults", () => {
  it("an apply interrupted midway (Ctrl-C, a cancelled CI job) stops cleanly: partial state saved, lock released", async () => {
    expect((await timed("init", tofu.run(stack.dir, ["init", "-input=false", "-no-color"]))).code).toBe(0);
    const run = tofu.start(stack.dir, ["apply", "-auto-approve", "-input=false", "-no-color"]);
    run.child.stdin!.end();
    // Interrupt while the KMS key is still being created: other resources are done, the key is in flight.
    await waitFor(() => /aws_kms_key\.[^:]+: Still creating/.test(run.output()), "the KMS key creation to be in flight");
    run.child.kill("SIGINT");
    const result = await run.result;
    expect(result.code).not.toBe(0);
    expect(result.stdout + result.stderr).toMatch(/Interrupt received|Stopping operation/);
    const s3 = new S3Client(sdk);
    await expect(s3.send(new HeadObjectCommand({ Bucket: env.state.bucket, Key: env.state.key }))).resolves.toBeDefined();
    await expect(s3.send(new HeadObjectCommand({ Bucket: env.state.bucket, Key: `${env.state.key}.tflock` }))).rejects.toThrow();
    const inState = managedInstances(await remoteState(sdk, env.state.bucket, env.state.key)).length;
    expect(inState).toBeGreaterThanOrEqual(3);
    expect(inState).toBeLessThan(expectedResources);
  });

  it("a second apply while the first holds the lock fails on the lock and changes nothing; the first then converges", async () => {
    const s3 = new S3Client(sdk);
    const stateBefore = await s3.send(new HeadObjectCommand({ Bucket: env.state.bucket, Key: env.state.key }));
    const first = tofu.start(stack.dir, ["apply", "-no-color"], { env: { TF_INPUT: "1" } });
    await waitFor(() => first.output().includes("Enter a value:"), "the first apply to wait for approval");
    await expect(s3.send(new HeadObjectCommand({ Bucket: env.state.bucket, Key: `${env.state.key}.tflock` }))).resolves.toBeDefined();

    const second = await tofu.run(stack.dir, ["apply", "-auto-approve", "-input=false", "-lock-timeout=2s", "-no-color"]);
    expect({ code: second.code, lockError: /Error acquiring the state lock/.test(second.stderr) }).toEqual({ code: 1, lockError: true });
    const stateDuring = await s3.send(new HeadObjectCommand({ Bucket: env.state.bucket, Key: env.state.key }));
    expect(stateDuring.ETag).toBe(stateBefore.ETag);

    first.child.stdin!.end("yes\n");
    const converged = await first.result;
    timings.apply_after_interrupt = converged.ms;
    expect({ code: converged.code, stderr: converged.stderr }).toEqual({ code: 0, stderr: "" });
    expect(converged.stdout).toMatch(/Apply complete!/);
    expect(managedInstances(await remoteState(sdk, env.state.bucket, env.state.key))).toHaveLength(expectedResources);
    await expect(s3.send(new HeadObjectCommand({ Bucket: env.state.bucket, Key: `${env.state.key}.tflock` }))).rejects.toThrow();
    // The KMS key that was in flight when the first apply was interrupted is in state, not orphaned in the account.
    await bootstrapApplied;
    const kms = new KMSClient(sdk);
    let liveCustomerKeys = 0;
    for (const k of (await kms.send(new ListKeysCommand({}))).Keys ?? []) {
      const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: k.KeyId! }));
      if (KeyMetadata!.KeyManager === "CUSTOMER" && KeyMetadata!.KeyState !== "PendingDeletion") liveCustomerKeys++;
    }
    const keysIn = (state: StateFile) => managedInstances(state).filter((a) => a.startsWith("aws_kms_key.")).length;
    expect(liveCustomerKeys).toBe(
      keysIn(await remoteState(sdk, env.state.bucket, env.state.key)) + keysIn(localState(join(bootstrap.dir, "terraform.tfstate"))),
    );
  });
});

const doctorOnline = (keys: { accessKeyId: string; secretAccessKey: string }) => doctorOnlineAt(env, emulator, keys);

describe("key rotation without downtime (two slots, driven by key-rotation.json), once the environment has converged", () => {
  const leaves = keyParameterLeaves("ecr");
  let credentials: StackWorkdir;
  beforeAll(async () => {
    // The faults above leave the environment deployed. Run alone (`-t rotation`) or after one of them failed, it is
    // deployed here: the credentials stack plans only once the environment's state exists.
    const deployed = await remoteState(sdk, env.state.bucket, env.state.key).then(managedInstances, () => []);
    if (deployed.length < expectedResources) {
      expect((await tofu.run(stack.dir, ["init", "-input=false", "-no-color"])).code).toBe(0);
      const environment = await tofu.run(stack.dir, ["apply", "-auto-approve", "-input=false", "-no-color"]);
      if (environment.code !== 0) throw new Error(`apply of ${stack.stack} failed:\n${environment.stderr.slice(-3000)}`);
    }
    credentials = prepareStackWorkdir(outdir, credentialsStackName(env), join(work, "run"));
    expect((await tofu.run(credentials.dir, ["init", "-input=false", "-no-color"])).code).toBe(0);
    const applied = await timed("credentials_apply", tofu.run(credentials.dir, ["apply", "-auto-approve", "-input=false", "-no-color"]));
    if (applied.code !== 0) throw new Error(`apply of ${credentials.stack} failed:\n${applied.stderr.slice(-3000)}`);
  }, 300_000);
  const readPair = async () => {
    const ssm = new SSMClient(sdk);
    const read = async (leaf: string) => (await ssm.send(new GetParameterCommand({ Name: ssmPath(env, leaf), WithDecryption: true }))).Parameter!.Value!;
    return { accessKeyId: await read(leaves.accessKeyId), secretAccessKey: await read(leaves.secretAccessKey) };
  };
  const authenticates = async (keys: { accessKeyId: string; secretAccessKey: string }) =>
    new STSClient(emulatorSdkConfig(emulator, env.region, keys)).send(new GetCallerIdentityCommand({})).then(
      (r) => r.Arn === `arn:aws:iam::${env.accountId}:user/${ecrUserName(env)}`,
      () => false,
    );
  const keysInIam = async () =>
    ((await new IAMClient(sdk).send(new ListAccessKeysCommand({ UserName: ecrUserName(env) }))).AccessKeyMetadata ?? [])
      .map((k) => [k.AccessKeyId, k.Status])
      .sort();
  /** Synthesizes as a commit with this rotation state would, applies the credentials stack, then asserts a no-op plan. */
  const applyRotation = async (previousKey: "active" | "inactive" | "deleted") => {
    const rotationOut = join(work, `rotation-${previousKey}`);
    synthForEmulatorWithRotation(emulator, rotationOut, { [env.name]: { ecr: { generation: 2, previousKey } } });
    prepareStackWorkdir(rotationOut, credentialsStackName(env), dirname(credentials.dir));
    const apply = await timed(`rotation_${previousKey}_apply`, tofu.run(credentials.dir, ["apply", "-auto-approve", "-input=false", "-no-color"]));
    expect({ code: apply.code, stderr: apply.stderr }).toEqual({ code: 0, stderr: "" });
    const plan = await tofu.run(credentials.dir, ["plan", "-detailed-exitcode", "-input=false", "-no-color"]);
    expect({ code: plan.code, stderr: plan.stderr }).toEqual({ code: 0, stderr: "" });
  };
  let old: { accessKeyId: string; secretAccessKey: string };
  let fresh: { accessKeyId: string; secretAccessKey: string };

  it("rotate: SSM and the outputs hold a new key, and during the overlap both keys authenticate", async () => {
    old = await readPair();
    await applyRotation("active");
    fresh = await readPair();
    expect(fresh.accessKeyId).not.toBe(old.accessKeyId);
    expect(await authenticates(old)).toBe(true);
    expect(await authenticates(fresh)).toBe(true);
    expect(await keysInIam()).toEqual(
      [
        [old.accessKeyId, "Active"],
        [fresh.accessKeyId, "Active"],
      ].sort(),
    );
    expect((await remoteState(sdk, env.state.bucket, siblingStateKey(env, "credentials"))).outputs?.ecr_aws_access_key_id?.value === fresh.accessKeyId).toBe(
      true,
    );
  });

  it("the online doctor, with operator credentials, reports both keys' age and last use, ids masked", async () => {
    const out = await doctorOnline({ accessKeyId: "testing", secretAccessKey: "testing" });
    const rows = out.stdout.split("\n").filter((l) => l.startsWith(`access key of ${ecrUserName(env)}`));
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row).toMatch(/\s+ok\s+\w{4}…\w{4} Active, 0 days old, (never used|last used \d{4}-\d{2}-\d{2})/);
    expect(out.stdout).not.toContain(fresh.accessKeyId);
    expect(out.stdout).not.toContain(fresh.secretAccessKey);
  });

  it("retire: the previous key is deactivated and no longer authenticates; the new one still does", async () => {
    await applyRotation("inactive");
    expect(await authenticates(old)).toBe(false);
    expect(await authenticates(fresh)).toBe(true);
    expect(await keysInIam()).toEqual(
      [
        [old.accessKeyId, "Inactive"],
        [fresh.accessKeyId, "Active"],
      ].sort(),
    );
  });

  it("retire again: the previous key is deleted; SSM still holds the new one", async () => {
    await applyRotation("deleted");
    expect(await keysInIam()).toEqual([[fresh.accessKeyId, "Active"]]);
    expect(await authenticates(old)).toBe(false);
    expect((await readPair()).accessKeyId).toBe(fresh.accessKeyId);
  });
});
