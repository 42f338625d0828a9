/**
 * The operator's path for real: `npm run bootstrap`, then the cdktf CLI as
 * typed (`cdktf deploy|diff|output|destroy <stack>`) drives the machine's
 * engine with the real AWS provider against the AWS emulator (remote state
 * and S3 lock file in the emulator's S3); the AWS SDK checks what exists.
 * Tests run in order and share one emulator. Faults of an apply
 * (deploy-faults.test.ts) and key rotation (key-rotation.test.ts) have suites
 * and emulators of their own, so that they run beside this one.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import {
  DescribeRegistryCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetLifecyclePolicyCommand,
  GetRegistryScanningConfigurationCommand,
  GetRepositoryPolicyCommand,
} from "@aws-sdk/client-ecr";
import { DescribeRuleCommand, EventBridgeClient } from "@aws-sdk/client-eventbridge";
import {
  GetGroupCommand,
  GetGroupPolicyCommand,
  GetOpenIDConnectProviderCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserCommand,
  IAMClient,
  ListAttachedGroupPoliciesCommand,
  ListGroupPoliciesCommand,
  ListGroupsForUserCommand,
  ListAccessKeysCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListRolePoliciesCommand,
  ListUserPoliciesCommand,
} from "@aws-sdk/client-iam";
import { DescribeKeyCommand, GetKeyRotationStatusCommand, KMSClient, ListAliasesCommand, ListKeysCommand } from "@aws-sdk/client-kms";
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
import { DescribeParametersCommand, GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import {
  accessLogBucketName,
  bootstrapStateKey,
  credentialsStackName,
  registryHost,
  deployRoleName,
  ecrUserName,
  githubOidcProviderArn,
  githubRepositoryRef,
  keyParameterLeaves,
  kmsAliasName,
  planRoleName,
  repositoryName,
  runtimePullRoleName,
  s3UserName,
  scanLogGroupName,
  scanRuleName,
  ssmPath,
} from "../../environments/naming";
import { renderLifecyclePolicy, standardLifecycleRules } from "../../constructs/lifecycle-policy";
import { renderPolicy } from "../../constructs/policy-document";
import { githubTrustPolicy } from "../../constructs/github-oidc";
import { deployRolePolicy, ecrUserPolicy, planRolePolicy, runtimePullPolicy, runtimePullTrustPolicy, s3UserPolicy } from "../../stacks/platform-policies";
import { startEmulator, type Emulator } from "../../scripts/lib/emulator";
import { emulatorAwsEnv, emulatorSdkConfig, localBootstrapStack, localEnvironment, synthForEmulator } from "../../scripts/lib/local-run";
import { prepareStackWorkdir, tofuRunner, type TofuRunner, type StackWorkdir, type TofuResult } from "../../scripts/lib/tofu";
import { ensureToolchain, PROJECT_ROOT } from "../../scripts/lib/toolchain";
import { cdktfEnv, offlineFlags, runCdktf } from "../../scripts/lib/cdktf-cli";
import { plainText } from "../support/cli-text";
import { doctorOnline as doctorOnlineAt } from "../support/online-doctor";

const env = localEnvironment();
const timings: Record<string, number> = {};
let emulator: Emulator;
let tofu: TofuRunner;
let work: string;
let stack: StackWorkdir;
/** The environment's long-lived secrets: access keys and their SSM parameters. */
let credentials: StackWorkdir;
let toolchain: ReturnType<typeof ensureToolchain>;
let bootstrapStack: string;
/** The variables an operator has set: the engine, the emulator's endpoint and CA, credentials. */
let operatorEnv: Record<string, string>;
let expectedResources: number;
let sdk: ReturnType<typeof emulatorSdkConfig>;

const jsonOf = (doc: string | undefined) => JSON.parse(decodeURIComponent(doc ?? "null"));
const normalize = (policyJson: string) => JSON.parse(policyJson);
const timed = async <T extends { ms: number }>(name: string, p: Promise<T>) => {
  const r = await p;
  timings[name] = r.ms;
  return r;
};

let ecrKeys: { accessKeyId: string; secretAccessKey: string } | undefined;
async function ecrUserKeys() {
  if (!ecrKeys) {
    const ssm = new SSMClient(sdk);
    const read = async (leaf: string) => (await ssm.send(new GetParameterCommand({ Name: ssmPath(env, leaf), WithDecryption: true }))).Parameter!.Value!;
    ecrKeys = { accessKeyId: await read("ecr-aws-access-key-id"), secretAccessKey: await read("ecr-aws-secret-access-key") };
  }
  return ecrKeys;
}

const doctorOnline = (keys: { accessKeyId: string; secretAccessKey: string }) => doctorOnlineAt(env, emulator, keys);

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
  work = mkdtempSync(join(tmpdir(), "e2e-"));
  bootstrapStack = localBootstrapStack(env);
  operatorEnv = {
    ...cdktfEnv(toolchain),
    ...emulatorAwsEnv(emulator, env.region),
    PLATFORM_EMULATOR_ENDPOINT: emulator.endpoint,
    PLATFORM_BOOTSTRAP_DIR: join(work, "bootstrap"),
  };
  // The engine-level steps (faults, rotation) run on copies of the same synthesized stacks.
  const outdir = join(work, "engine.out");
  synthForEmulator(emulator, outdir);
  stack = prepareStackWorkdir(outdir, env.name, join(work, "run"));
  credentials = prepareStackWorkdir(outdir, credentialsStackName(env), join(work, "run"));
  expectedResources = Object.values(JSON.parse(readFileSync(join(stack.dir, "cdk.tf.json"), "utf8")).resource as Record<string, object>).reduce(
    (n, byName) => n + Object.keys(byName).length,
    0,
  );
  // The same engine as the CLI: a state written by a newer Terraform is refused by an older OpenTofu.
  tofu = tofuRunner(toolchain, emulatorAwsEnv(emulator, env.region), toolchain.engineBin);
}, 180_000);

afterAll(async () => {
  await emulator?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
  const report = join(PROJECT_ROOT, ".e2e");
  mkdirSync(report, { recursive: true });
  writeFileSync(join(report, "timings.json"), JSON.stringify({ seconds: Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, v / 1000])) }, null, 2));
  process.stderr.write(
    `e2e timings (s): ${Object.entries(timings)
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
    expect(scanningConfiguration?.scanType).toBe("ENHANCED");
    expect(scanningConfiguration?.rules?.map((r) => [r.scanFrequency, r.repositoryFilters?.map((f) => f.filter)])).toEqual([["CONTINUOUS_SCAN", ["*"]]]);
    const { replicationConfiguration } = await ecr.send(new DescribeRegistryCommand({}));
    expect(replicationConfiguration?.rules?.[0].destinations).toEqual([{ region: "us-west-2", registryId: env.accountId }]);
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

describe("deploy", () => {
  it("cdktf deploy applies the environment (every resource in its remote state), and cdktf diff then reports no changes", async () => {
    const deploy = await timed("cdktf_deploy", cdktf(["deploy", env.name, "--auto-approve"]));
    if (deploy.code !== 0) throw new Error(output(deploy));
    expect((await timed("init", tofu.run(stack.dir, ["init", "-input=false", "-no-color"]))).code).toBe(0);
    const listed = await tofu.run(stack.dir, ["state", "list"]);
    expect(
      listed.stdout
        .trim()
        .split("\n")
        .filter((l) => !l.startsWith("data.")),
    ).toHaveLength(expectedResources);
    const diff = await timed("cdktf_diff", cdktf(["diff", env.name]));
    if (diff.code !== 0) throw new Error(output(diff));
    expect(output(diff)).toMatch(/No changes\. Your infrastructure matches the configuration/);
  });

  it("cdktf deploy of the credentials stack (keys and SSM parameters) applies after it; cdktf diff then reports no changes", async () => {
    const apply = await timed("cdktf_deploy_credentials", cdktf(["deploy", credentialsStackName(env), "--auto-approve"]));
    if (apply.code !== 0) throw new Error(output(apply));
    expect((await tofu.run(credentials.dir, ["init", "-input=false", "-no-color"])).code).toBe(0);
    const diff = await cdktf(["diff", credentialsStackName(env)]);
    expect(output(diff)).toMatch(/No changes\. Your infrastructure matches the configuration/);
  });
});

describe("cdktf output: what teams consume, and the keys for operators only", () => {
  it("cdktf output <env> prints the repositories, roles and registry", async () => {
    const out = await cdktf(["output", env.name]);
    if (out.code !== 0) throw new Error(output(out));
    for (const svc of env.services) expect(out.stdout).toContain(`${registryHost(env)}/${repositoryName(env, svc)}`);
    expect(out.stdout).toContain(`role/${deployRoleName(env)}`);
  });

  it("cdktf output <env>-credentials masks the keys on screen; the outputs file an operator asks for holds the SSM values", async () => {
    const file = join(work, "credentials.json");
    const out = await cdktf(["output", credentialsStackName(env), "--outputs-file", file, "--outputs-file-include-sensitive-outputs"]);
    if (out.code !== 0) throw new Error(output(out));
    const keys = await ecrUserKeys();
    expect(output(out)).not.toContain(keys.secretAccessKey);
    expect(output(out)).toMatch(/ecr_aws_secret_access_key = <sensitive>/);
    const written = JSON.parse(readFileSync(file, "utf8"))[credentialsStackName(env)];
    expect({ id: written.ecr_aws_access_key_id, secret: written.ecr_aws_secret_access_key === keys.secretAccessKey }).toEqual({
      id: keys.accessKeyId,
      secret: true,
    });
  });
});

describe("what AWS holds after the deploy", () => {
  it("each repository exists with the configured mutability, scan setting and KMS encryption", async () => {
    const ecr = new ECRClient(sdk);
    const names = env.services.map((s) => repositoryName(env, s));
    const { repositories } = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: names }));
    const kms = new KMSClient(sdk);
    const alias = (await kms.send(new ListAliasesCommand({}))).Aliases!.find((a) => a.AliasName === kmsAliasName(env))!;
    const key = await kms.send(new DescribeKeyCommand({ KeyId: alias.TargetKeyId! }));
    expect(
      repositories!.map((r) => [r.repositoryName, r.imageTagMutability, r.imageScanningConfiguration?.scanOnPush, r.encryptionConfiguration]).sort(),
    ).toEqual(names.sort().map((n) => [n, env.ecr.tagMutability, true, { encryptionType: "KMS", kmsKey: key.KeyMetadata!.Arn }]));
    expect((await kms.send(new GetKeyRotationStatusCommand({ KeyId: alias.TargetKeyId! }))).KeyRotationEnabled).toBe(true);
  });

  it("the lifecycle policy in AWS equals the one in config", async () => {
    const ecr = new ECRClient(sdk);
    const expected = JSON.parse(
      renderLifecyclePolicy(
        standardLifecycleRules({
          taggedPrefixes: env.ecr.taggedPrefixes,
          keepLast: env.ecr.imageRetentionCount,
          untaggedExpiryDays: env.ecr.untaggedExpiryDays,
        }),
      ),
    );
    for (const s of env.services) {
      const { lifecyclePolicyText } = await ecr.send(new GetLifecyclePolicyCommand({ repositoryName: repositoryName(env, s) }));
      expect(JSON.parse(lifecyclePolicyText!)).toEqual(expected);
    }
  });

  it("the repository policy lets the cross-account principal pull, nothing more", async () => {
    const ecr = new ECRClient(sdk);
    const { policyText } = await ecr.send(new GetRepositoryPolicyCommand({ repositoryName: repositoryName(env, env.services[0]) }));
    const [st] = JSON.parse(policyText!).Statement;
    expect(st.Principal).toEqual({ AWS: ["arn:aws:iam::444455556666:root"] });
    expect(st.Action).toEqual(["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]);
  });

  it.each([
    ["ECR", ecrUserName(env), () => ecrUserPolicy(env)],
    ["S3", s3UserName(env), () => s3UserPolicy(env)],
  ] as const)("the %s user has no policy of its own, only its group's one policy, and is that group's only member", async (_kind, userName, policy) => {
    const iam = new IAMClient(sdk);
    await expect(iam.send(new GetUserCommand({ UserName: userName }))).resolves.toBeDefined();
    expect((await iam.send(new ListUserPoliciesCommand({ UserName: userName }))).PolicyNames).toEqual([]);
    expect((await iam.send(new ListAttachedUserPoliciesCommand({ UserName: userName }))).AttachedPolicies).toEqual([]);
    expect((await iam.send(new ListGroupsForUserCommand({ UserName: userName }))).Groups!.map((g) => g.GroupName)).toEqual([userName]);
    expect((await iam.send(new GetGroupCommand({ GroupName: userName }))).Users!.map((u) => u.UserName)).toEqual([userName]);
    const { PolicyNames } = await iam.send(new ListGroupPoliciesCommand({ GroupName: userName }));
    expect(PolicyNames).toEqual([`${userName}-least-privilege`]);
    expect((await iam.send(new ListAttachedGroupPoliciesCommand({ GroupName: userName }))).AttachedPolicies).toEqual([]);
    const doc = await iam.send(new GetGroupPolicyCommand({ GroupName: userName, PolicyName: PolicyNames![0] }));
    expect(jsonOf(doc.PolicyDocument)).toEqual(normalize(renderPolicy(policy(), "identity")));
  });

  it.each([
    ["ecr", ecrUserName(env)],
    ["s3", s3UserName(env)],
  ])("the SSM parameters decrypt to the %s user's real key pair", async (prefix, userName) => {
    const ssm = new SSMClient(sdk);
    const read = async (leaf: string) => {
      const { Parameter } = await ssm.send(new GetParameterCommand({ Name: ssmPath(env, leaf), WithDecryption: true }));
      expect(Parameter!.Type).toBe("SecureString");
      return Parameter!.Value!;
    };
    const accessKeyId = await read(`${prefix}-aws-access-key-id`);
    const secretAccessKey = await read(`${prefix}-aws-secret-access-key`);
    const iam = new IAMClient(sdk);
    const keys = (await iam.send(new ListAccessKeysCommand({ UserName: userName }))).AccessKeyMetadata!.map((k) => k.AccessKeyId);
    expect(keys).toEqual([accessKeyId]);
    const whoami = await new STSClient(emulatorSdkConfig(emulator, env.region, { accessKeyId, secretAccessKey })).send(new GetCallerIdentityCommand({}));
    expect(whoami.Arn).toBe(`arn:aws:iam::${env.accountId}:user/${userName}`);
    const output = await tofu.run(credentials.dir, ["output", "-raw", `${prefix}_aws_secret_access_key`]);
    expect(output.stdout === secretAccessKey).toBe(true); // compared, never printed
  });

  it("the GitHub OIDC provider exists once, for GitHub's issuer and the STS audience", async () => {
    const iam = new IAMClient(sdk);
    const provider = await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: githubOidcProviderArn(env) }));
    expect(provider.Url).toMatch(/token\.actions\.githubusercontent\.com$/);
    expect(provider.ClientIDList).toEqual(["sts.amazonaws.com"]);
  });

  it.each([
    ["deploy", deployRoleName(env), env.github.deployFrom, () => deployRolePolicy(env)],
    ["plan", planRoleName(env), { kind: "pull_request" } as const, () => planRolePolicy(env)],
  ] as const)("the %s role exists with the expected trust and only its inline policy", async (_kind, roleName, subject, policy) => {
    const iam = new IAMClient(sdk);
    const { Role } = await iam.send(new GetRoleCommand({ RoleName: roleName }));
    expect(jsonOf(Role!.AssumeRolePolicyDocument)).toEqual(
      normalize(renderPolicy(githubTrustPolicy(githubOidcProviderArn(env), githubRepositoryRef(env), [subject]), "trust")),
    );
    expect((await iam.send(new ListRolePoliciesCommand({ RoleName: roleName }))).PolicyNames).toEqual([`${roleName}-policy`]);
    expect((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName }))).AttachedPolicies).toEqual([]);
    const doc = await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: `${roleName}-policy` }));
    expect(jsonOf(doc.PolicyDocument)).toEqual(normalize(renderPolicy(policy(), "identity")));
  });

  it("the runtime pull role trusts only the configured service of this account and may only pull", async () => {
    const iam = new IAMClient(sdk);
    const roleName = runtimePullRoleName(env);
    const { Role } = await iam.send(new GetRoleCommand({ RoleName: roleName }));
    expect(jsonOf(Role!.AssumeRolePolicyDocument)).toEqual(normalize(renderPolicy(runtimePullTrustPolicy(env), "trust")));
    const doc = await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: `${roleName}-policy` }));
    expect(jsonOf(doc.PolicyDocument)).toEqual(normalize(renderPolicy(runtimePullPolicy(env), "identity")));
  });

  it("the SSM parameters and the scan log group are encrypted with the environment key", async () => {
    const kms = new KMSClient(sdk);
    const alias = (await kms.send(new ListAliasesCommand({}))).Aliases!.find((a) => a.AliasName === kmsAliasName(env))!;
    const keyArn = (await kms.send(new DescribeKeyCommand({ KeyId: alias.TargetKeyId! }))).KeyMetadata!.Arn;
    const ssm = new SSMClient(sdk);
    const { Parameters } = await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: "Path", Values: [`/${env.app}/${env.name}`] }] }));
    // The credentials stack names the key by its alias; whatever form comes back must resolve to the environment key.
    const resolved = await Promise.all(
      Parameters!.map(async (p) => [p.Name, p.Type, (await kms.send(new DescribeKeyCommand({ KeyId: p.KeyId! }))).KeyMetadata!.Arn]),
    );
    expect(resolved.sort()).toEqual(
      ["ecr-aws-access-key-id", "ecr-aws-secret-access-key", "s3-aws-access-key-id", "s3-aws-secret-access-key"].map((leaf) => [
        ssmPath(env, leaf),
        "SecureString",
        keyArn,
      ]),
    );
    const { logGroups } = await new CloudWatchLogsClient(sdk).send(new DescribeLogGroupsCommand({ logGroupNamePrefix: scanLogGroupName(env) }));
    expect(logGroups![0].kmsKeyId).toBe(keyArn);
  });

  it("scan findings are routed to a log group kept 30 days", async () => {
    const logs = new CloudWatchLogsClient(sdk);
    const { logGroups } = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: scanLogGroupName(env) }));
    expect(logGroups!.map((g) => [g.logGroupName, g.retentionInDays])).toEqual([[scanLogGroupName(env), 30]]);
    const rule = await new EventBridgeClient(sdk).send(new DescribeRuleCommand({ Name: scanRuleName(env) }));
    // The registry scans with Amazon Inspector (ENHANCED): its findings arrive as Inspector2 events.
    expect(JSON.parse(rule.EventPattern!)["detail-type"]).toEqual(["Inspector2 Finding"]);
  });
});

describe("doctor, online against the deployed environment", () => {
  it("passes with the ECR user's keys read from SSM: identity, repository, 12-hour token, dry push step", async () => {
    const out = await doctorOnline(await ecrUserKeys());
    if (out.code !== 0) throw new Error(`doctor exited ${out.code}:\n${out.stdout}`);
    expect(out.stdout).toMatch(new RegExp(`who am I \\(sts:GetCallerIdentity\\)\\s+ok\\s+arn:aws:iam::${env.accountId}:user/${ecrUserName(env)}`));
    expect(out.stdout).toMatch(/repository exists\s+ok/);
    expect(out.stdout).toMatch(/registry token \(ecr:GetAuthorizationToken\)\s+ok\s+valid until .* \((11\.\d|12\.0) h\)/);
    expect(out.stdout).toMatch(/dry push step \(ecr:BatchCheckLayerAvailability\)\s+ok/);
    expect(out.stdout).not.toContain((await ecrUserKeys()).secretAccessKey);
    // In AWS the ECR user may not list keys (reported as "not visible", not failed); moto does not
    // authorize IAM's own read calls, so here the rows may list the keys. Either way: reported, never failed.
    expect(out.stdout).toMatch(/access keys? of shop-local-ecr-user\s+ok\s+(not visible to this identity|\w{4}…\w{4} Active)/);
  });
});

describe("destroy", () => {
  it("cdktf destroy <env>-credentials <env> --parallelism 1 removes everything of the environment, credentials first", async () => {
    const destroy = await timed("cdktf_destroy", cdktf(["destroy", credentialsStackName(env), env.name, "--auto-approve", "--parallelism", "1"]));
    if (destroy.code !== 0) throw new Error(output(destroy));
    const ecr = new ECRClient(sdk);
    const { repositories } = await ecr.send(new DescribeRepositoriesCommand({}));
    expect(repositories).toEqual([]);
    const iam = new IAMClient(sdk);
    for (const UserName of [ecrUserName(env), s3UserName(env)])
      await expect(iam.send(new GetUserCommand({ UserName }))).rejects.toThrow(/not found|cannot be found|NoSuchEntity/);
    for (const RoleName of [deployRoleName(env), planRoleName(env), runtimePullRoleName(env)])
      await expect(iam.send(new GetRoleCommand({ RoleName }))).rejects.toThrow(/not found|cannot be found|NoSuchEntity/);
    const ssm = new SSMClient(sdk);
    await expect(ssm.send(new GetParameterCommand({ Name: ssmPath(env, "ecr-aws-secret-access-key") }))).rejects.toThrow(/ParameterNotFound|not found/i);
    const { logGroups } = await new CloudWatchLogsClient(sdk).send(new DescribeLogGroupsCommand({ logGroupNamePrefix: scanLogGroupName(env) }));
    expect(logGroups).toEqual([]);
    expect((await tofu.run(stack.dir, ["state", "list"])).stdout.trim()).toBe("");
    // KMS keys cannot be deleted at once: every key must be scheduled for deletion.
    const kms = new KMSClient(sdk);
    const keys = (await kms.send(new ListKeysCommand({}))).Keys ?? [];
    const customerKeys = [];
    for (const k of keys) {
      const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: k.KeyId! }));
      if (KeyMetadata!.KeyManager === "CUSTOMER") customerKeys.push(KeyMetadata!.KeyState);
    }
    expect(customerKeys.length).toBeGreaterThan(0);
    expect(customerKeys.every((state) => state === "PendingDeletion")).toBe(true);
  });

  it("the online doctor then reports the missing repository with its cause and fix, and fails", async () => {
    const out = await doctorOnline({ accessKeyId: "testing", secretAccessKey: "testing" });
    expect(out.code).toBe(1);
    expect(out.stdout).toMatch(/repository exists\s+FAILED/);
    expect(out.stdout).toMatch(/cause: repository shop-api-local does not exist in us-east-1/);
  });

  it("cdktf destroy of the bootstrap is refused: the state bucket keeps the state", async () => {
    const destroy = await cdktf(["destroy", bootstrapStack, "--auto-approve"]);
    expect(destroy.code).not.toBe(0);
    // The reason, from the engine itself: cdktf sometimes stops relaying the engine's output before its last lines.
    const copy = prepareStackWorkdir(join(work, "engine.out"), bootstrapStack, join(work, "run"));
    expect((await tofu.run(copy.dir, ["init", "-input=false", "-no-color"])).code).toBe(0);
    const plan = await tofu.run(copy.dir, ["plan", "-destroy", "-input=false", "-no-color", "-lock=false"]);
    expect({ code: plan.code, reason: /Instance cannot be destroyed[\s\S]*lifecycle\.prevent_destroy/.test(plan.stderr) }).toEqual({ code: 1, reason: true });
    const s3 = new S3Client(sdk);
    await expect(s3.send(new HeadBucketCommand({ Bucket: env.state.bucket }))).resolves.toBeDefined();
    await expect(s3.send(new HeadObjectCommand({ Bucket: env.state.bucket, Key: env.state.key }))).resolves.toBeDefined();
  });
});
