import { Testing } from "cdktf";
import type { EnvironmentInput } from "../../environments";
import { GITHUB_PROVIDER_VERSION, GithubStack } from "../../stacks/github-stack";
import { envConfig, onlyResource, resourcesOf, synthJson, TEST_REPOSITORY } from "../helpers";

describe("GitHub stack", () => {
  const json = synthJson(new GithubStack(Testing.app(), envConfig()));

  it("writes the deploy job's variables into its GitHub environment", () => {
    expect(resourcesOf(json, "github_repository_environment")).toEqual([expect.objectContaining({ repository: "shop", environment: "qa" })]);
    const vars = Object.fromEntries(resourcesOf(json, "github_actions_environment_variable").map((v) => [v.variable_name, v.value]));
    expect(vars).toEqual({
      AWS_ROLE_ARN: "arn:aws:iam::111111111111:role/shop-qa-github-deploy",
      AWS_REGION: "us-east-1",
      ECR_REGISTRY: "111111111111.dkr.ecr.us-east-1.amazonaws.com",
      ECR_REPOSITORY_API: "111111111111.dkr.ecr.us-east-1.amazonaws.com/shop-api-qa",
      ECR_REPOSITORY_WORKER: "111111111111.dkr.ecr.us-east-1.amazonaws.com/shop-worker-qa",
    });
  });

  it("takes the owner from config and no token from anywhere but the provider's environment", () => {
    expect(json.provider.github).toEqual([{ owner: "acme" }]);
  });

  it("writes no secrets unless config asks for static keys", () => {
    expect(resourcesOf(json, "github_actions_environment_secret")).toHaveLength(0);
    expect(json.data?.aws_ssm_parameter).toBeUndefined();
  });

  it("reads static ECR keys from SSM (decrypted at apply, never from another stack's outputs) when asked", () => {
    const withKeys = synthJson(
      new GithubStack(
        Testing.app(),
        envConfig({ github: { ...TEST_REPOSITORY, deployFrom: { kind: "environment", name: "qa" }, publishStaticEcrKeys: true } }),
      ),
    );
    const secrets = resourcesOf(withKeys, "github_actions_environment_secret");
    expect(secrets.map((s) => s.secret_name).sort()).toEqual(["ECR_AWS_ACCESS_KEY_ID", "ECR_AWS_SECRET_ACCESS_KEY"]);
    // `value`, not the `plaintext_value` that 6.12 deprecated; no deprecated key is written at all.
    expect(secrets.every((s) => /^\$\{data\.aws_ssm_parameter\..+\.value\}$/.test(String(s.value)))).toBe(true);
    expect(secrets.flatMap((s) => ["plaintext_value", "encrypted_value", "destroy_on_drift"].filter((k) => k in s))).toEqual([]);
    // integrations/github plans no change for a secret edited in GitHub: the postcondition stops the plan and names the fix.
    for (const s of secrets) {
      expect(s.lifecycle).toEqual({
        postcondition: [
          {
            condition: '${self.remote_updated_at == "" || self.remote_updated_at == self.updated_at}',
            error_message: expect.stringContaining(`gh secret delete ${s.secret_name} --env qa --repo acme/shop`),
          },
        ],
      });
    }
    const params = Object.values(withKeys.data!.aws_ssm_parameter) as any[];
    expect(params.map((p) => [p.name, p.with_decryption]).sort()).toEqual([
      ["/shop/qa/ecr-aws-access-key-id", true],
      ["/shop/qa/ecr-aws-secret-access-key", true],
    ]);
    expect(withKeys.data!.terraform_remote_state).toBeUndefined();
  });

  it("uses suffixed repository-level values for branch deploys, where no GitHub environment exists", () => {
    const branch = synthJson(new GithubStack(Testing.app(), envConfig({ github: { ...TEST_REPOSITORY, deployFrom: { kind: "branch", name: "main" } } })));
    expect(resourcesOf(branch, "github_repository_environment")).toHaveLength(0);
    expect(
      resourcesOf(branch, "github_actions_variable")
        .map((v) => v.variable_name)
        .sort(),
    ).toEqual(["AWS_REGION_QA", "AWS_ROLE_ARN_QA", "ECR_REGISTRY_QA", "ECR_REPOSITORY_API_QA", "ECR_REPOSITORY_WORKER_QA"]);
  });

  it("keeps its state beside the environment's, under its own key", () => {
    expect(json.terraform.backend.s3).toMatchObject({ bucket: "acme-state-111111111111", key: "shop/qa-github.tfstate", encrypt: true, use_lockfile: true });
  });

  it("creates no OIDC subject template: immutable subjects need none", () => {
    expect(resourcesOf(json, "github_actions_repository_oidc_subject_claim_customization_template")).toHaveLength(0);
  });

  it("protects the deploy environment by default: only main may deploy, admins may not bypass, no self-review", () => {
    expect(onlyResource(json, "github_repository_environment")).toEqual(
      expect.objectContaining({
        wait_timer: 0,
        prevent_self_review: true,
        can_admins_bypass: false,
        deployment_branch_policy: { protected_branches: false, custom_branch_policies: true },
      }),
    );
    expect(onlyResource(json, "github_repository_environment").reviewers).toBeUndefined();
    expect(resourcesOf(json, "github_repository_environment_deployment_policy")).toEqual([
      {
        repository: "shop",
        environment: expect.stringMatching(/^\$\{github_repository_environment\.actions_environment_[0-9A-F]+\.environment\}$/),
        branch_pattern: "main",
      },
    ]);
  });

  it("writes reviewers, wait timer, branch and tag patterns as configured", () => {
    const protection = {
      deploymentRefs: { branches: ["main", "release/*"], tags: ["v*"] },
      reviewers: { users: [11], teams: [22, 33] },
      waitTimerMinutes: 15,
      preventSelfReview: false,
    };
    const protectedJson = synthJson(
      new GithubStack(Testing.app(), envConfig({ github: { ...TEST_REPOSITORY, deployFrom: { kind: "environment", name: "qa", protection } } })),
    );
    expect(onlyResource(protectedJson, "github_repository_environment")).toEqual(
      expect.objectContaining({ wait_timer: 15, prevent_self_review: false, reviewers: [{ users: [11], teams: [22, 33] }] }),
    );
    const patterns = resourcesOf(protectedJson, "github_repository_environment_deployment_policy").map((p) => p.branch_pattern ?? `tag:${p.tag_pattern}`);
    expect(patterns.sort()).toEqual(["main", "release/*", "tag:v*"]);
  });

  it("lets the repository's protected branches deploy when configured so, with no pattern resources", () => {
    const byProtected = synthJson(
      new GithubStack(
        Testing.app(),
        envConfig({ github: { ...TEST_REPOSITORY, deployFrom: { kind: "environment", name: "qa", protection: { deploymentRefs: "protected-branches" } } } }),
      ),
    );
    expect(onlyResource(byProtected, "github_repository_environment").deployment_branch_policy).toEqual({
      protected_branches: true,
      custom_branch_policies: false,
    });
    expect(resourcesOf(byProtected, "github_repository_environment_deployment_policy")).toHaveLength(0);
  });

  it("pins integrations/github to the tested 6.13 line, not the bindings' 6.9.0", () => {
    expect(json.terraform.required_providers.github).toEqual({ source: "integrations/github", version: GITHUB_PROVIDER_VERSION });
    expect(GITHUB_PROVIDER_VERSION).toBe("~> 6.13.0");
  });

  describe("static ECR keys as repository secrets, an explicit choice for branch and tag deploys", () => {
    const repositorySecrets = (deployFrom: EnvironmentInput["github"]["deployFrom"]) =>
      envConfig({ github: { ...TEST_REPOSITORY, deployFrom, publishStaticEcrKeys: true, staticEcrKeySecrets: "repository" } });

    it.each([
      ["branch", { kind: "branch", name: "main" }],
      ["tag", { kind: "tag", name: "v1" }],
    ] as const)("%s deploy: suffixed repository secrets read from SSM, no environment, no deprecated arguments", (_kind, deployFrom) => {
      const out = synthJson(new GithubStack(Testing.app(), repositorySecrets(deployFrom)));
      expect(resourcesOf(out, "github_repository_environment")).toHaveLength(0);
      expect(resourcesOf(out, "github_actions_environment_secret")).toHaveLength(0);
      const secrets = resourcesOf(out, "github_actions_secret");
      expect(secrets.map((s) => [s.secret_name, s.value]).sort()).toEqual([
        ["ECR_AWS_ACCESS_KEY_ID_QA", expect.stringMatching(/^\$\{data\.aws_ssm_parameter\..+\.value\}$/)],
        ["ECR_AWS_SECRET_ACCESS_KEY_QA", expect.stringMatching(/^\$\{data\.aws_ssm_parameter\..+\.value\}$/)],
      ]);
      expect(secrets.flatMap((s) => ["plaintext_value", "destroy_on_drift"].filter((k) => k in s))).toEqual([]);
    });

    it.each<[string, EnvironmentInput["github"], RegExp]>([
      [
        "repository secrets with an environment deploy",
        { ...TEST_REPOSITORY, deployFrom: { kind: "environment", name: "qa" }, publishStaticEcrKeys: true, staticEcrKeySecrets: "repository" },
        /- qa\.github\.staticEcrKeySecrets: must be "environment" with an environment deploy: the keys stay in the protected environment 'qa'/,
      ],
      [
        "static keys for a branch deploy without the explicit choice",
        { ...TEST_REPOSITORY, deployFrom: { kind: "branch", name: "main" }, publishStaticEcrKeys: true },
        /- qa\.github\.publishStaticEcrKeys: needs a GitHub environment deploy source, or staticEcrKeySecrets: "repository" .*every workflow on every branch/,
      ],
      [
        "the choice without publishing",
        { ...TEST_REPOSITORY, deployFrom: { kind: "tag", name: "v1" }, staticEcrKeySecrets: "repository" },
        /- qa\.github\.staticEcrKeySecrets: has no effect without publishStaticEcrKeys: true/,
      ],
    ])("refuses %s", (_case, github, message) => {
      expect(() => envConfig({ github })).toThrow(message);
    });

    it("defaults to the protected environment", () => {
      expect(envConfig().github.staticEcrKeySecrets).toBe("environment");
    });
  });
});
