import type { App } from "cdktf";
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
  // Keys need their users (and the environment key); GitHub secrets read the keys' parameters.
  const credentials = envs.map((env, i) => {
    const stack = new CredentialsStack(app, env);
    stack.addDependency(environments[i]);
    return stack;
  });
  const github = envs.map((env, i) => {
    const stack = new GithubStack(app, env);
    if (env.github.publishStaticEcrKeys) stack.addDependency(credentials[i]);
    // The deploy role trusts `environment:<name>`, and GitHub creates an unknown environment,
    // unprotected, the first time a job names it: the protected environment must exist before
    // the role does. (With published keys the GitHub stack needs the credentials, which need
    // the environment stack: then `doctor github` confirms the protection after the first apply.)
    else environments[i].addDependency(stack);
    return stack;
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
  return { environments, credentials, github, bootstrap };
}
