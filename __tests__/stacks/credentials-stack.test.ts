import { Testing, type TerraformStack } from "cdktf";
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

  /** The order checks of a stack: the state key each one waits for, and the command its failure names. */
  const prerequisitesOf = (stack: TerraformStack) =>
    Object.values<{ prefix: string; lifecycle: { postcondition: { condition: string; error_message: string }[] } }>(
      JSON.parse(Testing.synth(stack)).data?.aws_s3_objects ?? {},
    ).map((d) => ({
      key: d.prefix,
      condition: d.lifecycle.postcondition[0].condition,
      command: /Run `([^`]+)` first/.exec(d.lifecycle.postcondition[0].error_message)?.[1],
    }));

  it("has no cdktf-level dependencies, so that `cdktf deploy <stack>` runs as typed", () => {
    const stacks = addPlatformStacks(Testing.app(), loadEnvironments([envInput()]));
    expect([...stacks.environments, ...stacks.credentials, ...stacks.github, ...stacks.bootstrap].map((s) => s.dependencies)).toEqual(
      Array(stacks.environments.length * 3 + stacks.bootstrap.length).fill([]),
    );
  });

  it("makes the protected GitHub environment exist before the role that trusts it: the environment's plan fails until the GitHub stack has state", () => {
    const stacks = addPlatformStacks(Testing.app(), loadEnvironments([envInput()]));
    expect(prerequisitesOf(stacks.environments[0])).toEqual([
      { key: "shop/qa-github.tfstate", condition: '${contains(self.keys, "shop/qa-github.tfstate")}', command: "cdktf deploy qa-github" },
    ]);
    expect(prerequisitesOf(stacks.credentials[0])).toEqual([
      { key: "shop/qa.tfstate", condition: '${contains(self.keys, "shop/qa.tfstate")}', command: "cdktf deploy qa" },
    ]);
  });

  it("with keys published to GitHub: credentials after the environment, the GitHub stack after the credentials", () => {
    const envs = loadEnvironments([envInput({ github: { ...TEST_REPOSITORY, deployFrom: { kind: "environment", name: "qa" }, publishStaticEcrKeys: true } })]);
    const stacks = addPlatformStacks(Testing.app(), envs);
    expect(prerequisitesOf(stacks.credentials[0]).map((p) => p.command)).toEqual(["cdktf deploy qa"]);
    expect(prerequisitesOf(stacks.github[0]).map((p) => p.command)).toEqual(["cdktf deploy qa-credentials"]);
    expect(prerequisitesOf(stacks.environments[0])).toEqual([]);
  });
});
