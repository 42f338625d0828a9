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
    return stack;
  });

  const groups = new Map<string, EnvironmentConfig[]>();
  for (const env of envs) {
    const key = `${env.accountId}|${env.state.region}`;
    groups.set(key, [...(groups.get(key) ?? []), env]);
  }
  const accountsWithProvider = new Set<string>();
  const bootstrap = [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, members]) => {
      const [accountId, region] = key.split("|");
      const owns = members[0].githubOidcProvider === "create" && !accountsWithProvider.has(accountId);
      if (owns) accountsWithProvider.add(accountId);
      return new BootstrapStack(app, { accountId, region, environments: members, ownsGithubOidcProvider: owns });
    });
  return { environments, credentials, github, bootstrap };
}
