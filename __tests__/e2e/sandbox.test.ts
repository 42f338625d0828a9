/**
 * The main job's deployment, end to end, as its two kinds of users meet it. `local.sh up` (run
 * once per end-to-end run by the global setup, support/shared-sandbox.ts) bootstraps the account,
 * runs `cdktf deploy local local-credentials`, leaves the emulator running and writes the exports.
 *  - The sandbox user: the exports authenticate, the online doctor passes, every command the
 *    banner offers works as printed.
 *  - The operator: the cdktf CLI as typed (`cdktf diff|output <stack>`) on the deployed
 *    environment, what AWS then holds, and, once every other suite sharing the sandbox has
 *    released it, `cdktf destroy <env>-credentials <env>`.
 *  - `down` leaves nothing running.
 * The operator's first steps in an empty account (`npm run bootstrap`, the order between stacks)
 * are in operator-bootstrap.test.ts, on an emulator of their own.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent } from "node:https";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeRepositoriesCommand, ECRClient, GetLifecyclePolicyCommand, GetRepositoryPolicyCommand } from "@aws-sdk/client-ecr";
import { DescribeRuleCommand, EventBridgeClient } from "@aws-sdk/client-eventbridge";
import {
  GetGroupCommand,
  GetGroupPolicyCommand,
  GetOpenIDConnectProviderCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListAttachedGroupPoliciesCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupPoliciesCommand,
  ListGroupsForUserCommand,
  ListRolePoliciesCommand,
  ListUserPoliciesCommand,
} from "@aws-sdk/client-iam";
import { DescribeKeyCommand, GetKeyRotationStatusCommand, KMSClient, ListAliasesCommand, ListKeysCommand } from "@aws-sdk/client-kms";
import { DescribeParametersCommand, GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import {
  credentialsStackName,
  deployRoleName,
  ecrUserName,
  githubOidcProviderArn,
  githubRepositoryRef,
  kmsAliasName,
  planRoleName,
  registryHost,
  repositoryName,
  runtimePullRoleName,
  s3UserName,
  scanLogGroupName,
  scanRuleName,
  siblingStateKey,
  ssmPath,
} from "../../environments/naming";
import { renderLifecyclePolicy, standardLifecycleRules } from "../../constructs/lifecycle-policy";
import { renderPolicy } from "../../constructs/policy-document";
import { githubTrustPolicy } from "../../constructs/github-oidc";
import { deployRolePolicy, ecrUserPolicy, planRolePolicy, runtimePullPolicy, runtimePullTrustPolicy, s3UserPolicy } from "../../stacks/platform-policies";
import type { Emulator } from "../../scripts/lib/emulator";
import { emulatorOperatorEnv, emulatorSdkConfig, localEnvironment } from "../../scripts/lib/local-run";
import type { TofuResult } from "../../scripts/lib/tofu";
import { PROJECT_ROOT } from "../../scripts/lib/toolchain";
import { offlineFlags, runCdktf } from "../../scripts/lib/cdktf-cli";
import { plainText } from "../support/cli-text";
import { doctorOnline } from "../support/online-doctor";
import { othersReleased, sharedSandbox, type SharedSandbox } from "../support/shared-sandbox";
import { managedInstances, remoteState } from "../support/state-file";

/** Names only: the same with any endpoint (the sandbox's environment differs only in its endpoint). */
const env = localEnvironment();
let sandbox: SharedSandbox;
let emulator: Emulator;
let dir: string;
let up: SharedSandbox["up"];
let exported: Record<string, string>;
/** AWS SDK options with the emulator's administrator credentials (the operator's view). */
let sdk: SharedSandbox["sdk"];
let work: string;
/** The variables an operator has set: the engine, the emulator's endpoint and CA, administrator credentials. */
let operatorEnv: Record<string, string>;
/** What each command the banner offers printed, by command: the operator's tests read `cdktf output` here. */
const printedBy = new Map<string, string>();
const timings: Record<string, number> = {};

/** `bash scripts/local.sh <args>`, as typed (the script the README names). */
const localSh = (args: string[]) =>
  spawnSync("bash", [join(PROJECT_ROOT, "scripts", "local.sh"), ...args], {
    env: { ...process.env, PLATFORM_SANDBOX_DIR: dir },
    encoding: "utf8",
    timeout: 280_000,
  });
/** `npx cdktf <args>` as typed, with this suite's own output directory (other suites run beside it). */
const cdktf = (args: readonly string[]): Promise<TofuResult> =>
  runCdktf([...args, "--output", join(work, "cdktf.out"), ...offlineFlags(sandbox.toolchain)], { env: operatorEnv });
const output = (r: TofuResult) => plainText(r.stdout + r.stderr);
const jsonOf = (doc: string | undefined) => JSON.parse(decodeURIComponent(doc ?? "null"));
const normalize = (policyJson: string) => JSON.parse(policyJson);

beforeAll(async () => {
  sandbox = await sharedSandbox({ allowFailedUp: true });
  ({ dir, up, exported, emulator, sdk } = sandbox);
  work = mkdtempSync(join(tmpdir(), "e2e-sandbox-"));
  operatorEnv = emulatorOperatorEnv(sandbox.toolchain, emulator, env.region);
}, 660_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
  process.stderr.write(
    `sandbox timings (s): up=${up?.seconds.toFixed(1)} ${Object.entries(timings)
      .map(([k, v]) => `${k}=${(v / 1000).toFixed(1)}`)
      .join(" ")}\n`,
  );
});

describe("bash scripts/local.sh up", () => {
  it("deploys, leaves the emulator running and says what to source, printing no secret", () => {
    expect({ status: up.status, tail: up.status === 0 ? "" : up.stderr.slice(-2000) }).toEqual({ status: 0, tail: "" });
    expect(up.stdout).toMatch(/The sandbox is up \(emulator pid \d+\)/);
    expect(up.stdout).toContain(`source ${join(dir, "sandbox.env")}`);
    expect(up.stderr).toMatch(/\[local\] bootstrap apply: [\d.]+ s/);
    expect(up.stderr).toMatch(/\[local\] bootstrap state moved into s3:\/\//);
    expect(up.stdout + up.stderr).not.toMatch(/\[ERROR\]|NodeVersionSupportWarning/);
    expect(exported.AWS_SECRET_ACCESS_KEY).toMatch(/^\S{20,}$/);
    expect(up.stdout + up.stderr).not.toContain(exported.AWS_SECRET_ACCESS_KEY);
    expect(statSync(join(dir, "sandbox.env")).mode & 0o077).toBe(0);
    // Any OCI client can push there: the registry stand-in's host:port, and the proxy for the real registry host.
    expect(exported.ECR_REGISTRY_ENDPOINT).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(exported.HTTPS_PROXY).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  const exportedSdk = () => ({
    region: exported.AWS_REGION,
    endpoint: exported.AWS_ENDPOINT_URL,
    credentials: { accessKeyId: exported.AWS_ACCESS_KEY_ID, secretAccessKey: exported.AWS_SECRET_ACCESS_KEY },
    requestHandler: new NodeHttpHandler({ httpsAgent: new Agent({ ca: readFileSync(exported.AWS_CA_BUNDLE, "utf8") }) }),
  });

  it("the exports authenticate as the chosen identity, which sees its repositories", async () => {
    expect((await new STSClient(exportedSdk()).send(new GetCallerIdentityCommand({}))).Arn).toBe(`arn:aws:iam::${env.accountId}:user/${ecrUserName(env)}`);
    const names = env.services.map((s) => repositoryName(env, s));
    const { repositories } = await new ECRClient(exportedSdk()).send(new DescribeRepositoriesCommand({ repositoryNames: names }));
    expect(repositories!.map((r) => r.repositoryName).sort()).toEqual(names.sort());
  });

  it("the online doctor passes with nothing but the exports (the ECR user's keys, read from SSM): identity, repository, 12-hour token, dry push step", () => {
    const doctor = spawnSync(process.execPath, [join(PROJECT_ROOT, "dist", "scripts", "doctor.js"), env.name, "--online"], {
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...exported },
      encoding: "utf8",
    });
    expect({ status: doctor.status, out: doctor.status === 0 ? "" : doctor.stdout }).toEqual({ status: 0, out: "" });
    const out = doctor.stdout;
    expect(out).toMatch(new RegExp(`who am I \\(sts:GetCallerIdentity\\)\\s+ok\\s+arn:aws:iam::${env.accountId}:user/${ecrUserName(env)}`));
    expect(out).toMatch(/repository exists\s+ok/);
    expect(out).toMatch(/registry token \(ecr:GetAuthorizationToken\)\s+ok\s+valid until .* \((11\.\d|12\.0) h\)/);
    expect(out).toMatch(/dry push step \(ecr:BatchCheckLayerAvailability\)\s+ok\s+allowed/);
    expect(out).not.toContain(exported.AWS_SECRET_ACCESS_KEY);
    // In AWS the ECR user may not list keys (reported as "not visible", not failed); moto does not
    // authorize IAM's own read calls, so here the rows may list the keys. Either way: reported, never failed.
    expect(out).toMatch(new RegExp(`access keys? of ${ecrUserName(env)}\\s+ok\\s+(not visible to this identity|\\w{4}…\\w{4} Active)`));
  });

  it("every command the banner offers works as printed, with nothing but the exports (cdktf diff: no changes)", () => {
    const banner = up.stdout.split("\n");
    const hints = banner
      .slice(
        banner.indexOf("then, as against AWS:") + 1,
        banner.findIndex((l) => l.startsWith("Stop it with:")),
      )
      .map((l) => l.trim());
    // What the operator's tests below read from: the environment's diff and outputs, and the credentials' outputs file.
    expect(hints).toEqual(
      expect.arrayContaining([
        `npx cdktf diff ${env.name}`,
        `npx cdktf output ${env.name}`,
        expect.stringMatching(new RegExp(`^npx cdktf output ${credentialsStackName(env)} --outputs-file \\S+ --outputs-file-include-sensitive-outputs$`)),
      ]),
    );
    for (const hint of hints) {
      const run = spawnSync("bash", ["-c", hint], {
        cwd: PROJECT_ROOT,
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...exported },
        encoding: "utf8",
      });
      expect({ hint, status: run.status, out: run.status === 0 ? "" : `${run.stdout}${run.stderr}`.slice(-3000) }).toEqual({ hint, status: 0, out: "" });
      const printed = plainText(`${run.stdout}${run.stderr}`);
      printedBy.set(hint, printed);
      expect(printed).not.toMatch(/\[ERROR\]|Warning:/);
      expect(printed).not.toContain(exported.AWS_SECRET_ACCESS_KEY);
      if (hint.startsWith("npx cdktf diff")) expect(printed).toMatch(/No changes\. Your infrastructure matches the configuration/);
    }
  });
});

describe("the operator's cdktf on the deployed environment", () => {
  /** What the banner's `npx cdktf <verb> <stack>` printed (the banner test ran it). */
  const printed = (prefix: string) => {
    const hint = [...printedBy.keys()].find((h) => h.startsWith(prefix));
    if (!hint) throw new Error(`the banner offers no \`${prefix}\` (or its test did not run)`);
    return { hint, text: printedBy.get(hint)! };
  };

  it("cdktf deploy left every resource of the environment in its remote state", async () => {
    const synthesized = JSON.parse(readFileSync(join(sandbox.outdir, "stacks", env.name, "cdk.tf.json"), "utf8")).resource as Record<string, object>;
    const expected = Object.entries(synthesized).flatMap(([type, byName]) => Object.keys(byName).map((name) => `${type}.${name}`));
    expect(managedInstances(await remoteState(sdk, env.state.bucket, env.state.key)).sort()).toEqual(expected.sort());
  });

  it("cdktf diff <env> (the banner's) reported no changes", () => {
    expect(printed(`npx cdktf diff ${env.name}`).text).toMatch(/No changes\. Your infrastructure matches the configuration/);
  });

  it("cdktf diff <env>-credentials reports no changes", async () => {
    const diff = await cdktf(["diff", credentialsStackName(env)]);
    timings.cdktf_diff_credentials = diff.ms;
    if (diff.code !== 0) throw new Error(output(diff));
    expect(output(diff)).toMatch(/No changes\. Your infrastructure matches the configuration/);
  });

  it("cdktf output <env> prints the repositories, roles and registry", () => {
    const { text } = printed(`npx cdktf output ${env.name}`);
    for (const svc of env.services) expect(text).toContain(`${registryHost(env)}/${repositoryName(env, svc)}`);
    expect(text).toContain(`role/${deployRoleName(env)}`);
  });

  it("cdktf output <env>-credentials masks the keys on screen; the outputs file an operator asks for holds the SSM values", async () => {
    const { hint, text } = printed(`npx cdktf output ${credentialsStackName(env)}`);
    const file = hint.match(/--outputs-file (\S+)/)![1];
    const ssm = new SSMClient(sdk);
    const read = async (leaf: string) => (await ssm.send(new GetParameterCommand({ Name: ssmPath(env, leaf), WithDecryption: true }))).Parameter!.Value!;
    const keys = { accessKeyId: await read("ecr-aws-access-key-id"), secretAccessKey: await read("ecr-aws-secret-access-key") };
    expect(text).not.toContain(keys.secretAccessKey);
    expect(text).toMatch(/ecr_aws_secret_access_key = <sensitive>/);
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
    expect(st.Principal).toEqual({ AWS: env.ecr.crossAccountPullPrincipals.map((account) => `arn:aws:iam::${account}:root`) });
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
    const { outputs } = await remoteState(sdk, env.state.bucket, siblingStateKey(env, "credentials"));
    expect(outputs?.[`${prefix}_aws_secret_access_key`]?.value === secretAccessKey).toBe(true); // compared, never printed
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

  it("scan findings are routed to a log group kept as configured", async () => {
    const logs = new CloudWatchLogsClient(sdk);
    const { logGroups } = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: scanLogGroupName(env) }));
    expect(logGroups!.map((g) => [g.logGroupName, g.retentionInDays])).toEqual([[scanLogGroupName(env), env.ecr.scanLogRetentionDays]]);
    const rule = await new EventBridgeClient(sdk).send(new DescribeRuleCommand({ Name: scanRuleName(env) }));
    // The registry scans with Amazon Inspector (ENHANCED): its findings arrive as Inspector2 events.
    expect(JSON.parse(rule.EventPattern!)["detail-type"]).toEqual(["Inspector2 Finding"]);
  });
});

describe("cdktf destroy, once every other suite sharing the sandbox has released it", () => {
  it("cdktf destroy <env>-credentials <env> --parallelism 1 removes everything of the environment, credentials first", async () => {
    await othersReleased("sandbox.test.ts");
    const destroy = await cdktf(["destroy", credentialsStackName(env), env.name, "--auto-approve", "--parallelism", "1"]);
    timings.cdktf_destroy = destroy.ms;
    if (destroy.code !== 0) throw new Error(output(destroy));
    const ecr = new ECRClient(sdk);
    // Other suites may leave repositories of their own in this account: the environment's are gone.
    const { repositories } = await ecr.send(new DescribeRepositoriesCommand({}));
    const ours = new Set(env.services.map((s) => repositoryName(env, s)));
    expect(repositories!.filter((r) => ours.has(r.repositoryName!))).toEqual([]);
    const iam = new IAMClient(sdk);
    for (const UserName of [ecrUserName(env), s3UserName(env)])
      await expect(iam.send(new GetUserCommand({ UserName }))).rejects.toThrow(/not found|cannot be found|NoSuchEntity/);
    for (const RoleName of [deployRoleName(env), planRoleName(env), runtimePullRoleName(env)])
      await expect(iam.send(new GetRoleCommand({ RoleName }))).rejects.toThrow(/not found|cannot be found|NoSuchEntity/);
    const ssm = new SSMClient(sdk);
    await expect(ssm.send(new GetParameterCommand({ Name: ssmPath(env, "ecr-aws-secret-access-key") }))).rejects.toThrow(/ParameterNotFound|not found/i);
    const { logGroups } = await new CloudWatchLogsClient(sdk).send(new DescribeLogGroupsCommand({ logGroupNamePrefix: scanLogGroupName(env) }));
    expect(logGroups).toEqual([]);
    expect(managedInstances(await remoteState(sdk, env.state.bucket, env.state.key))).toEqual([]);
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
  }, 900_000);

  it("the online doctor then reports the missing repository with its cause and fix, and fails", async () => {
    const out = await doctorOnline(env, emulator, { accessKeyId: "testing", secretAccessKey: "testing" });
    expect(out.code).toBe(1);
    expect(out.stdout).toMatch(/repository exists\s+FAILED/);
    expect(out.stdout).toContain(`cause: repository ${repositoryName(env, env.services[0])} does not exist in ${env.region}`);
  });
});

describe("bash scripts/local.sh down", () => {
  it("down stops the emulator and removes the sandbox; a second down is a no-op", async () => {
    await othersReleased("sandbox.test.ts");
    const { pid } = JSON.parse(readFileSync(join(dir, "sandbox.json"), "utf8")) as { pid: number };
    expect(localSh(["down"]).status).toBe(0);
    expect(() => process.kill(pid, 0)).toThrow();
    expect(existsSync(join(dir, "sandbox.json"))).toBe(false);
    const again = localSh(["down"]);
    expect([again.status, again.stderr]).toEqual([0, expect.stringContaining("no sandbox is running")]);
  }, 660_000);

  it("refuses bad usage with exit 2", () => {
    for (const args of [["sideways"], ["up", "--as", "root"], ["down", "now"]]) expect(localSh(args).status).toBe(2);
  });
});
