import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import type { App, TerraformStack } from "cdktf";
import { platformAwsProvider } from "../constructs/aws-provider";
import { StackPrerequisite } from "../constructs/stack-prerequisite";
import { credentialsStackName, githubStackName, siblingStateKey } from "../environments/naming";
import { providerPropsOf } from "./environment-providers";
import type { EnvironmentConfig } from "../environments/schema";
import { BootstrapStack } from "./bootstrap-stack";
import { CredentialsStack } from "./credentials-stack";
import { EnvironmentStack } from "./environment-stack";
import { GithubStack } from "./github-stack";

export interface PlatformStacks {
  readonly environments: EnvironmentStack[];
  readonly credentials: CredentialsStack[];
  readonly github: GithubStack[];
  readonly bootstrap: BootstrapStack[];
}

/**
 * Adds every stack for validated environments: per environment an AWS stack,
 * a credentials stack and a GitHub stack; per account and state region a bootstrap stack, the
 * first of each account owning its GitHub OIDC provider unless config says
 * the provider already exists.
 */
export function addPlatformStacks(app: App, envs: readonly EnvironmentConfig[]): PlatformStacks {
  const environments = envs.map((env) => new EnvironmentStack(app, env));
  const credentials = envs.map((env) => new CredentialsStack(app, env));
  const github = envs.map((env) => new GithubStack(app, env));
  // No cdktf-level dependencies: `cdktf deploy <stack>` must run as typed (the CLI refuses a stack
  // whose dependencies are not selected). Each stack's plan instead fails, naming the command to
  // run, while a stack it needs has no state yet.
  envs.forEach((env, i) => {
    // Keys need their users (and the environment key).
    requireApplied(credentials[i], env, env.state.key, `The access keys belong to the IAM users of environment '${env.name}'.`, `cdktf deploy ${env.name}`);
    if (env.github.publishStaticEcrKeys) {
      // The GitHub secrets are read from the keys' SSM parameters. (The deploy role then exists
      // before its GitHub environment: `doctor github` confirms the protection after the first apply.)
      requireApplied(
        github[i],
        env,
        siblingStateKey(env, "credentials"),
        `The GitHub secrets of environment '${env.name}' are read from its access keys' SSM parameters.`,
        `cdktf deploy ${credentialsStackName(env)}`,
      );
    } else if (env.github.deployFrom.kind === "environment") {
      // The deploy role trusts `environment:<name>`, and GitHub creates an unknown environment,
      // unprotected, the first time a job names it: the protected environment must exist first.
      requireApplied(
        environments[i],
        env,
        siblingStateKey(env, "github"),
        `The deploy role trusts GitHub environment '${env.github.deployFrom.name}', which must exist, protected, before any role trusts it.`,
        `cdktf deploy ${githubStackName(env)}`,
      );
    }
  });

  // One bootstrap stack per account and region that holds a state bucket or a registry.
  const groups = new Map<string, { state: EnvironmentConfig[]; registry: EnvironmentConfig[] }>();
  const group = (accountId: string, region: string) => {
    const key = `${accountId}|${region}`;
    if (!groups.has(key)) groups.set(key, { state: [], registry: [] });
    return groups.get(key)!;
  };
  for (const env of envs) {
    group(env.accountId, env.state.region).state.push(env);
    group(env.accountId, env.region).registry.push(env);
  }
  const accountsWithProvider = new Set<string>();
  const bootstrap = [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, members]) => {
      const [accountId, region] = key.split("|");
      const first = members.state[0] ?? members.registry[0];
      const owns = first.githubOidcProvider === "create" && !accountsWithProvider.has(accountId);
      if (owns) accountsWithProvider.add(accountId);
      return new BootstrapStack(app, { accountId, region, environments: members.state, registryEnvironments: members.registry, ownsGithubOidcProvider: owns });
    });
  for (const stack of [...environments, ...credentials, ...github, ...bootstrap]) pinAwsProvider(stack);
  return { environments, credentials, github, bootstrap };
}

/**
 * hashicorp/aws releases the stacks accept. The bindings describe 6.25; 5.100 is the oldest release
 * they are proven with (the emulator runs use it where the registry is out of reach). With the
 * registry, the engine takes the newest 6.x and records it in the stack's lock file.
 */
export const AWS_PROVIDER_CONSTRAINT = ">= 5.100.0, < 7.0.0";

function pinAwsProvider(stack: TerraformStack): void {
  if (stack.node.findAll().some((c) => c instanceof AwsProvider)) stack.addOverride("terraform.required_providers.aws.version", AWS_PROVIDER_CONSTRAINT);
}

function requireApplied(stack: TerraformStack, env: EnvironmentConfig, stateKey: string, reason: string, command: string): void {
  // The state bucket may sit in another region than the stack's resources.
  let provider: AwsProvider | undefined;
  if (env.state.region !== env.region) {
    provider = platformAwsProvider(stack, "aws-state-region", { ...providerPropsOf(env), region: env.state.region });
    provider.alias = "state_region";
  }
  new StackPrerequisite(stack, `requires-${stateKey.replace(/[^A-Za-z0-9]+/g, "-")}`, { stateBucket: env.state.bucket, stateKey, reason, command, provider });
}
