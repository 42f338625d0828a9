import { ActionsEnvironmentSecret } from "@cdktf/provider-github/lib/actions-environment-secret";
import { ActionsEnvironmentVariable } from "@cdktf/provider-github/lib/actions-environment-variable";
import { ActionsSecret } from "@cdktf/provider-github/lib/actions-secret";
import { ActionsVariable } from "@cdktf/provider-github/lib/actions-variable";
import { RepositoryEnvironment } from "@cdktf/provider-github/lib/repository-environment";
import { RepositoryEnvironmentDeploymentPolicy } from "@cdktf/provider-github/lib/repository-environment-deployment-policy";
import { Construct } from "constructs";

/** Who may run jobs in a GitHub environment, and who must approve them. */
export interface EnvironmentProtection {
  /** `protected-branches`, or the branch and tag patterns allowed to deploy (at least one). */
  readonly deploymentRefs: "protected-branches" | { readonly branches: readonly string[]; readonly tags: readonly string[] };
  /** Required reviewers by numeric GitHub id. */
  readonly reviewers: { readonly users: readonly number[]; readonly teams: readonly number[] };
  readonly preventSelfReview: boolean;
  readonly waitTimerMinutes: number;
  readonly adminsCanBypass: boolean;
}

export interface GithubActionsSettingsProps {
  /** Repository name without the owner (the provider carries the owner). */
  readonly repositoryName: string;
  /** The repository's owner, for the commands that messages name (the provider carries it for the API). */
  readonly repositoryOwner: string;
  /**
   * GitHub environment that holds the values. When undefined they become
   * repository-level values, suffixed `_<SUFFIX>` so environments do not collide.
   */
  readonly githubEnvironment?: string;
  /** Protection of `githubEnvironment`; required with it, since the provider sends the environment whole. */
  readonly protection?: EnvironmentProtection;
  /** Suffix for repository-level names, e.g. `DEV`. Required without `githubEnvironment`. */
  readonly repositoryLevelSuffix?: string;
  readonly variables: Readonly<Record<string, string>>;
  /** Secret values (may be Terraform tokens); written only when given. @default {} */
  readonly secrets?: Readonly<Record<string, string>>;
}

const NAME = /^[A-Z][A-Z0-9_]*$/;

/**
 * CI variables and secrets in the place the deploy job reads
 * them: its GitHub environment, whose name the deploy role's trust requires.
 */
export class GithubActionsSettings extends Construct {
  /** Final names as the workflows see them. */
  readonly variableNames: string[] = [];
  readonly secretNames: string[] = [];

  constructor(scope: Construct, id: string, props: GithubActionsSettingsProps) {
    super(scope, id);
    const envName = props.githubEnvironment;
    if (!envName && !props.repositoryLevelSuffix) throw new Error("repository-level GitHub settings need a suffix");
    const nameOf = (n: string) => {
      if (!NAME.test(n)) throw new Error(`GitHub variable or secret name '${n}' must be UPPER_SNAKE_CASE`);
      return envName ? n : `${n}_${props.repositoryLevelSuffix}`;
    };
    if (envName && !props.protection)
      throw new Error(`GitHub environment '${envName}' needs its protection: an unprotected environment lets any branch assume its role`);
    const environment = envName && props.protection ? this.protectedEnvironment(props.repositoryName, envName, props.protection) : undefined;

    for (const [key, value] of Object.entries(props.variables)) {
      const name = nameOf(key);
      this.variableNames.push(name);
      if (environment) {
        new ActionsEnvironmentVariable(this, `var-${key}`, {
          repository: props.repositoryName,
          environment: environment.environment,
          variableName: name,
          value,
        });
      } else {
        new ActionsVariable(this, `var-${key}`, { repository: props.repositoryName, variableName: name, value });
      }
    }
    for (const [key, value] of Object.entries(props.secrets ?? {})) {
      const name = nameOf(key);
      this.secretNames.push(name);
      const where = envName
        ? `environment '${envName}' of ${props.repositoryOwner}/${props.repositoryName}`
        : `${props.repositoryOwner}/${props.repositoryName}`;
      const remove = `gh secret delete ${name}${envName ? ` --env ${envName}` : ""} --repo ${props.repositoryOwner}/${props.repositoryName}`;
      // integrations/github 6.13 records an edit made in GitHub (remote_updated_at moves past updated_at)
      // but plans no change, so the edited value would stay: the plan stops here instead.
      const lifecycle = {
        postcondition: [
          {
            condition: '${self.remote_updated_at == "" || self.remote_updated_at == self.updated_at}',
            errorMessage:
              `Secret ${name} in ${where} was changed in GitHub after Terraform wrote it, and integrations/github does not write it back by itself. ` +
              `Delete it (${remove}) and deploy this stack again: it is written anew with the configured value.`,
          },
        ],
      };
      const secret = environment
        ? new ActionsEnvironmentSecret(this, `secret-${key}`, {
            repository: props.repositoryName,
            environment: environment.environment,
            secretName: name,
            lifecycle,
          })
        : new ActionsSecret(this, `secret-${key}`, { repository: props.repositoryName, secretName: name, lifecycle });
      // `value` replaced `plaintext_value` in integrations/github 6.12 (the bindings predate it).
      secret.addOverride("value", value);
    }
  }

  private protectedEnvironment(repository: string, name: string, protection: EnvironmentProtection): RepositoryEnvironment {
    const refs = protection.deploymentRefs;
    const { users, teams } = protection.reviewers;
    if (refs !== "protected-branches" && refs.branches.length + refs.tags.length === 0) {
      throw new Error(`GitHub environment '${name}' needs at least one allowed branch or tag`);
    }
    const environment = new RepositoryEnvironment(this, "environment", {
      repository,
      environment: name,
      waitTimer: protection.waitTimerMinutes,
      preventSelfReview: protection.preventSelfReview,
      canAdminsBypass: protection.adminsCanBypass,
      reviewers: users.length + teams.length > 0 ? [{ users: [...users], teams: [...teams] }] : undefined,
      deploymentBranchPolicy: { protectedBranches: refs === "protected-branches", customBranchPolicies: refs !== "protected-branches" },
    });
    if (refs !== "protected-branches") {
      const policy = (id: string, pattern: { branchPattern: string } | { tagPattern: string }) =>
        new RepositoryEnvironmentDeploymentPolicy(this, id, { repository, environment: environment.environment, ...pattern });
      // A pattern added by hand in GitHub is no resource of this stack, so no plan shows it:
      // `npm run doctor -- github <env>` reads the whole list (scripts/doctor/github-protection.ts).
      refs.branches.forEach((branchPattern) => policy(`deploy-branch-${branchPattern}`, { branchPattern }));
      refs.tags.forEach((tagPattern) => policy(`deploy-tag-${tagPattern}`, { tagPattern }));
    }
    return environment;
  }
}
