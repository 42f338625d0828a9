import { Testing } from "cdktf";
import { loadEnvironments } from "../../environments";
import { addPlatformStacks } from "../../stacks/platform-app";
import { CredentialsStack } from "../../stacks/credentials-stack";
import { envConfig, envInput, resourcesOf, synthJson, TEST_REPOSITORY } from "../helpers";

describe("credentials stack", () => {
  const json = synthJson(new CredentialsStack(Testing.app(), envConfig()));

  it("keeps its state under its own key beside the environment's, encrypted and locked", () => {
    expect(json.terraform.backend.s3).toMatchObject({
      bucket: "acme-state-111111111111",
      key: "shop/qa-credentials.tfstate",
      encrypt: true,
      use_lockfile: true,
    });
  });

  it("holds one active key per user at generation 1, for the users the environment stack creates", () => {
    expect(
      resourcesOf(json, "aws_iam_access_key")
        .map((k) => [k.user, k.status])
        .sort(),
    ).toEqual([
      ["shop-qa-ecr-user", "Active"],
      ["shop-qa-s3-user", "Active"],
    ]);
  });

  it("publishes both key pairs as SecureString parameters under /{app}/{env}/, encrypted with the environment key by alias", () => {
    const params = resourcesOf(json, "aws_ssm_parameter");
    expect(params.map((p) => p.name).sort()).toEqual([
      "/shop/qa/ecr-aws-access-key-id",
      "/shop/qa/ecr-aws-secret-access-key",
      "/shop/qa/s3-aws-access-key-id",
      "/shop/qa/s3-aws-secret-access-key",
    ]);
    expect(params.every((p) => p.type === "SecureString" && p.key_id === "alias/shop-qa")).toBe(true);
  });

  it("keeps the users' outputs (terraform output -raw ecr_aws_secret_access_key), every key marked sensitive", () => {
    const sensitive = Object.entries(json.output)
      .filter(([, o]) => o.sensitive)
      .map(([k]) => k)
      .sort();
    expect(sensitive).toEqual(["ecr_aws_access_key_id", "ecr_aws_secret_access_key", "s3_aws_access_key_id", "s3_aws_secret_access_key"]);
    expect(json.output.ecr_aws_secret_access_key.value).toMatch(/^\$\{aws_iam_access_key\.ecr-key_key-g1_[A-Z0-9]+\.secret\}$/);
  });

  it("during an overlap keeps both keys, publishes the new one and outputs the previous id as sensitive", () => {
    const overlap = synthJson(new CredentialsStack(Testing.app(), envConfig({ keyRotation: { ecr: { generation: 2, previousKey: "active" } } })));
    const ecrKeys = resourcesOf(overlap, "aws_iam_access_key").filter((k) => k.user === "shop-qa-ecr-user");
    expect(ecrKeys.map((k) => k.status)).toEqual(["Active", "Active"]);
    expect(overlap.output.ecr_aws_secret_access_key.value).toMatch(/key-g2/);
    expect(overlap.output.ecr_previous_access_key_id).toMatchObject({ sensitive: true });
    expect(overlap.output.ecr_key_generation.value).toBe("2");
  });

  it("makes the protected GitHub environment exist before the role that trusts it", () => {
    const stacks = addPlatformStacks(Testing.app(), loadEnvironments([envInput()]));
    expect(stacks.environments[0].dependencies).toEqual([stacks.github[0]]);
  });

  it("is deployed after the environment stack (users, key) and before a GitHub stack that publishes its keys", () => {
    const envs = loadEnvironments([envInput({ github: { ...TEST_REPOSITORY, deployFrom: { kind: "environment", name: "qa" }, publishStaticEcrKeys: true } })]);
    const stacks = addPlatformStacks(Testing.app(), envs);
    expect(stacks.credentials[0].dependencies).toEqual([stacks.environments[0]]);
    expect(stacks.github[0].dependencies).toEqual([stacks.credentials[0]]);
  });
});
