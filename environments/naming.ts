import { dnsSuffixOf } from "./regions";
import { ecrRepositoryArn, iamResourceArn } from "../constructs/aws-partition";
import { GITHUB_OIDC_HOST, type GithubRepositoryRef } from "../constructs/github-oidc";
import type { EnvironmentConfig } from "./schema";

/**
 * Every name and ARN the platform derives from config, in one place, so that
 * policies name concrete resources and tests, the doctor and the stacks agree.
 */
type NamingInput = Pick<EnvironmentConfig, "app" | "name" | "accountId" | "region">;
type Service = EnvironmentConfig["services"][number];

export { GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_HOST } from "../constructs/github-oidc";

export function repositoryName(env: NamingInput, service: Service): string {
  return service.repositoryName ?? `${env.app}-${service.name}-${env.name}`;
}

export function repositoryArn(env: NamingInput, name: string): string {
  return ecrRepositoryArn(env.region, env.accountId, name);
}

export function registryHost(env: Pick<EnvironmentConfig, "accountId" | "region">): string {
  return `${env.accountId}.dkr.ecr.${env.region}.${dnsSuffixOf(env.region)}`;
}

/** Output and variable form of a service name: `payment-api` -> `payment_api` (`api.v2` and `api-v2` collide; config refuses that). */
export const outputKey = (service: string) => service.replace(/[^a-z0-9]+/g, "_");

export const prefixOf = (env: NamingInput) => `${env.app}-${env.name}`;
export const ecrUserName = (env: NamingInput) => `${prefixOf(env)}-ecr-user`;
export const s3UserName = (env: NamingInput) => `${prefixOf(env)}-s3-user`;
export const deployRoleName = (env: NamingInput) => `${prefixOf(env)}-github-deploy`;
export const planRoleName = (env: NamingInput) => `${prefixOf(env)}-github-plan`;
export const runtimePullRoleName = (env: NamingInput) => `${prefixOf(env)}-ecr-pull`;
/** The environment key (SSM key pairs, scan logs, ECR when KMS is chosen). */
export const kmsAliasName = (env: NamingInput) => `alias/${prefixOf(env)}`;
export const scanLogGroupName = (env: NamingInput) => `/aws/events/ecr-scan/${prefixOf(env)}`;
export const scanRuleName = (env: NamingInput) => `${prefixOf(env)}-ecr-scan-findings`;
export const ssmPath = (env: NamingInput, leaf: string) => `/${env.app}/${env.name}/${leaf}`;
/** SSM parameter leaf names of a user's active key pair: `/{app}/{env}/ecr-aws-access-key-id` and `…-secret-access-key`. */
export const keyParameterLeaves = (user: "ecr" | "s3") => ({ accessKeyId: `${user}-aws-access-key-id`, secretAccessKey: `${user}-aws-secret-access-key` });

/** Where a state bucket's server access logs go (one log bucket per state bucket). */
export const accessLogBucketName = (stateBucket: string) => `${stateBucket}-logs`;

/** Stacks beside the environment's own, each with its own state object. */
export const credentialsStackName = (env: Pick<EnvironmentConfig, "name">) => `${env.name}-credentials`;
export const githubStackName = (env: Pick<EnvironmentConfig, "name">) => `${env.name}-github`;
/** The stack of an account's state bucket, OIDC provider and registry settings (one per account and region). */
export const bootstrapStackName = (accountId: string, region: string) => `bootstrap-${accountId}-${region}`;
/** State key of a bootstrap stack, once `npm run bootstrap` has moved its state into its bucket. */
export const bootstrapStateKey = (accountId: string, region: string) => `bootstrap/${bootstrapStackName(accountId, region)}.tfstate`;
/** Every stack an environment adds, by what it holds. */
export const environmentStackNames = (env: Pick<EnvironmentConfig, "name">) =>
  ({ environment: env.name, credentials: credentialsStackName(env), github: githubStackName(env) }) as const;

/** Suffix of repository-level GitHub variables (deploys without a GitHub environment): `b-qa` -> `B_QA`. */
export const githubRepositoryLevelSuffix = (env: Pick<EnvironmentConfig, "name">) => env.name.toUpperCase().replace(/-/g, "_");

/** The GitHub variable holding a service's repository URL: `payment-api` -> `ECR_REPOSITORY_PAYMENT_API`. */
export const repositoryVariableName = (service: string) => `ECR_REPOSITORY_${outputKey(service).toUpperCase()}`;

/** The variables the GitHub stack writes for the deploy job, by key (before any repository-level suffix). */
export function githubVariables(env: Pick<EnvironmentConfig, "app" | "name" | "accountId" | "region" | "services">): Record<string, string> {
  const variables: Record<string, string> = { AWS_ROLE_ARN: deployRoleArn(env), AWS_REGION: env.region, ECR_REGISTRY: registryHost(env) };
  for (const service of env.services) {
    variables[repositoryVariableName(service.name)] = `${registryHost(env)}/${repositoryName(env, service)}`;
  }
  return variables;
}

/**
 * Where GitHub keeps each variable and its final name: in the deploy source's
 * GitHub environment unsuffixed, otherwise at repository level with
 * `_<ENV>`. GitHub compares repository and variable names case-insensitively,
 * so `scope` is lower case.
 */
export function githubVariableNames(env: Pick<EnvironmentConfig, "app" | "name" | "accountId" | "region" | "services" | "github">): {
  scope: string;
  name: string;
}[] {
  const repository = env.github.repository.toLowerCase();
  const deploy = env.github.deployFrom;
  return Object.keys(githubVariables(env)).map((key) =>
    deploy.kind === "environment"
      ? { scope: `${repository} environment ${deploy.name.toLowerCase()}`, name: key }
      : { scope: repository, name: `${key}_${githubRepositoryLevelSuffix(env)}` },
  );
}

/** State key of a sibling stack: `shop/dev.tfstate` -> `shop/dev-credentials.tfstate`. */
export const siblingStateKey = (env: Pick<EnvironmentConfig, "state">, sibling: "credentials" | "github") =>
  env.state.key.replace(/\.tfstate$/, `-${sibling}.tfstate`);

/** The S3 backend's `workspace_key_prefix` (not set, so Terraform's and OpenTofu's default). */
export const S3_BACKEND_WORKSPACE_KEY_PREFIX = "env:";

/**
 * The exact `prefix` values an environment stack's plan lists its state bucket
 * with: the S3 backend's workspace listing (`<workspace_key_prefix>/`, which
 * holds non-default workspaces only, and the platform uses none), its own state
 * key, and the GitHub stack's state key (the check that the protected GitHub
 * environment was applied first). No other environment's key starts with one
 * of these unless config refuses it (a state object claimed twice).
 */
export const planListPrefixes = (env: Pick<EnvironmentConfig, "state">): string[] => [
  `${S3_BACKEND_WORKSPACE_KEY_PREFIX}/`,
  env.state.key,
  siblingStateKey(env, "github"),
];

export function iamArn(env: Pick<EnvironmentConfig, "accountId" | "region">, resource: string): string {
  return iamResourceArn(env.region, env.accountId, resource);
}

export const deployRoleArn = (env: NamingInput) => iamArn(env, `role/${deployRoleName(env)}`);
export const planRoleArn = (env: NamingInput) => iamArn(env, `role/${planRoleName(env)}`);

export function githubOidcProviderArn(env: Pick<EnvironmentConfig, "accountId" | "region">): string {
  return iamArn(env, `oidc-provider/${GITHUB_OIDC_HOST}`);
}

/** The environment's repository as its OIDC tokens name it (schema guarantees the ids for `immutable`). */
export function githubRepositoryRef(env: Pick<EnvironmentConfig, "github">): GithubRepositoryRef {
  const [owner, name] = env.github.repository.split("/");
  const g = env.github;
  if (g.subjectFormat === "legacy") return { owner, name, subjectFormat: "legacy" };
  if (g.ownerId === undefined || g.repositoryId === undefined)
    throw new Error(`${env.github.repository}: immutable subjects need github.ownerId and github.repositoryId`);
  return { owner, name, subjectFormat: "immutable", ownerId: g.ownerId, repositoryId: g.repositoryId };
}

export { s3BucketArn } from "../constructs/aws-partition";
