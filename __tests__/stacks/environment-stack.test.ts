import { Testing } from "cdktf";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { ENVIRONMENTS, loadEnvironments } from "../../environments";
import { repositoryArn, repositoryName } from "../../environments/naming";
import { EnvironmentStack } from "../../stacks/environment-stack";
import { envConfig, onlyResource, resourcesOf, statementsOf, synthJson, TEST_REPOSITORY, type SynthesizedStack } from "../helpers";

function synthEnv(overrides: Parameters<typeof envConfig>[0] = {}): { stack: EnvironmentStack; json: SynthesizedStack } {
  const stack = new EnvironmentStack(Testing.app(), envConfig(overrides));
  return { stack, json: synthJson(stack) };
}

const QA_REPOS = ["arn:aws:ecr:us-east-1:111111111111:repository/shop-api-qa", "arn:aws:ecr:us-east-1:111111111111:repository/shop-worker-qa"];

describe("ECR repositories", () => {
  const { json } = synthEnv();

  it("are named <app>-<service>-<env>, immutable, scanned on push, AES256 by default and not force-deletable", () => {
    expect(Testing.synth(new EnvironmentStack(Testing.app(), envConfig()))).toHaveResourceWithProperties(EcrRepository, {
      name: "shop-api-qa",
      image_tag_mutability: "IMMUTABLE",
      image_scanning_configuration: { scan_on_push: true },
      encryption_configuration: [{ encryption_type: "AES256" }],
      force_delete: false,
    });
    expect(
      resourcesOf(json, "aws_ecr_repository")
        .map((r) => r.name)
        .sort(),
    ).toEqual(["shop-api-qa", "shop-worker-qa"]);
  });

  it("honour a repository name override", () => {
    const { json: custom } = synthEnv({ services: [{ name: "api", repositoryName: "team/api" }] });
    expect(resourcesOf(custom, "aws_ecr_repository").map((r) => r.name)).toEqual(["team/api"]);
  });

  it("carry the configured lifecycle policy", () => {
    const policy = JSON.parse(resourcesOf(json, "aws_ecr_lifecycle_policy")[0].policy);
    expect(policy.rules).toHaveLength(5);
    expect(policy.rules[0].selection).toEqual({ tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 7 });
    expect(policy.rules.slice(1).map((r: any) => r.selection.tagPrefixList[0])).toEqual(["v", "release", "main", "develop"]);
  });

  it("have no repository policy without cross-account principals", () => {
    expect(resourcesOf(json, "aws_ecr_repository_policy")).toHaveLength(0);
  });

  it("let cross-account principals pull and never push", () => {
    const { json: shared } = synthEnv({ ecr: { crossAccountPullPrincipals: ["222222222222", "arn:aws:iam::333333333333:role/runtime"] } });
    const policies = resourcesOf(shared, "aws_ecr_repository_policy");
    expect(policies).toHaveLength(2);
    const [st] = statementsOf(policies[0].policy);
    expect(st.Principal).toEqual({ AWS: ["arn:aws:iam::222222222222:root", "arn:aws:iam::333333333333:role/runtime"] });
    expect(st.Action).toEqual(["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]);
    expect(st.Action.some((a) => /Put|Upload/.test(a))).toBe(false);
  });

  it("use a rotating customer managed key when KMS is chosen without a key ARN", () => {
    const { json: kms } = synthEnv({ ecr: { encryption: { type: "KMS" } } });
    const key = onlyResource(kms, "aws_kms_key");
    expect(key.enable_key_rotation).toBe(true);
    expect(onlyResource(kms, "aws_kms_alias").name).toBe("alias/shop-qa");
    const repo = resourcesOf(kms, "aws_ecr_repository")[0];
    expect(repo.encryption_configuration).toEqual([{ encryption_type: "KMS", kms_key: expect.stringMatching(/^\$\{aws_kms_key\..+\.arn\}$/) }]);
  });

  it("use a given KMS key for images (the environment key still encrypts parameters and logs)", () => {
    const arn = "arn:aws:kms:us-east-1:111111111111:key/0f6a3b2c-1111-2222-3333-444455556666";
    const { json: kms } = synthEnv({ ecr: { encryption: { type: "KMS", kmsKeyArn: arn } } });
    expect(resourcesOf(kms, "aws_kms_key")).toHaveLength(1);
    expect(resourcesOf(kms, "aws_ecr_repository")[0].encryption_configuration).toEqual([{ encryption_type: "KMS", kms_key: arn }]);
  });
});

describe("the environment key", () => {
  const { stack, json } = synthEnv();

  it("exists once per environment, rotated, even with AES256 images", () => {
    expect(onlyResource(json, "aws_kms_key")).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30 });
    expect(onlyResource(json, "aws_kms_alias").name).toBe("alias/shop-qa");
    expect(resourcesOf(json, "aws_ecr_repository")[0].encryption_configuration).toEqual([{ encryption_type: "AES256" }]);
  });

  it("encrypts the scan-finding log group (and, by alias, the credentials stack's parameters)", () => {
    const keyRef = /^\$\{aws_kms_key\.key_[A-Z0-9]+\.arn\}$/;
    expect(onlyResource(json, "aws_cloudwatch_log_group").kms_key_id).toMatch(keyRef);
    expect(onlyResource(json, "aws_kms_alias").name).toBe("alias/shop-qa");
  });

  it("lets CloudWatch Logs use it for that one log group only", () => {
    const logs = statementsOf(stack.key.policyJson).find((s) => s.Sid === "CloudWatchLogsEncryptsScanFindings")!;
    expect(logs.Principal).toEqual({ Service: ["logs.us-east-1.amazonaws.com"] });
    expect(logs.Condition).toEqual({
      ArnEquals: { "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-east-1:111111111111:log-group:/aws/events/ecr-scan/shop-qa" },
    });
  });
});

describe("scan findings", () => {
  const { json } = synthEnv();

  it("go from an EventBridge rule for this environment's repositories to a 30-day log group", () => {
    const rule = onlyResource(json, "aws_cloudwatch_event_rule");
    expect(JSON.parse(rule.event_pattern)).toEqual({
      source: ["aws.ecr"],
      "detail-type": ["ECR Image Scan"],
      detail: { "repository-name": ["shop-api-qa", "shop-worker-qa"] },
    });
    expect(onlyResource(json, "aws_cloudwatch_log_group")).toMatchObject({ name: "/aws/events/ecr-scan/shop-qa", retention_in_days: 30 });
    expect(onlyResource(json, "aws_cloudwatch_event_target").arn).toMatch(/aws_cloudwatch_log_group\..+\.arn/);
  });

  it("let EventBridge write only to that log group", () => {
    const [st] = statementsOf(onlyResource(json, "aws_cloudwatch_log_resource_policy").policy_document);
    expect(st.Resource).toEqual(["arn:aws:logs:us-east-1:111111111111:log-group:/aws/events/ecr-scan/shop-qa:*"]);
    expect(st.Principal.Service).toContain("events.amazonaws.com");
  });
});

describe("IAM users", () => {
  const { stack, json } = synthEnv();
  const ecr = statementsOf(stack.ecrUser.policyJson);
  const s3 = statementsOf(stack.s3User.policyJson);

  it("are two separate users", () => {
    expect(
      resourcesOf(json, "aws_iam_user")
        .map((u) => u.name)
        .sort(),
    ).toEqual(["shop-qa-ecr-user", "shop-qa-s3-user"]);
  });

  it("hold no secret in this stack's state: no access key, no parameter, no sensitive output", () => {
    expect(resourcesOf(json, "aws_iam_access_key")).toHaveLength(0);
    expect(resourcesOf(json, "aws_ssm_parameter")).toHaveLength(0);
    expect(Object.entries(json.output).filter(([, o]) => o.sensitive)).toEqual([]);
  });

  it("grant the ECR user GetAuthorizationToken as the only action on *", () => {
    const onStar = ecr.filter((s) => s.Resource!.includes("*"));
    expect(onStar).toEqual([{ Sid: "EcrLogin", Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: ["*"] }]);
  });

  it("scope every other ECR action to exactly this environment's repositories", () => {
    const scoped = ecr.find((s) => s.Sid === "EcrPushPullOwnRepositories")!;
    expect(scoped.Resource).toEqual(QA_REPOS);
    expect(scoped.Action).toEqual([
      "ecr:BatchCheckLayerAvailability",
      "ecr:BatchGetImage",
      "ecr:CompleteLayerUpload",
      "ecr:DescribeImages",
      "ecr:DescribeRepositories",
      "ecr:GetDownloadUrlForLayer",
      "ecr:InitiateLayerUpload",
      "ecr:ListImages",
      "ecr:PutImage",
      "ecr:UploadLayerPart",
    ]);
    expect(ecr).toHaveLength(2);
  });

  it("give the S3 user its buckets and nothing in ECR", () => {
    expect(s3.flatMap((s) => s.Action).every((a) => a.startsWith("s3:"))).toBe(true);
    expect(s3.flatMap((s) => s.Resource)).toEqual(["arn:aws:s3:::shop-qa-assets", "arn:aws:s3:::shop-qa-assets/*"]);
  });

  it("give KMS use only through ECR and only on the environment's key", () => {
    const { stack: kms } = synthEnv({ ecr: { encryption: { type: "KMS" } } });
    const st = statementsOf(kms.ecrUser.policyJson).find((s) => s.Sid === "EcrKmsKeyUse")!;
    expect(st.Condition).toEqual({
      StringEquals: { "kms:ViaService": "ecr.us-east-1.amazonaws.com" },
      "ForAnyValue:StringEquals": { "kms:ResourceAliases": ["alias/shop-qa"] },
    });
  });
});

describe("no environment's identities reach another environment's repositories", () => {
  const envs = loadEnvironments(ENVIRONMENTS);
  const stacks = envs.map((env) => new EnvironmentStack(Testing.app(), env));

  it.each(envs.map((e) => e.name))("%s: ECR user, deploy and plan roles name only its own repositories", (name) => {
    const stack = stacks.find((s) => s.env.name === name)!;
    const policies = [stack.ecrUser.policyJson, stack.deployRole.policyJson, stack.planRole!.policyJson];
    const repoResources = policies.flatMap((p) => statementsOf(p).flatMap((s) => s.Resource ?? [])).filter((r) => r.includes(":repository/"));
    expect(repoResources.length).toBeGreaterThan(0);
    const own = stack.env.services.map((s) => repositoryArn(stack.env, repositoryName(stack.env, s)));
    for (const r of repoResources) expect(own).toContain(r);
  });
});

describe("GitHub OIDC roles", () => {
  const { stack, json } = synthEnv();

  it("trust the account's provider by its ARN, computed from config (no remote state)", () => {
    const [st] = statementsOf(stack.deployRole.trustPolicyJson);
    expect(st.Principal).toEqual({ Federated: "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com" });
    expect(json.data?.terraform_remote_state).toBeUndefined();
    expect(resourcesOf(json, "aws_iam_openid_connect_provider")).toHaveLength(0);
  });

  it("deploy role: only the configured GitHub environment may assume it", () => {
    const [st] = statementsOf(stack.deployRole.trustPolicyJson);
    expect(st.Condition).toEqual({
      StringEquals: {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        "token.actions.githubusercontent.com:sub": "repo:acme@1001/shop@2002:environment:qa",
      },
    });
  });

  it("deploy role: a branch deploy pins refs/heads/<branch>", () => {
    const { stack: branch } = synthEnv({ github: { ...TEST_REPOSITORY, deployFrom: { kind: "branch", name: "main" } } });
    expect(statementsOf(branch.deployRole.trustPolicyJson)[0].Condition!.StringEquals["token.actions.githubusercontent.com:sub"]).toBe(
      "repo:acme@1001/shop@2002:ref:refs/heads/main",
    );
  });

  it("deploy role: may push to this environment's repositories", () => {
    const st = statementsOf(stack.deployRole.policyJson);
    expect(st.find((s) => s.Sid === "EcrPushPullOwnRepositories")!.Resource).toEqual(QA_REPOS);
    expect(st.find((s) => s.Sid === "EcrLogin")!.Resource).toEqual(["*"]);
  });

  it("plan role: pull requests of the repository only", () => {
    const [st] = statementsOf(stack.planRole!.trustPolicyJson);
    expect(st.Condition!.StringEquals["token.actions.githubusercontent.com:sub"]).toBe("repo:acme@1001/shop@2002:pull_request");
  });

  it("plan role: writes nothing, not even a state lock (pull requests plan with -lock=false)", () => {
    const st = statementsOf(stack.planRole!.policyJson);
    const writes = st.filter((s) => s.Action.some((a) => /:(Put|Delete|Create|Update|Upload|Complete|Initiate|Tag|Untag|Attach|Detach)/.test(a)));
    expect(writes).toEqual([]);
    expect(st.find((s) => s.Sid === "StateRead")!.Resource).toEqual(["arn:aws:s3:::acme-state-111111111111/shop/qa.tfstate"]);
  });

  it("plan role: no DynamoDB access when the lock is a table either", () => {
    const { stack: table } = synthEnv({
      state: { bucket: "acme-state-111111111111", key: "shop/qa.tfstate", region: "us-east-1", lock: { dynamodbTable: "tf-locks" } },
    });
    expect(
      statementsOf(table.planRole!.policyJson)
        .flatMap((s) => s.Action)
        .filter((a) => a.startsWith("dynamodb:")),
    ).toEqual([]);
  });

  it("plan role is absent when pull requests may not plan", () => {
    const { stack: none, json: noneJson } = synthEnv({
      github: { ...TEST_REPOSITORY, deployFrom: { kind: "environment", name: "qa" }, planOnPullRequests: false },
    });
    expect(none.planRole).toBeUndefined();
    expect(resourcesOf(noneJson, "aws_iam_role")).toHaveLength(1);
    expect(noneJson.output.plan_role_arn).toBeUndefined();
  });

  it("use the partition of the region (no hard-coded arn:aws)", () => {
    const { stack: cn } = synthEnv({ region: "cn-north-1", state: { bucket: "acme-state-111111111111", key: "shop/qa.tfstate", region: "cn-north-1" } });
    expect(statementsOf(cn.deployRole.trustPolicyJson)[0].Principal.Federated).toBe(
      "arn:aws-cn:iam::111111111111:oidc-provider/token.actions.githubusercontent.com",
    );
    expect(statementsOf(cn.ecrUser.policyJson)[1].Resource![0]).toBe("arn:aws-cn:ecr:cn-north-1:111111111111:repository/shop-api-qa");
  });
});

describe("runtime pull role (seed 002: App Runner / ECS pulls)", () => {
  it("is absent unless config names runtime services", () => {
    const { stack, json } = synthEnv();
    expect(stack.runtimePullRole).toBeUndefined();
    expect(json.output.runtime_pull_role_arn).toBeUndefined();
  });

  const { stack, json } = synthEnv({ ecr: { runtimePullServices: ["build.apprunner.amazonaws.com"], encryption: { type: "KMS" } } });

  it("is assumable by the named service only on behalf of this account", () => {
    expect(statementsOf(stack.runtimePullRole!.trustPolicyJson)).toEqual([
      {
        Sid: "RuntimeServicesOfThisAccount",
        Effect: "Allow",
        Principal: { Service: ["build.apprunner.amazonaws.com"] },
        Action: ["sts:AssumeRole"],
        Condition: { StringEquals: { "aws:SourceAccount": "111111111111" } },
      },
    ]);
  });

  it("may get the token and pull this environment's images, decrypt via ECR, nothing else", () => {
    const st = statementsOf(stack.runtimePullRole!.policyJson);
    expect(st.map((s) => [s.Sid, s.Action])).toEqual([
      ["EcrLogin", ["ecr:GetAuthorizationToken"]],
      ["EcrPullOwnRepositories", ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]],
      ["EcrKmsKeyUse", ["kms:Decrypt", "kms:DescribeKey"]],
    ]);
    expect(st[1].Resource).toEqual(QA_REPOS);
    expect(json.output.runtime_pull_role_arn).toBeDefined();
  });
});

describe("remote state", () => {
  const { json } = synthEnv();

  it("is an encrypted S3 backend with native lock file on the environment's own key", () => {
    expect(json.terraform.backend.s3).toEqual({
      bucket: "acme-state-111111111111",
      key: "shop/qa.tfstate",
      region: "us-east-1",
      encrypt: true,
      use_lockfile: true,
    });
  });

  it("points the backend at the emulator only when configured; the provider, set up for it, finds it through AWS_ENDPOINT_URL", () => {
    const { json: local } = synthEnv({ emulatorEndpoint: "https://127.0.0.1:4566" });
    expect(local.terraform.backend.s3.endpoints.s3).toBe("https://127.0.0.1:4566");
    expect(json.terraform.backend.s3.endpoints).toBeUndefined();
    // No `endpoints` block, in either case: hashicorp/aws spends ~2 CPU-s validating one in every provider process.
    expect(local.provider.aws[0]).not.toHaveProperty("endpoints");
    expect(json.provider.aws[0]).not.toHaveProperty("endpoints");
    expect(local.provider.aws[0]).toMatchObject({ s3_use_path_style: true, skip_credentials_validation: true, skip_metadata_api_check: "true" });
    expect(json.provider.aws[0]).not.toHaveProperty("s3_use_path_style");
    expect(json.provider.aws[0].allowed_account_ids).toEqual(["111111111111"]);
  });
});

describe("outputs", () => {
  const { json } = synthEnv();

  it("give repository URLs and ARNs per service, registry, account, region, login command and role ARNs", () => {
    expect(Object.keys(json.output).sort()).toEqual([
      "account_id",
      "api_repository_arn",
      "api_repository_name",
      "api_repository_url",
      "credentials_stack",
      "deploy_role_arn",
      "docker_login_command",
      "ecr_credentials_ssm_path",
      "ecr_registry",
      "ecr_user_name",
      "image_tag_mutability",
      "plan_role_arn",
      "region",
      "s3_user_name",
      "worker_repository_arn",
      "worker_repository_name",
      "worker_repository_url",
    ]);
    expect(json.output.docker_login_command.value).toBe(
      "aws ecr get-login-password --region us-east-1 | docker login --username AWS --password-stdin 111111111111.dkr.ecr.us-east-1.amazonaws.com",
    );
  });
});
