import { DataAwsSsmParameter } from "@cdktf/provider-aws/lib/data-aws-ssm-parameter";
import { GithubProvider } from "@cdktf/provider-github/lib/provider";
import { TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { githubRepositoryLevelSuffix, githubStackName, githubVariables, keyParameterLeaves, ssmPath } from "../environments/naming";
import type { EnvironmentConfig } from "../environments/schema";
import { platformAwsProvider } from "../constructs/aws-provider";
import { environmentRemoteState, providerPropsOf } from "./environment-providers";
import { GithubActionsSettings } from "../constructs/github-actions-settings";

/**
 * integrations/github for every GitHub stack: the 6.13 line, patch releases
 * only. 6.9.0 (the bindings' version) panics in its deployment-policies data
 * source; 6.11 and 6.12 rewrote how secrets, variables and environments are
 * read and stored (state migrations that call the repository API,
 * `remote_updated_at`, `repository_id`), and a state written by a newer minor
 * cannot be read by an older one, so a minor upgrade is a tested change
 * (`__tests__/e2e/github-upgrade.test.ts`), never a side effect of `init`.
 * docs/github.md says what this version does about drift.
 */
export const GITHUB_PROVIDER_VERSION = "~> 6.13.0";

/**
 * One environment's GitHub side: the variables (and optionally secrets) its
 * deploy job reads. Static keys go into the deploy's protected GitHub
 * environment, or, when config chooses `staticEcrKeySecrets: "repository"`
 * (branch and tag deploys only), into repository secrets suffixed `_<ENV>`. A separate stack so the AWS side deploys without a
 * GitHub token; values are computed from config, not cross-stack references,
 * and secret values are read from SSM at apply time.
 */
export class GithubStack extends TerraformStack {
  readonly settings: GithubActionsSettings;

  constructor(
    scope: Construct,
    readonly env: EnvironmentConfig,
  ) {
    super(scope, githubStackName(env));
    const [owner, repo] = env.github.repository.split("/");
    // The token comes from GITHUB_TOKEN in the provider's own environment, never from config.
    new GithubProvider(this, "github", { owner });
    this.addOverride("terraform.required_providers.github.version", GITHUB_PROVIDER_VERSION);
    environmentRemoteState(this, env, "github");

    // One derivation for the stack and for config's collision check (environments/rules.ts).
    const variables = githubVariables(env);

    let secrets: Record<string, string> | undefined;
    if (env.github.publishStaticEcrKeys) {
      platformAwsProvider(this, "aws", providerPropsOf(env));
      const read = (id: string, leaf: string) => new DataAwsSsmParameter(this, id, { name: ssmPath(env, leaf), withDecryption: true }).value;
      const leaves = keyParameterLeaves("ecr");
      // Read at apply, so a rotation reaches GitHub on this stack's next apply (the SSM values are the active key).
      secrets = {
        ECR_AWS_ACCESS_KEY_ID: read("ecr-key-id", leaves.accessKeyId),
        ECR_AWS_SECRET_ACCESS_KEY: read("ecr-secret", leaves.secretAccessKey),
      };
    }

    const deploy = env.github.deployFrom;
    this.settings = new GithubActionsSettings(this, "actions", {
      repositoryName: repo,
      repositoryOwner: owner,
      githubEnvironment: deploy.kind === "environment" ? deploy.name : undefined,
      protection: deploy.kind === "environment" ? deploy.protection : undefined,
      repositoryLevelSuffix: githubRepositoryLevelSuffix(env),
      variables,
      secrets,
    });
  }
}
