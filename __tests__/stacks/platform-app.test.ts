import { Testing } from "cdktf";
import { ENVIRONMENTS, loadEnvironments } from "../../environments";
import { addPlatformStacks } from "../../stacks/platform-app";
import { envInput, resourcesOf, statementsOf, synthJson } from "../helpers";

describe("platform app", () => {
  const stacks = addPlatformStacks(Testing.app(), loadEnvironments(ENVIRONMENTS));
  const providersByAccount = new Map<string, number>();
  for (const b of stacks.bootstrap) {
    const account = b.node.id.split("-")[1];
    providersByAccount.set(account, (providersByAccount.get(account) ?? 0) + resourcesOf(synthJson(b), "aws_iam_openid_connect_provider").length);
  }

  it("has an AWS and a GitHub stack per environment and a bootstrap per account and state region", () => {
    expect(stacks.environments.map((s) => s.node.id)).toEqual(["dev", "staging", "prod", "local"]);
    expect(stacks.github.map((s) => s.node.id)).toEqual(["dev-github", "staging-github", "prod-github", "local-github"]);
    expect(stacks.bootstrap.map((s) => s.node.id)).toEqual([
      "bootstrap-111111111111-us-east-1",
      "bootstrap-123456789012-us-east-1",
      "bootstrap-222222222222-eu-west-1",
    ]);
  });

  it("creates the GitHub OIDC provider exactly once per account, even when two environments share it", () => {
    expect(Object.fromEntries(providersByAccount)).toEqual({ "111111111111": 1, "123456789012": 1, "222222222222": 1 });
    for (const env of stacks.environments) expect(resourcesOf(synthJson(env), "aws_iam_openid_connect_provider")).toHaveLength(0);
  });

  it("creates no provider for an account that already has one", () => {
    const envs = loadEnvironments([envInput({ githubOidcProvider: "existing" })]);
    const { bootstrap } = addPlatformStacks(Testing.app(), envs);
    expect(resourcesOf(synthJson(bootstrap[0]), "aws_iam_openid_connect_provider")).toHaveLength(0);
  });

  it("bootstraps each state bucket once, versioned (old versions expire), KMS-encrypted, private, TLS-only, audited and protected from destroy", () => {
    const json = synthJson(stacks.bootstrap[0]);
    const [bucket] = resourcesOf(json, "aws_s3_bucket");
    expect(bucket).toMatchObject({ bucket: "acme-shop-tfstate-111111111111", lifecycle: { prevent_destroy: true } });
    expect(resourcesOf(json, "aws_s3_bucket")).toHaveLength(1);
    expect(resourcesOf(json, "aws_s3_bucket_versioning")[0].versioning_configuration).toEqual({ status: "Enabled" });
    expect(resourcesOf(json, "aws_s3_bucket_server_side_encryption_configuration")[0].rule[0].apply_server_side_encryption_by_default).toEqual({
      sse_algorithm: "aws:kms",
    });
    expect(resourcesOf(json, "aws_s3_bucket_lifecycle_configuration")[0].rule[0]).toMatchObject({
      status: "Enabled",
      noncurrent_version_expiration: [{ noncurrent_days: 90 }],
    });
    expect(resourcesOf(json, "aws_s3_bucket_notification")[0].eventbridge).toBe(true);
    expect(resourcesOf(json, "aws_s3_bucket_public_access_block")[0]).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    const [deny] = statementsOf(resourcesOf(json, "aws_s3_bucket_policy")[0].policy);
    expect(deny).toMatchObject({ Effect: "Deny", Principal: "*", Action: ["s3:*"], Condition: { Bool: { "aws:SecureTransport": "false" } } });
    expect(deny.Resource).toEqual(["arn:aws:s3:::acme-shop-tfstate-111111111111", "arn:aws:s3:::acme-shop-tfstate-111111111111/*"]);
    expect(json.terraform.backend.local).toBeDefined();
  });
});
