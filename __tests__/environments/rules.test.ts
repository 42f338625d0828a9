/**
 * Configs that AWS or Terraform would reject, or that would open a hole, are
 * refused at synth time with `env.field: problem`, never a stack trace.
 * One row per rule; each names the field and the reason.
 */
import { ConfigError, loadEnvironments, type EnvironmentInput } from "../../environments";
import { AWS_LIMITS, bucketNameProblem } from "../../environments/rules";
import { envInput, TEST_REPOSITORY } from "../helpers";

function problemsOf(inputs: EnvironmentInput[]): string[] {
  try {
    loadEnvironments(inputs);
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err; // anything else would reach the user as a stack trace
  }
  return [];
}

const second = (overrides: Partial<EnvironmentInput>) => envInput({ name: "uat", ...overrides });
const services = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `service-number-${i}` }));

describe("one environment", () => {
  it.each<[string, Partial<EnvironmentInput>, RegExp]>([
    ["an environment name ending in '-' (ECR repository names refuse it)", { name: "qa-" }, /^qa-\.name: must match/],
    ["an environment name with '--'", { name: "qa--x" }, /^qa--x\.name: must match/],
    ["app 'aws' (SSM reserves /aws)", { app: "aws" }, /^qa\.app: must not start with 'aws' or 'ssm'/],
    ["app 'ssmtool'", { app: "ssmtool" }, /^qa\.app: must not start with 'aws' or 'ssm'/],
    [
      "a 32-character app with a 20-character environment (IAM names over 64)",
      { app: "a".repeat(32), name: "e".repeat(20) },
      /\.app: deploy role name '.*' is 67 characters; IAM allows 64/,
    ],
    [
      "services 'api.v2' and 'api-v2' (one output name)",
      { services: [{ name: "api.v2" }, { name: "api-v2" }] },
      /^qa\.services\[1\]\.name: 'api-v2' and services\[0\] both become the output and variable name 'api_v2'/,
    ],
    [
      "1,000 tag prefixes (a lifecycle policy over 30,720 characters)",
      { ecr: { taggedPrefixes: Array.from({ length: 1000 }, (_, i) => `p${i}`) } },
      /^qa\.ecr\.taggedPrefixes: lifecycle policy is \d+ characters; ECR allows at most 30720/,
    ],
    [
      "90 services (the ECR user's group policy over IAM's 5,120 characters)",
      { services: services(90) },
      /^qa\.services: the ECR user's group policy is \d+ characters; IAM allows 5120/,
    ],
    [
      "replication from a commercial region into China (no replication across partitions)",
      { ecr: { registry: { replicateTo: [{ region: "cn-north-1" }] } } },
      /^qa\.ecr\.registry\.replicateTo\[0\]\.region: cn-north-1 is in partition aws-cn, the registry in aws: ECR User Guide/,
    ],
    [
      "replication from GovCloud to a commercial region",
      { region: "us-gov-west-1", ecr: { registry: { replicateTo: [{ region: "us-east-1" }] } } },
      /^qa\.ecr\.registry\.replicateTo\[0\]\.region: us-east-1 is in partition aws, the registry in aws-us-gov/,
    ],
    [
      "one replication destination listed twice (the account spelled out once)",
      { ecr: { registry: { replicateTo: [{ region: "eu-west-1" }, { region: "eu-west-1", accountId: "111111111111" }] } } },
      /^qa\.ecr\.registry\.replicateTo\[1\]: the same destination as replicateTo\[0\] \(eu-west-1, account 111111111111\)/,
    ],
    [
      "a scan filter ending in '-' (ECR's filter pattern)",
      { ecr: { registry: { scanFilters: ["shop-"] } } },
      /^qa\.ecr\.registry\.scanFilters\[0\]: must be a repository name wildcard matching ECR's/,
    ],
    [
      "a scan filter with '//' (ECR's filter pattern)",
      { ecr: { registry: { scanFilters: ["shop//api"] } } },
      /^qa\.ecr\.registry\.scanFilters\[0\]: must be a repository name wildcard/,
    ],
    [
      "a 256-character scan filter (ECR allows 255)",
      { ecr: { registry: { scanFilters: ["a".repeat(256)] } } },
      /^qa\.ecr\.registry\.scanFilters\[0\]: ECR allows at most 255 characters/,
    ],
    [
      "a scan filter listed twice",
      { ecr: { registry: { scanFilters: ["shop*", "shop*"] } } },
      /^qa\.ecr\.registry\.scanFilters\[1\]: "shop\*" is listed twice/,
    ],
    [
      "a KMS key ARN of the China partition for a commercial region",
      { ecr: { encryption: { type: "KMS", kmsKeyArn: "arn:aws-cn:kms:us-east-1:111111111111:key/12345678-1234-1234-1234-123456789012" } } },
      /^qa\.ecr\.encryption\.kmsKeyArn: is an ARN of partition aws-cn, but us-east-1 is in aws/,
    ],
    [
      "a pull principal of GovCloud for a commercial region",
      { ecr: { crossAccountPullPrincipals: ["arn:aws-us-gov:iam::222222222222:role/puller"] } },
      /^qa\.ecr\.crossAccountPullPrincipals\[0\]: is an ARN of partition aws-us-gov, but us-east-1 is in aws/,
    ],
    [
      "a role ARN with an empty name (only a path)",
      { ecr: { crossAccountPullPrincipals: ["arn:aws:iam::222222222222:role/ci/"] } },
      /^qa\.ecr\.crossAccountPullPrincipals\[0\]: must be a 12-digit account id, or an IAM role ARN with a name/,
    ],
    [
      "a role ARN that is only 'role/'",
      { ecr: { crossAccountPullPrincipals: ["arn:aws:iam::222222222222:role/"] } },
      /^qa\.ecr\.crossAccountPullPrincipals\[0\]: must be a 12-digit account id, or an IAM role ARN with a name/,
    ],
    [
      "an unknown partition in a role ARN",
      { ecr: { crossAccountPullPrincipals: ["arn:aws-xx:iam::222222222222:role/puller"] } },
      /^qa\.ecr\.crossAccountPullPrincipals\[0\]: must be a 12-digit account id, or an IAM role ARN/,
    ],
    [
      "tag patterns whose lifecycle policy passes 30,720 characters (names the patterns, not the prefixes)",
      { ecr: { taggedPatterns: Array.from({ length: 400 }, (_, i) => `release-${i}-*-stable-build`) } },
      /^qa\.ecr\.taggedPatterns: lifecycle policy is \d+ characters; ECR allows at most 30720/,
    ],
    [
      "a state key with a leading slash",
      { state: { bucket: "acme-state-111111111111", key: "/shop/qa.tfstate", region: "us-east-1" } },
      /^qa\.state\.key: must not start with '\/'/,
    ],
    [
      "a wildcard state key (the plan role would read every state)",
      { state: { bucket: "acme-state-111111111111", key: "shop/*.tfstate", region: "us-east-1" } },
      /^qa\.state\.key: must not contain '\*' or '\?'/,
    ],
    [
      "a wildcard DynamoDB lock table",
      { state: { bucket: "acme-state-111111111111", key: "shop/qa.tfstate", region: "us-east-1", lock: { dynamodbTable: "tf-locks*" } } },
      /^qa\.state\.lock\.dynamodbTable: must be 3-255/,
    ],
    [
      "a state bucket with '..'",
      { state: { bucket: "acme..state", key: "shop/qa.tfstate", region: "us-east-1" } },
      /^qa\.state\.bucket: must not contain '\.\.'/,
    ],
    [
      "a state bucket formatted as an IP address",
      { state: { bucket: "192.168.10.20", key: "shop/qa.tfstate", region: "us-east-1" } },
      /^qa\.state\.bucket: must not be formatted as an IP address/,
    ],
    [
      "a state bucket with S3's reserved xn-- prefix",
      { state: { bucket: "xn--state", key: "shop/qa.tfstate", region: "us-east-1" } },
      /^qa\.state\.bucket: must not start with 'xn--'/,
    ],
    [
      "a state bucket with S3's reserved -s3alias suffix",
      { state: { bucket: "state-s3alias", key: "shop/qa.tfstate", region: "us-east-1" } },
      /^qa\.state\.bucket: must not end with '-s3alias'/,
    ],
    [
      "a state bucket whose access log bucket would pass S3's 63 characters",
      { state: { bucket: `state-${"x".repeat(55)}`, key: "shop/qa.tfstate", region: "us-east-1" } },
      /^qa\.state\.bucket: its access log bucket 'state-x+-logs' is 66 characters; S3 allows 63/,
    ],
    [
      "the state bucket's access log among the S3 user's buckets",
      { s3UserBuckets: ["acme-state-111111111111-logs"] },
      /^qa\.s3UserBuckets\[0\]: 'acme-state-111111111111-logs' is the state bucket's access log/,
    ],
    [
      "static keys published for a branch deploy (repository secrets, readable by every branch)",
      { github: { ...TEST_REPOSITORY, deployFrom: { kind: "branch", name: "main" }, publishStaticEcrKeys: true } },
      /^qa\.github\.publishStaticEcrKeys: needs a GitHub environment deploy source/,
    ],
    [
      "the state bucket among the S3 user's buckets",
      { s3UserBuckets: ["acme-state-111111111111"] },
      /^qa\.s3UserBuckets\[0\]: 'acme-state-111111111111' is the state bucket/,
    ],
    [
      "the repository 'acme/..' (GitHub reserves it; the token would go to /repos/)",
      { github: { ...TEST_REPOSITORY, repository: "acme/..", deployFrom: { kind: "environment", name: "qa" } } },
      /^qa\.github\.repository: the repository name cannot be '\.\.'/,
    ],
    [
      "the repository 'acme/.'",
      { github: { ...TEST_REPOSITORY, repository: "acme/.", deployFrom: { kind: "environment", name: "qa" } } },
      /^qa\.github\.repository: the repository name cannot be '\.'/,
    ],
    [
      "the repository 'acme/shop.git'",
      { github: { ...TEST_REPOSITORY, repository: "acme/shop.git", deployFrom: { kind: "environment", name: "qa" } } },
      /^qa\.github\.repository: the repository name cannot end in '\.git'/,
    ],
    [
      "an owner ending in '-'",
      { github: { ...TEST_REPOSITORY, repository: "acme-/shop", deployFrom: { kind: "environment", name: "qa" } } },
      /^qa\.github\.repository: the owner must be/,
    ],
    ["a tag key with the reserved aws: prefix", { tags: { "aws:owner": "x" } }, /^qa\.tags\.aws:owner: keys starting with 'aws:' are reserved/],
    [
      "more than 50 tags with the platform's own",
      { tags: Object.fromEntries(Array.from({ length: 48 }, (_, i) => [`t${i}`, "v"])) },
      /^qa\.tags: 48 tags plus the 3 the platform adds exceed AWS's 50/,
    ],
    ["a tag value with characters outside AWS's set", { tags: { team: "a;b" } }, /^qa\.tags\.team: value has characters AWS does not allow/],
    ["a tag key the platform sets itself", { tags: { ManagedBy: "me" } }, /^qa\.tags\.ManagedBy: is set by the platform/],
  ])("refuses %s", (_what, overrides, message) => {
    const problems = problemsOf([envInput(overrides)]);
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
  });

  it("accepts 30 services: the users' policies sit on groups (5,120 characters), not on the users (2,048)", () => {
    expect(problemsOf([envInput({ services: services(30) })])).toEqual([]);
  });

  it("names the AWS reference of every limit it enforces", () => {
    for (const [name, limit] of Object.entries(AWS_LIMITS)) expect([name, limit.source]).toEqual([name, expect.stringMatching(/(API Reference|User Guide)/)]);
  });

  it("accepts a multi-Region KMS key (mrk-)", () => {
    const arn = "arn:aws:kms:us-east-1:111111111111:key/mrk-1234567890abcdef1234567890abcdef";
    expect(problemsOf([envInput({ ecr: { encryption: { type: "KMS", kmsKeyArn: arn } } })])).toEqual([]);
  });

  it("accepts the committed style of configuration with no problem", () => {
    expect(problemsOf([envInput()])).toEqual([]);
  });
});

describe("across environments", () => {
  it("treats repository names case-insensitively, as GitHub does (one subject form per repository)", () => {
    const problems = problemsOf([
      envInput(),
      second({ github: { repository: "ACME/Shop", subjectFormat: "legacy", deployFrom: { kind: "environment", name: "uat" } } }),
    ]);
    expect(problems).toEqual([
      expect.stringMatching(/^uat\.github: subjectFormat\/ownerId\/repositoryId differ from qa, which uses the same repository ACME\/Shop/),
    ]);
  });

  it.each(["*", "**", "*/*", "*-release"])("refuses the deployment pattern %p, which lets (almost) every ref deploy", (pattern) => {
    const problems = problemsOf([
      envInput({ github: { ...TEST_REPOSITORY, deployFrom: { kind: "environment", name: "qa", protection: { deploymentRefs: { branches: [pattern] } } } } }),
    ]);
    expect(problems).toEqual([expect.stringMatching(/deploymentRefs\.branches\[0\]: must start with a literal name part/)]);
  });

  it("refuses identical IAM, KMS and EventBridge names from different app/environment splits (shop-a + dev2 vs shop + a-dev2)", () => {
    const problems = problemsOf([envInput({ app: "shop-a", name: "dev2" }), envInput({ app: "shop", name: "a-dev2" })]);
    expect(problems).toEqual(
      expect.arrayContaining([
        "a-dev2.name: iam user 'shop-a-dev2-ecr-user' is also dev2's",
        "a-dev2.name: iam role 'shop-a-dev2-github-deploy' is also dev2's",
        "a-dev2.name: kms alias 'alias/shop-a-dev2' is also dev2's",
        "a-dev2.name: event rule 'shop-a-dev2-ecr-scan-findings' is also dev2's",
      ]),
    );
  });

  it("refuses a state key equal to another environment's derived GitHub state key", () => {
    const problems = problemsOf([envInput(), second({ state: { bucket: "acme-state-111111111111", key: "shop/qa-github.tfstate", region: "us-east-1" } })]);
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(/^uat\.state\.key: state object 'shop\/qa-github\.tfstate' is also qa's/)]));
  });

  it("refuses another environment's bucket for the S3 user, and another environment's state bucket", () => {
    const problems = problemsOf([envInput(), second({ s3UserBuckets: ["shop-qa-assets"] })]);
    expect(problems).toEqual(["uat.s3UserBuckets[0]: 'shop-qa-assets' is already qa's bucket; an environment's S3 user reaches only its own"]);
    const otherState = problemsOf([
      envInput(),
      second({ state: { bucket: "other-state", key: "shop/uat.tfstate", region: "us-east-1" }, s3UserBuckets: ["acme-state-111111111111"] }),
    ]);
    expect(otherState).toEqual(expect.arrayContaining(["uat.s3UserBuckets[0]: 'acme-state-111111111111' is qa's state bucket"]));
  });

  it("refuses two environments deploying from the same GitHub environment (one subject would assume both roles)", () => {
    const problems = problemsOf([envInput(), second({ github: { ...TEST_REPOSITORY, deployFrom: { kind: "environment", name: "qa" } } })]);
    expect(problems).toEqual([expect.stringMatching(/^uat\.github\.deployFrom: deploy subject .* 'repo:acme@1001\/shop@2002:environment:qa' is also qa's/)]);
  });

  it("refuses an emulator endpoint that would re-point a bootstrap stack shared with a real environment", () => {
    const problems = problemsOf([envInput(), second({ emulatorEndpoint: "https://127.0.0.1:4566" })]);
    expect(problems).toEqual([
      expect.stringMatching(
        /^uat\.emulatorEndpoint: https:\/\/127\.0\.0\.1:4566 but qa shares account 111111111111 and region us-east-1 \(one bootstrap stack\) with real AWS/,
      ),
    ]);
  });
});

describe("S3 bucket naming", () => {
  it.each([
    ["acme-state", undefined],
    ["a.b.c", undefined],
    ["sthree-x", "must not start with 'sthree-' (reserved by S3)"],
    ["x--ol-s3", "must not end with '--ol-s3' (reserved by S3)"],
  ])("%p -> %p", (bucket, problem) => {
    expect(bucketNameProblem(bucket)).toBe(problem);
  });
});
