import { Testing, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { AccessLogBucket, type AccessLogBucketProps } from "../../constructs/access-log-bucket";
import { platformAwsProvider, type PlatformAwsProviderProps } from "../../constructs/aws-provider";
import { EnvironmentKey, type EnvironmentKeyProps } from "../../constructs/environment-key";
import { GithubOidcRole, type GithubOidcRoleProps } from "../../constructs/github-oidc-role";
import { LeastPrivilegeUser, type LeastPrivilegeUserProps } from "../../constructs/least-privilege-user";
import { RegistrySettings, type RegistrySettingsProps } from "../../constructs/registry-settings";
import { configureRemoteState, type RemoteStateProps } from "../../constructs/remote-state";
import { RotatingAccessKey, type RotatingAccessKeyProps } from "../../constructs/rotating-access-key";
import { ScanFindingsLog, type ScanFindingsLogProps } from "../../constructs/scan-findings-log";
import { ServiceRole, type ServiceRoleProps } from "../../constructs/service-role";
import { StateBucket, type StateBucketProps } from "../../constructs/state-bucket";
import { shown } from "../../constructs/validation";
import type { PolicyDocument } from "../../constructs/policy-document";

/**
 * Every construct checks the names it creates and the ids it is given when it
 * is constructed, collects every problem, and names the offending value. One
 * row per validation path: valid props with one field broken, and the message.
 */
const ACCOUNT = "111111111111";
const policy: PolicyDocument = { statements: [{ sid: "Read", actions: ["s3:GetObject"], resources: ["arn:aws:s3:::b/*"] }] };
const trust: PolicyDocument = { statements: [{ sid: "Ecs", actions: ["sts:AssumeRole"], principal: { Service: ["ecs-tasks.amazonaws.com"] } }] };

interface Case<P> {
  readonly valid: P;
  readonly build: (scope: Construct, props: P) => unknown;
  readonly broken: readonly (readonly [string, Partial<P>, RegExp])[];
}
const cases = <P>(c: Case<P>) => c;

const CONSTRUCTS = {
  AccessLogBucket: cases<AccessLogBucketProps>({
    valid: { bucketName: "state-logs", region: "eu-west-1", accountId: ACCOUNT, sourceBucketNames: ["state"] },
    build: (s, p) => new AccessLogBucket(s, "c", p),
    broken: [
      ["an invalid bucket name", { bucketName: "State_Logs" }, /bucketName "State_Logs" must be an S3 bucket name/],
      ["a bucket name like an IP address", { bucketName: "192.168.1.1" }, /bucketName "192.168.1.1"/],
      ["a short account id", { accountId: "1" }, /accountId "1" must be a 12-digit AWS account id/],
      ["a region that is not one", { region: "eu_west_1" }, /region "eu_west_1" must be an AWS region name/],
      ["no source bucket", { sourceBucketNames: [] }, /sourceBucketNames: an access log bucket needs at least one source bucket/],
      ["an invalid source bucket", { sourceBucketNames: ["ok-one", "Bad"] }, /sourceBucketNames\[1\] "Bad"/],
      ["a retention of 0 days", { retentionDays: 0 }, /retentionDays 0 must be a whole number from 1/],
    ],
  }),
  platformAwsProvider: cases<PlatformAwsProviderProps>({
    valid: { accountId: ACCOUNT, region: "eu-west-1" },
    build: (s, p) => platformAwsProvider(s, "aws", p),
    broken: [
      ["an account id with letters", { accountId: "11111111111a" }, /platformAwsProvider 'aws'.*\n- accountId "11111111111a"/],
      ["an empty region", { region: "" }, /region "" must be an AWS region name/],
    ],
  }),
  EnvironmentKey: cases<EnvironmentKeyProps>({
    valid: { accountId: ACCOUNT, region: "eu-west-1", aliasName: "alias/shop-qa", logGroupName: "/aws/events/x" },
    build: (s, p) => new EnvironmentKey(s, "c", p),
    broken: [
      ["an alias without the alias/ prefix", { aliasName: "shop-qa" }, /aliasName "shop-qa" must be 'alias\/'/],
      ["an alias AWS reserves", { aliasName: "alias/aws/ssm" }, /aliasName "alias\/aws\/ssm"/],
      ["a log group name with a space", { logGroupName: "/aws/my group" }, /logGroupName "\/aws\/my group" must be 1-512/],
      ["a deletion window of 3 days", { deletionWindowInDays: 3 }, /deletionWindowInDays 3 must be a whole number from 7 to 30/],
      ["a short account id", { accountId: "12" }, /accountId "12"/],
    ],
  }),
  GithubOidcRole: cases<GithubOidcRoleProps>({
    valid: {
      roleName: "shop-qa-github-deploy",
      description: "deploy",
      providerArn: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`,
      repository: { owner: "acme", name: "shop", subjectFormat: "legacy" },
      subjects: [{ kind: "environment", name: "qa" }],
      policy,
    },
    build: (s, p) => new GithubOidcRole(s, "c", p),
    broken: [
      ["a role name with a slash", { roleName: "team/deploy" }, /roleName "team\/deploy" must be 1-64 letters/],
      ["a role name of 65 characters", { roleName: "r".repeat(65) }, /roleName "r{65}"/],
      ["a description over 1000 characters", { description: "d".repeat(1001) }, /description must be at most 1000 characters, got 1001/],
      [
        "a provider ARN that is not one",
        { providerArn: "token.actions.githubusercontent.com" },
        /providerArn "token.actions.githubusercontent.com" must be an IAM OIDC provider ARN/,
      ],
      ["a 13-hour session", { maxSessionDuration: 46_800 }, /maxSessionDuration 46800 must be a whole number from 3600 to 43200/],
    ],
  }),
  LeastPrivilegeUser: cases<LeastPrivilegeUserProps>({
    valid: { userName: "shop-qa-ecr-user", policy },
    build: (s, p) => new LeastPrivilegeUser(s, "c", p),
    broken: [
      ["a user name with a space", { userName: "ecr user" }, /userName "ecr user" must be 1-64 letters/],
      ["a path without its slashes", { path: "ci" }, /path "ci" must be '\/'/],
    ],
  }),
  RegistrySettings: cases<RegistrySettingsProps>({
    valid: { scanType: "BASIC", scanFrequency: "SCAN_ON_PUSH", scanFilters: ["shop-*"] },
    build: (s, p) => new RegistrySettings(s, "c", p),
    broken: [
      ["continuous scanning with BASIC", { scanFrequency: "CONTINUOUS_SCAN" }, /continuous scanning needs scanType ENHANCED \(Amazon Inspector\), got "BASIC"/],
      ["no scan filter", { scanFilters: [] }, /a scanning rule needs at least one repository filter/],
      ["an upper-case scan filter", { scanFilters: ["Shop-*"] }, /scanFilters\[0\] "Shop-\*" must be a repository name wildcard/],
      ["a scan filter of 256 characters", { scanFilters: ["a".repeat(256)] }, /scanFilters\[0\] "a{256}" must be a repository name wildcard of at most 255/],
      [
        "destinations without prefixes",
        { replicationDestinations: [{ region: "eu-central-1", registryId: ACCOUNT }] },
        /replication needs the repository prefixes/,
      ],
      [
        "a destination with a bad region and account",
        { replicationDestinations: [{ region: "mars-1", registryId: "x" }], replicationPrefixes: ["shop"] },
        /replicationDestinations\[0\].region "mars-1".*\n- replicationDestinations\[0\].registryId "x"/,
      ],
    ],
  }),
  configureRemoteState: cases<RemoteStateProps>({
    valid: { bucket: "acme-state", key: "shop/qa.tfstate", region: "eu-west-1", lock: "lockfile" },
    build: (s, p) => configureRemoteState(s as TerraformStack, p),
    broken: [
      ["an invalid bucket", { bucket: "Acme_State" }, /bucket "Acme_State" must be an S3 bucket name/],
      ["a key with a leading slash", { key: "/shop/qa.tfstate" }, /key "\/shop\/qa.tfstate" must be an S3 object key/],
      ["a key with a space", { key: "shop qa.tfstate" }, /key "shop qa.tfstate"/],
      ["a region that is not one", { region: "EU" }, /region "EU"/],
    ],
  }),
  RotatingAccessKey: cases<RotatingAccessKeyProps>({
    valid: {
      userName: "shop-qa-ecr-user",
      rotation: { generation: 1, previousKey: "deleted" },
      accessKeyIdParameter: "/shop/qa/ecr-aws-access-key-id",
      secretAccessKeyParameter: "/shop/qa/ecr-aws-secret-access-key",
    },
    build: (s, p) => new RotatingAccessKey(s, "c", p),
    broken: [
      ["a user name with a colon", { userName: "shop:ecr" }, /userName "shop:ecr"/],
      [
        "a parameter name that is not fully qualified",
        { accessKeyIdParameter: "ecr-key-id" },
        /accessKeyIdParameter "ecr-key-id" must be a fully qualified SSM parameter name/,
      ],
      ["a parameter under /aws", { secretAccessKeyParameter: "/aws/secret" }, /secretAccessKeyParameter "\/aws\/secret"/],
      ["one parameter for both", { secretAccessKeyParameter: "/shop/qa/ecr-aws-access-key-id" }, /the key id and the secret need two parameters/],
      ["an impossible rotation", { rotation: { generation: 1, previousKey: "active" } }, /generation 1 has no previous key/],
    ],
  }),
  ScanFindingsLog: cases<ScanFindingsLogProps>({
    valid: { accountId: ACCOUNT, region: "eu-west-1", ruleName: "shop-qa-scan", logGroupName: "/aws/events/shop-qa", repositoryNames: ["shop-api-qa"] },
    build: (s, p) => new ScanFindingsLog(s, "c", p),
    broken: [
      ["a rule name with a slash", { ruleName: "shop/scan" }, /ruleName "shop\/scan" must be 1-64 letters/],
      ["a log group name with a colon", { logGroupName: "/aws:x" }, /logGroupName "\/aws:x"/],
      ["no repository", { repositoryNames: [] }, /repositoryNames: at least one repository/],
      ["an upper-case repository", { repositoryNames: ["Shop"] }, /repositoryNames\[0\] "Shop"/],
      ["a retention CloudWatch does not offer", { retentionInDays: 10 }, /retentionInDays 10 must be one of CloudWatch Logs' values/],
      ["a short account id", { accountId: "1" }, /accountId "1"/],
    ],
  }),
  ServiceRole: cases<ServiceRoleProps>({
    valid: { roleName: "shop-qa-ecr-pull", description: "pull", trust, policy },
    build: (s, p) => new ServiceRole(s, "c", p),
    broken: [
      ["an empty role name", { roleName: "" }, /roleName "" must be 1-64 letters/],
      ["a description over 1000 characters", { description: "d".repeat(1001) }, /description must be at most 1000 characters/],
    ],
  }),
  StateBucket: cases<StateBucketProps>({
    valid: { bucketName: "acme-state", region: "eu-west-1" },
    build: (s, p) => new StateBucket(s, "c", p),
    broken: [
      ["a two-character name", { bucketName: "ab" }, /bucketName "ab" must be an S3 bucket name/],
      ["a name with two dots in a row", { bucketName: "acme..state" }, /bucketName "acme..state"/],
      ["a region that is not one", { region: "west" }, /region "west"/],
      ["0 days of old versions", { noncurrentVersionDays: 0 }, /noncurrentVersionDays 0 must be a whole number from 1/],
      ["an invalid log bucket", { accessLogs: { bucketName: "Logs", after: [] } }, /accessLogs.bucketName "Logs"/],
    ],
  }),
} as const;

function construct<P>(c: Case<P>, props: P): void {
  Testing.synthScope((scope) => {
    c.build(scope, props);
  });
}

describe.each(Object.entries(CONSTRUCTS) as [string, Case<any>][])("%s", (name, c) => {
  it("accepts its valid props", () => {
    expect(() => construct(c, c.valid)).not.toThrow();
  });

  it.each(c.broken.map(([what, change, message]) => [what, change, message] as const))("refuses %s", (_what, change, message) => {
    expect(() => construct(c, { ...c.valid, ...change })).toThrow(message);
  });

  it("names itself and counts its problems", () => {
    const [, change] = c.broken[0];
    expect(() => construct(c, { ...c.valid, ...change })).toThrow(new RegExp(`^${name}.*: \\d+ invalid props?:\\n- `));
  });
});

describe("messages", () => {
  it("show values JSON-escaped, so control characters cannot reach a terminal", () => {
    expect(shown("a\u001b[2Jb")).toBe('"a\\u001b[2Jb"');
    expect(() => construct(CONSTRUCTS.LeastPrivilegeUser, { ...CONSTRUCTS.LeastPrivilegeUser.valid, userName: "x\u0007" })).toThrow(/userName "x\\u0007"/);
  });
});
