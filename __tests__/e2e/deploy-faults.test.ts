/**
 * Faults of an apply, on an account of this suite's own (an emulator and a
 * bootstrap of its own, so that it runs beside the operator's path in
 * local-environment.test.ts): an apply interrupted midway (Ctrl-C, a cancelled
 * CI job) and a second apply while the first holds the lock. The engine runs
 * directly on the `local` stack as synthesized; remote state and the S3 lock
 * file are in the emulator's S3.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeKeyCommand, KMSClient, ListKeysCommand } from "@aws-sdk/client-kms";
import { HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { initLocal, prepareBootstrapWorkdir } from "../../scripts/lib/bootstrap";
import { startEmulator, type Emulator } from "../../scripts/lib/emulator";
import { emulatorAwsEnv, emulatorSdkConfig, localBootstrapStack, localEnvironment, synthForEmulator } from "../../scripts/lib/local-run";
import { prepareStackWorkdir, tofuRunner, type StackWorkdir, type TofuRunner } from "../../scripts/lib/tofu";
import { ensureToolchain } from "../../scripts/lib/toolchain";

const env = localEnvironment();
const timings: Record<string, number> = {};
let emulator: Emulator;
let sdk: ReturnType<typeof emulatorSdkConfig>;
let work: string;
let tofu: TofuRunner;
let stack: StackWorkdir;
let bootstrap: StackWorkdir;
let expectedResources: number;

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
  const outdir = join(work, "cdktf.out");
  synthForEmulator(emulator, outdir);
  tofu = tofuRunner(toolchain, emulatorAwsEnv(emulator, env.region), toolchain.engineBin);
  // The state bucket first, as an operator's bootstrap makes it (its own state stays local here).
  bootstrap = prepareBootstrapWorkdir(outdir, localBootstrapStack(env), join(work, "run"));
  await initLocal(tofu, bootstrap);
  const applied = await timed("bootstrap_apply", tofu.run(bootstrap.dir, ["apply", "-auto-approve", "-input=false", "-no-color"]));
  if (applied.code !== 0) throw new Error(`bootstrap apply failed:\n${applied.stderr.slice(-3000)}`);
  stack = prepareStackWorkdir(outdir, env.name, join(work, "run"));
  expectedResources = Object.values(JSON.parse(readFileSync(join(stack.dir, "cdk.tf.json"), "utf8")).resource as Record<string, object>).reduce(
    (n, byName) => n + Object.keys(byName).length,
    0,
  );
}, 300_000);

afterAll(async () => {
  await emulator?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
  process.stderr.write(
    `deploy-faults timings (s): ${Object.entries(timings)
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
    const listed = await tofu.run(stack.dir, ["state", "list"]);
    const inState = listed.stdout.trim().split("\n").filter(Boolean).length;
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
    const listed = await tofu.run(stack.dir, ["state", "list"]);
    expect(listed.stdout.trim().split("\n")).toHaveLength(expectedResources);
    await expect(s3.send(new HeadObjectCommand({ Bucket: env.state.bucket, Key: `${env.state.key}.tflock` }))).rejects.toThrow();
    // The KMS key that was in flight when the first apply was interrupted is in state, not orphaned in the account.
    const kms = new KMSClient(sdk);
    let liveCustomerKeys = 0;
    for (const k of (await kms.send(new ListKeysCommand({}))).Keys ?? []) {
      const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: k.KeyId! }));
      if (KeyMetadata!.KeyManager === "CUSTOMER" && KeyMetadata!.KeyState !== "PendingDeletion") liveCustomerKeys++;
    }
    const keysIn = async (dir: string) => (await tofu.run(dir, ["state", "list"])).stdout.split("\n").filter((l) => l.startsWith("aws_kms_key.")).length;
    expect(liveCustomerKeys).toBe((await keysIn(stack.dir)) + (await keysIn(bootstrap.dir)));
  });
});
