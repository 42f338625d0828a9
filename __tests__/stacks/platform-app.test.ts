import { Testing } from "cdktf";
import { loadEnvironments } from "../../environments";
import { addPlatformStacks } from "../../stacks/platform-app";
import { envInput, FIXTURE_APP_ENVIRONMENTS, resourcesOf, statementsOf, synthJson } from "../helpers";

describe("platform app", () => {
  const stacks = addPlatformStacks(Testing.app(), loadEnvironments(FIXTURE_APP_ENVIRONMENTS));
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

  it("gives no AWS provider an endpoints block; only the emulator's account is set up for an emulator (AWS_ENDPOINT_URL names it)", () => {
    // The fixture's emulator environment is `local`, in account 123456789012 (its bootstrap's).
    const ofEmulatorAccount = (id: string) => /^local(-|$)/.test(id) || id === "bootstrap-123456789012-us-east-1";
    const seen: string[] = [];
    for (const stack of [...stacks.environments, ...stacks.credentials, ...stacks.github, ...stacks.bootstrap]) {
      const id = stack.node.id;
      for (const p of (synthJson(stack).provider?.aws ?? []) as Record<string, unknown>[]) {
        const settings = [p.s3_use_path_style === true, p.skip_credentials_validation === true, p.skip_metadata_api_check === "true"];
        // Every provider of a stack, aliases included: all three settings or none, and no endpoints block.
        expect({ id, alias: p.alias, endpoints: p.endpoints, emulated: settings }).toEqual({
          id,
          alias: p.alias,
          endpoints: undefined,
          emulated: settings.map(() => ofEmulatorAccount(id)),
        });
        seen.push(id);
      }
    }
    expect(seen).toEqual(expect.arrayContaining(["local", "local-credentials", "bootstrap-123456789012-us-east-1", "dev"]));
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
    const buckets = resourcesOf(json, "aws_s3_bucket");
    expect(buckets.map((b) => [b.bucket, b.lifecycle])).toEqual([
      ["acme-shop-tfstate-111111111111-logs", { prevent_destroy: true }],
      ["acme-shop-tfstate-111111111111", { prevent_destroy: true }],
    ]);
    const sse = resourcesOf(json, "aws_s3_bucket_server_side_encryption_configuration")
      .map((r) => r.rule[0].apply_server_side_encryption_by_default.sse_algorithm)
      .sort();
    // State: SSE-KMS. Access logs: SSE-S3, the only encryption S3 delivers server access logs to.
    expect(sse).toEqual(["AES256", "aws:kms"]);
    expect(resourcesOf(json, "aws_s3_bucket_versioning").every((v) => v.versioning_configuration.status === "Enabled")).toBe(true);
    expect(
      resourcesOf(json, "aws_s3_bucket_lifecycle_configuration")
        .map((l) => l.rule[0].id)
        .sort(),
    ).toEqual(["expire-access-logs", "expire-old-state-versions"]);
    expect(resourcesOf(json, "aws_s3_bucket_notification").every((n) => n.eventbridge === true)).toBe(true);
    expect(resourcesOf(json, "aws_s3_bucket_public_access_block")).toHaveLength(2);
    for (const pab of resourcesOf(json, "aws_s3_bucket_public_access_block")) {
      expect(pab).toMatchObject({ block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true });
    }
    const [logging] = resourcesOf(json, "aws_s3_bucket_logging");
    expect(logging).toMatchObject({ target_prefix: "acme-shop-tfstate-111111111111/" });
    // S3 refuses a logging target whose policy does not yet admit its logging service.
    expect(logging.depends_on).toEqual([expect.stringMatching(/^aws_s3_bucket_policy\.logs-acme-shop-tfstate-111111111111_policy_[A-Z0-9]+$/)]);
    expect(logging.target_bucket).toMatch(/^\$\{aws_s3_bucket\.logs-acme-shop-tfstate-111111111111_bucket_[A-Z0-9]+\.bucket\}$/);
    const policies = resourcesOf(json, "aws_s3_bucket_policy").map((p) => statementsOf(p.policy));
    for (const statements of policies)
      expect(statements[0]).toMatchObject({
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: ["s3:*"],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      });
    const delivery = policies.flat().find((st) => st.Sid === "S3ServerAccessLogsOfTheStateBuckets")!;
    expect(delivery).toMatchObject({
      Principal: { Service: ["logging.s3.amazonaws.com"] },
      Action: ["s3:PutObject"],
      Resource: ["arn:aws:s3:::acme-shop-tfstate-111111111111-logs/*"],
      Condition: { ArnLike: { "aws:SourceArn": ["arn:aws:s3:::acme-shop-tfstate-111111111111"] }, StringEquals: { "aws:SourceAccount": "111111111111" } },
    });
    // Its own state, once `npm run bootstrap` has moved it there, is in the bucket it creates.
    expect(json.terraform.backend.s3).toMatchObject({
      bucket: "acme-shop-tfstate-111111111111",
      key: "bootstrap/bootstrap-111111111111-us-east-1.tfstate",
      use_lockfile: true,
    });
  });
});
