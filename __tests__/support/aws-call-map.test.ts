import { planRolePolicy, stateObjectArns } from "../../stacks/platform-policies";
import { renderPolicy } from "../../constructs/policy-document";
import { planRoleArn } from "../../environments/naming";
import {
  actionCanApplyTo,
  iamGlobMatch,
  mapRequest,
  parseRequest,
  policyPermissions,
  unusedPermissions,
  type MapContext,
  type WireRequest,
} from "./aws-call-map";
import { localEnvironment } from "../../scripts/lib/local-run";
import { simulate } from "../../scripts/lib/simulator";

const KEY_ID = "0b6f3c1e-1111-2222-3333-444455556666";
const KEY_ARN = `arn:aws:kms:us-east-1:123456789012:key/${KEY_ID}`;
const ctx: MapContext = {
  partition: "aws",
  accountId: "123456789012",
  region: "us-east-1",
  kmsKeyAliases: new Map([[KEY_ID, ["alias/shop-local"]]]),
  secureParameterKeys: new Map([["/shop/local/ecr-aws-secret-access-key", KEY_ARN]]),
  iamPaths: new Map([["ci-robot", "/automation/"]]),
};

const auth = (service: string) =>
  `AWS4-HMAC-SHA256 Credential=ASIAPLANSESSION/20250601/us-east-1/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc`;
const query = (service: string, body: string): WireRequest => ({
  method: "POST",
  url: "/",
  headers: { authorization: auth(service), "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
  body,
});
const json = (service: string, target: string, body: object): WireRequest => ({
  method: "POST",
  url: "/",
  headers: { authorization: auth(service), "content-type": "application/x-amz-json-1.1", "x-amz-target": target },
  body: JSON.stringify(body),
});
const s3 = (method: string, url: string, headers: Record<string, string> = {}): WireRequest => ({
  method,
  url,
  headers: { authorization: auth("s3"), ...headers },
  body: "",
});

const permissionsOf = (req: WireRequest) => {
  const m = mapRequest(req, ctx);
  if (m.kind !== "mapped") throw new Error(`unmapped: ${m.reason}`);
  return m.permissions.map((p) => ({
    action: p.action,
    resource: p.resource,
    ...(p.context ? { context: p.context } : {}),
    ...(p.implied ? { implied: true } : {}),
  }));
};

describe("parsing what the recorder saw", () => {
  it("reads service, region and key from the SigV4 credential scope, the operation from each protocol", () => {
    expect(parseRequest(query("iam", "Action=GetRole&RoleName=r&Version=2010-05-08"))).toMatchObject({
      service: "iam",
      region: "us-east-1",
      accessKeyId: "ASIAPLANSESSION",
      protocol: "query",
      operation: "GetRole",
      params: { RoleName: "r" },
    });
    expect(parseRequest(json("ecr", "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories", { repositoryNames: ["a"] }))).toMatchObject({
      service: "ecr",
      protocol: "json",
      operation: "DescribeRepositories",
    });
    expect(parseRequest(s3("GET", "/bucket/a%2Fb.tfstate?x-id=GetObject"))).toMatchObject({
      service: "s3",
      protocol: "rest",
      operation: "GET /bucket/a/b.tfstate",
      params: { "x-id": "GetObject" },
    });
  });
});

describe("mapping known requests to IAM actions and resources", () => {
  it("IAM (query protocol): the role or user ARN, with its path", () => {
    expect(permissionsOf(query("iam", "Action=GetRole&RoleName=shop-local-github-plan&Version=2010-05-08"))).toEqual([
      { action: "iam:GetRole", resource: "arn:aws:iam::123456789012:role/shop-local-github-plan" },
    ]);
    expect(permissionsOf(query("iam", "Action=ListAccessKeys&UserName=ci-robot&Version=2010-05-08"))).toEqual([
      { action: "iam:ListAccessKeys", resource: "arn:aws:iam::123456789012:user/automation/ci-robot" },
    ]);
  });

  it("ECR (JSON protocol): each named repository", () => {
    expect(
      permissionsOf(json("ecr", "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories", { repositoryNames: ["shop-api-local", "shop-worker-local"] })),
    ).toEqual([
      { action: "ecr:DescribeRepositories", resource: "arn:aws:ecr:us-east-1:123456789012:repository/shop-api-local" },
      { action: "ecr:DescribeRepositories", resource: "arn:aws:ecr:us-east-1:123456789012:repository/shop-worker-local" },
    ]);
  });

  it.each([
    ["GET ?versioning", s3("GET", "/shop-local-tfstate?versioning="), "s3:GetBucketVersioning", "arn:aws:s3:::shop-local-tfstate"],
    ["GET ?encryption", s3("GET", "/shop-local-tfstate?encryption="), "s3:GetEncryptionConfiguration", "arn:aws:s3:::shop-local-tfstate"],
    ["ListObjectsV2", s3("GET", "/shop-local-tfstate?list-type=2&prefix=env%3A%2F"), "s3:ListBucket", "arn:aws:s3:::shop-local-tfstate"],
    ["HEAD bucket", s3("HEAD", "/shop-local-tfstate"), "s3:ListBucket", "arn:aws:s3:::shop-local-tfstate"],
    ["GET object", s3("GET", "/shop-local-tfstate/shop/local.tfstate?x-id=GetObject"), "s3:GetObject", "arn:aws:s3:::shop-local-tfstate/shop/local.tfstate"],
    ["HEAD object", s3("HEAD", "/shop-local-tfstate/shop/local.tfstate"), "s3:GetObject", "arn:aws:s3:::shop-local-tfstate/shop/local.tfstate"],
    [
      "PUT of the lock file",
      s3("PUT", "/shop-local-tfstate/shop/local.tfstate.tflock?x-id=PutObject", { "if-none-match": "*" }),
      "s3:PutObject",
      "arn:aws:s3:::shop-local-tfstate/shop/local.tfstate.tflock",
    ],
    [
      "DELETE of the lock file",
      s3("DELETE", "/shop-local-tfstate/shop/local.tfstate.tflock?x-id=DeleteObject"),
      "s3:DeleteObject",
      "arn:aws:s3:::shop-local-tfstate/shop/local.tfstate.tflock",
    ],
    [
      "GET of an old version",
      s3("GET", "/shop-local-tfstate/shop/local.tfstate?versionId=3"),
      "s3:GetObjectVersion",
      "arn:aws:s3:::shop-local-tfstate/shop/local.tfstate",
    ],
  ])("S3 (REST): %s", (_name, req, action, resource) => {
    expect(permissionsOf(req)).toEqual([expect.objectContaining({ action, resource })]);
  });

  it("a listing carries its prefix as the s3:prefix condition key; a bucket HEAD carries none", () => {
    expect(permissionsOf(s3("GET", "/shop-local-tfstate?list-type=2&prefix=env%3A%2F"))).toEqual([
      { action: "s3:ListBucket", resource: "arn:aws:s3:::shop-local-tfstate", context: { "s3:prefix": "env:/" } },
    ]);
    expect(permissionsOf(s3("HEAD", "/shop-local-tfstate"))).toEqual([{ action: "s3:ListBucket", resource: "arn:aws:s3:::shop-local-tfstate" }]);
  });

  it("SSM GetParameter with decryption of a SecureString also needs kms:Decrypt on its key, through SSM", () => {
    expect(permissionsOf(json("ssm", "AmazonSSM.GetParameter", { Name: "/shop/local/ecr-aws-secret-access-key", WithDecryption: true }))).toEqual([
      { action: "ssm:GetParameter", resource: "arn:aws:ssm:us-east-1:123456789012:parameter/shop/local/ecr-aws-secret-access-key" },
      {
        action: "kms:Decrypt",
        resource: KEY_ARN,
        context: { "kms:ResourceAliases": ["alias/shop-local"], "kms:ViaService": "ssm.us-east-1.amazonaws.com" },
        implied: true,
      },
    ]);
    expect(permissionsOf(json("ssm", "AmazonSSM.GetParameter", { Name: "/shop/local/ecr-aws-secret-access-key", WithDecryption: false }))).toHaveLength(1);
  });

  it("KMS: an alias is authorized on its key, with kms:ResourceAliases; ListAliases has no resource", () => {
    expect(permissionsOf(json("kms", "TrentService.DescribeKey", { KeyId: "alias/shop-local" }))).toEqual([
      { action: "kms:DescribeKey", resource: KEY_ARN, context: { "kms:ResourceAliases": ["alias/shop-local"] } },
    ]);
    expect(permissionsOf(json("kms", "TrentService.GetKeyRotationStatus", { KeyId: KEY_ARN }))[0].resource).toBe(KEY_ARN);
    expect(permissionsOf(json("kms", "TrentService.ListAliases", {}))).toEqual([{ action: "kms:ListAliases", resource: "*" }]);
  });

  it("logs and events: DescribeLogGroups on the account's pseudo-ARN, rules by name", () => {
    expect(permissionsOf(json("logs", "Logs_20140328.DescribeLogGroups", { logGroupNamePrefix: "/aws/events/x" }))).toEqual([
      { action: "logs:DescribeLogGroups", resource: "arn:aws:logs:us-east-1:123456789012:log-group::log-stream:" },
    ]);
    const mapped = mapRequest(json("logs", "Logs_20140328.DescribeLogGroups", {}), ctx);
    expect(mapped.kind === "mapped" && mapped.permissions[0].evaluatedBeyondReference).toMatch(/terraform-provider-aws#8804/);
    expect(permissionsOf(json("events", "AWSEvents.ListTargetsByRule", { Rule: "shop-local-ecr-scan-findings" }))).toEqual([
      { action: "events:ListTargetsByRule", resource: "arn:aws:events:us-east-1:123456789012:rule/shop-local-ecr-scan-findings" },
    ]);
  });

  it("the provider's account-id discovery (iam:GetUser without UserName): no permission for a role session, tolerated for a user", () => {
    const bySession = mapRequest(query("iam", "Action=GetUser&Version=2010-05-08"), ctx);
    expect(bySession).toMatchObject({ kind: "mapped", permissions: [] });
    expect(bySession.kind === "mapped" && bySession.noPermission).toMatch(/role session.*ValidationError.*sts:GetCallerIdentity/);
    const byUser = mapRequest(query("iam", "Action=GetUser&Version=2010-05-08"), { ...ctx, callerUserArn: "arn:aws:iam::123456789012:user/ci" });
    expect(byUser).toMatchObject({
      kind: "mapped",
      permissions: [{ action: "iam:GetUser", resource: "arn:aws:iam::123456789012:user/ci", toleratedIfDenied: expect.stringMatching(/aws-sdk-go-base/) }],
    });
  });

  it("sts:GetCallerIdentity is mapped as needing no permission, with the reason", () => {
    const m = mapRequest(query("sts", "Action=GetCallerIdentity&Version=2011-06-15"), ctx);
    expect(m).toMatchObject({ kind: "mapped", label: "sts:GetCallerIdentity", permissions: [] });
    expect(m.kind === "mapped" && m.noPermission).toMatch(/no permission/);
  });
});

describe("a call that cannot be mapped is reported, never ignored", () => {
  it.each([
    [
      "an operation missing from the table",
      json("ecr", "AmazonEC2ContainerRegistry_V20150921.BatchDeleteImage", { repositoryName: "x" }),
      /ecr:BatchDeleteImage is not in MAPPINGS/,
    ],
    ["a service without an IAM prefix", json("sqs", "AmazonSQS.ListQueues", {}), /service 'sqs' has no IAM prefix/],
    ["an unsigned request", { method: "POST", url: "/", headers: {}, body: "Action=AssumeRoleWithWebIdentity" }, /unsigned request/],
    ["an S3 sub-resource not in the table", s3("GET", "/shop-local-tfstate?inventory="), /sub-resource \?inventory/],
    ["a parameter that names the resource is missing", query("iam", "Action=GetRole&Version=2010-05-08"), /RoleName missing/],
    ["a KMS alias this account does not hold", json("kms", "TrentService.DescribeKey", { KeyId: "alias/unknown" }), /alias\/unknown/],
  ])("%s", (_name, req, reason) => {
    const m = mapRequest(req as WireRequest, ctx);
    expect(m.kind).toBe("unmapped");
    expect(m.kind === "unmapped" && m.reason).toMatch(reason);
  });
});

describe("the mapping names what planRolePolicy names", () => {
  const env = localEnvironment();
  const policy = JSON.parse(renderPolicy(planRolePolicy(env), "identity"));
  const state = stateObjectArns(env);
  const decide = async (req: WireRequest) => {
    const [p] = permissionsOf(req);
    return (
      await simulate({
        principal: planRoleArn(env),
        action: p.action,
        resource: p.resource,
        resourceAccount: env.accountId,
        identityPolicies: [{ name: "plan-role", policy }],
        context: p.context as Record<string, string>,
      })
    ).decision;
  };
  const path = (arn: string) => `/${arn.split(":::")[1]}`;

  it("the plan's state GET is allowed; no PUT, of the lock file (plans run with -lock=false) or of the state", async () => {
    expect(await decide(s3("PUT", `${path(state.lock)}?x-id=PutObject`))).toBe("ImplicitlyDenied");
    expect(await decide(s3("GET", `${path(state.state)}?x-id=GetObject`))).toBe("Allowed");
    expect(await decide(s3("PUT", `${path(state.state)}?x-id=PutObject`))).toBe("ImplicitlyDenied");
  });

  it("unused permissions: those of the policy no allowed call matched", () => {
    const all = policyPermissions(policy);
    const used = [{ action: "s3:ListBucket", resource: state.bucket, decidedBy: ["plan-role/StateList"] }];
    const unused = unusedPermissions("plan-role", all, used);
    expect(unused).toHaveLength(all.length - 1);
    expect(unused.find((u) => u.action === "s3:ListBucket")).toBeUndefined();
    // Matching needs the deciding statement: the same action allowed by another statement does not count.
    expect(unusedPermissions("plan-role", all, [{ ...used[0], decidedBy: ["plan-role/Other"] }])).toHaveLength(all.length);
  });

  it("an action x resource pair of the policy that can never apply is told apart", async () => {
    expect(await actionCanApplyTo("iam:GetRole", "arn:aws:iam::123456789012:role/r")).toBe(true);
    expect(await actionCanApplyTo("iam:GetRole", "arn:aws:iam::123456789012:user/u")).toBe(false);
    expect(await actionCanApplyTo("kms:DescribeKey", "arn:aws:kms:us-east-1:123456789012:key/*")).toBe(true);
    expect(await actionCanApplyTo("s3:GetObject", "arn:aws:s3:::b/k")).toBe(true);
    expect(await actionCanApplyTo("kms:ListAliases", "*")).toBe(true);
  });

  it("IAM wildcards in resources", () => {
    expect(iamGlobMatch("arn:aws:logs:us-east-1:1:log-group:*", "arn:aws:logs:us-east-1:1:log-group::log-stream:")).toBe(true);
    expect(iamGlobMatch("arn:aws:kms:us-east-1:1:key/*", "arn:aws:kms:us-east-1:1:alias/x")).toBe(false);
    expect(iamGlobMatch("arn:aws:s3:::b/k.tflock", "arn:aws:s3:::b/k.tflockX")).toBe(false);
    expect(iamGlobMatch("a?c", "abc")).toBe(true);
  });
});
