/**
 * Key rotation without downtime, as an operator walks it: each step is a
 * commit of key-rotation.json, synthesized and applied to the credentials
 * stack of the `local` environment, deployed into an emulator of this suite's
 * own (the rotation changes the keys other suites would be using). The AWS
 * SDK checks which keys exist and authenticate; the online doctor reports them.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { IAMClient, ListAccessKeysCommand } from "@aws-sdk/client-iam";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { credentialsStackName, ecrUserName, keyParameterLeaves, ssmPath } from "../../environments/naming";
import { emulatorAwsEnv, emulatorSdkConfig, synthForEmulatorWithRotation } from "../../scripts/lib/local-run";
import { prepareStackWorkdir, tofuRunner, type StackWorkdir, type TofuRunner } from "../../scripts/lib/tofu";
import { deployLocal, type DeployedLocal } from "../support/deployed-local";
import { doctorOnline as doctorOnlineAt } from "../support/online-doctor";

let local: DeployedLocal;
let work: string;
let tofu: TofuRunner;
let credentials: StackWorkdir;
const timings: Record<string, number> = {};
const env = () => local.env;
const timed = async <T extends { ms: number }>(name: string, p: Promise<T>) => {
  const r = await p;
  timings[name] = r.ms;
  return r;
};
const doctorOnline = (keys: { accessKeyId: string; secretAccessKey: string }) => doctorOnlineAt(env(), local.emulator, keys);

beforeAll(async () => {
  local = await deployLocal();
  work = mkdtempSync(join(tmpdir(), "e2e-rotation-"));
  tofu = tofuRunner(local.toolchain, emulatorAwsEnv(local.emulator, env().region));
  credentials = { stack: credentialsStackName(env()), dir: local.stackDirs[credentialsStackName(env())] };
}, 600_000);

afterAll(async () => {
  await local?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
  process.stderr.write(
    `key-rotation timings (s): deploy=${local?.applySeconds.toFixed(1)} ${Object.entries(timings)
      .map(([k, v]) => `${k}=${(v / 1000).toFixed(1)}`)
      .join(" ")}\n`,
  );
});

describe("key rotation without downtime (two slots, driven by key-rotation.json)", () => {
  const leaves = keyParameterLeaves("ecr");
  const readPair = async () => {
    const ssm = new SSMClient(local.sdk);
    const read = async (leaf: string) => (await ssm.send(new GetParameterCommand({ Name: ssmPath(env(), leaf), WithDecryption: true }))).Parameter!.Value!;
    return { accessKeyId: await read(leaves.accessKeyId), secretAccessKey: await read(leaves.secretAccessKey) };
  };
  const authenticates = async (keys: { accessKeyId: string; secretAccessKey: string }) =>
    new STSClient(emulatorSdkConfig(local.emulator, env().region, keys)).send(new GetCallerIdentityCommand({})).then(
      (r) => r.Arn === `arn:aws:iam::${env().accountId}:user/${ecrUserName(env())}`,
      () => false,
    );
  const keysInIam = async () =>
    ((await new IAMClient(local.sdk).send(new ListAccessKeysCommand({ UserName: ecrUserName(env()) }))).AccessKeyMetadata ?? [])
      .map((k) => [k.AccessKeyId, k.Status])
      .sort();
  /** Synthesizes as a commit with this rotation state would, applies the credentials stack, then asserts a no-op plan. */
  const applyRotation = async (previousKey: "active" | "inactive" | "deleted") => {
    const outdir = join(work, `rotation-${previousKey}`);
    synthForEmulatorWithRotation(local.emulator, outdir, { [env().name]: { ecr: { generation: 2, previousKey } } });
    prepareStackWorkdir(outdir, credentialsStackName(env()), dirname(credentials.dir));
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
    expect((await tofu.run(credentials.dir, ["output", "-raw", "ecr_aws_access_key_id"])).stdout === fresh.accessKeyId).toBe(true);
  });

  it("the online doctor, with operator credentials, reports both keys' age and last use, ids masked", async () => {
    const out = await doctorOnline({ accessKeyId: "testing", secretAccessKey: "testing" });
    const rows = out.stdout.split("\n").filter((l) => l.startsWith(`access key of ${ecrUserName(env())}`));
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
