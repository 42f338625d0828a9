/**
 * What AWS and Terraform would reject, or what would open a hole, checked at
 * synth time against every derived name and document, so that a config that
 * synthesizes also deploys. Each rule returns `env.field: problem` lines.
 * Limits are AWS's documented ones (IAM quotas, ECR, S3 bucket naming, SSM,
 * EventBridge, tagging).
 */
import { githubSubject, githubTrustPolicy } from "../constructs/github-oidc";
import { renderLifecyclePolicy, standardLifecycleRules } from "../constructs/lifecycle-policy";
import { renderPolicy } from "../constructs/policy-document";
import { deployRolePolicy, ecrUserPolicy, planRolePolicy, runtimePullPolicy, s3UserPolicy } from "../stacks/platform-policies";
import {
  accessLogBucketName,
  credentialsStackName,
  deployRoleName,
  ecrUserName,
  githubOidcProviderArn,
  githubRepositoryRef,
  githubStackName,
  kmsAliasName,
  outputKey,
  planRoleName,
  repositoryName,
  runtimePullRoleName,
  s3UserName,
  scanLogGroupName,
  scanRuleName,
  siblingStateKey,
  ssmPath,
} from "./naming";
import type { EnvironmentConfig } from "./schema";

const IAM_NAME_MAX = 64;
/** IAM counts an inline policy's characters without white space; users have 2,048 in all, roles 10,240. */
const USER_INLINE_POLICY_MAX = 2_048;
const ROLE_INLINE_POLICY_MAX = 10_240;
const TRUST_POLICY_MAX = 2_048;
const EVENT_RULE_NAME_MAX = 64;
const REPOSITORY_NAME_MAX = 256;
const TAGS_MAX = 50;
const S3_BUCKET_NAME_MAX = 63;
/** Tags the provider adds to every resource (aws-provider.ts default_tags). */
const DEFAULT_TAG_KEYS = ["Application", "Environment", "ManagedBy"];

const policyLength = (json: string) => json.replace(/\s/g, "").length;

/** S3's bucket naming rules beyond the character pattern the schema checks. */
export function bucketNameProblem(bucket: string): string | undefined {
  if (bucket.includes("..")) return "must not contain '..'";
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(bucket)) return "must not be formatted as an IP address";
  for (const prefix of ["xn--", "sthree-", "amzn-s3-demo-"]) if (bucket.startsWith(prefix)) return `must not start with '${prefix}' (reserved by S3)`;
  for (const suffix of ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"])
    if (bucket.endsWith(suffix)) return `must not end with '${suffix}' (reserved by S3)`;
  return undefined;
}

/** Rules on one environment's derived names and documents. */
export function environmentProblems(env: EnvironmentConfig): string[] {
  const problems: string[] = [];
  const at = (field: string, problem: string) => problems.push(`${env.name}.${field}: ${problem}`);

  if (/^(aws|ssm)/i.test(env.app)) at("app", "must not start with 'aws' or 'ssm': SSM reserves those parameter paths");
  for (const [what, name] of [
    ["ECR user name", ecrUserName(env)],
    ["S3 user name", s3UserName(env)],
    ["deploy role name", deployRoleName(env)],
    ["plan role name", planRoleName(env)],
    ["runtime pull role name", runtimePullRoleName(env)],
  ] as const) {
    if (name.length > IAM_NAME_MAX) at("app", `${what} '${name}' is ${name.length} characters; IAM allows ${IAM_NAME_MAX} (shorten app or name)`);
  }
  if (scanRuleName(env).length > EVENT_RULE_NAME_MAX)
    at(
      "app",
      `EventBridge rule name '${scanRuleName(env)}' is ${scanRuleName(env).length} characters; EventBridge allows ${EVENT_RULE_NAME_MAX} (shorten app or name)`,
    );

  const keys = new Map<string, number>();
  env.services.forEach((svc, i) => {
    const repo = repositoryName(env, svc);
    if (repo.length > REPOSITORY_NAME_MAX) at(`services[${i}]`, `repository name '${repo}' is ${repo.length} characters; ECR allows ${REPOSITORY_NAME_MAX}`);
    const key = outputKey(svc.name);
    const first = keys.get(key);
    if (first !== undefined) at(`services[${i}].name`, `'${svc.name}' and services[${first}] both become the output and variable name '${key}'`);
    else keys.set(key, i);
  });

  try {
    renderLifecyclePolicy(
      standardLifecycleRules({
        taggedPrefixes: env.ecr.taggedPrefixes,
        taggedPatterns: env.ecr.taggedPatterns,
        keepLast: env.ecr.imageRetentionCount,
        untaggedExpiryDays: env.ecr.untaggedExpiryDays,
      }),
    );
  } catch (err) {
    at("ecr.taggedPrefixes", (err as Error).message);
  }
  for (const [what, doc, max] of [
    ["the ECR user's inline policy", renderPolicy(ecrUserPolicy(env), "identity"), USER_INLINE_POLICY_MAX],
    ["the S3 user's inline policy", renderPolicy(s3UserPolicy(env), "identity"), USER_INLINE_POLICY_MAX],
    ["the deploy role's inline policy", renderPolicy(deployRolePolicy(env), "identity"), ROLE_INLINE_POLICY_MAX],
    ["the plan role's inline policy", renderPolicy(planRolePolicy(env), "identity"), ROLE_INLINE_POLICY_MAX],
    ["the runtime pull role's inline policy", renderPolicy(runtimePullPolicy(env), "identity"), ROLE_INLINE_POLICY_MAX],
  ] as const) {
    const length = policyLength(doc);
    if (length > max) at("services", `${what} is ${length} characters; IAM allows ${max} (fewer services per environment, or shorter names)`);
  }
  const trust = policyLength(renderPolicy(githubTrustPolicy(githubOidcProviderArn(env), githubRepositoryRef(env), [env.github.deployFrom]), "trust"));
  if (trust > TRUST_POLICY_MAX) at("github.deployFrom.name", `the deploy role's trust policy is ${trust} characters; IAM allows ${TRUST_POLICY_MAX}`);

  const key = env.state.key;
  if (key.startsWith("/")) at("state.key", "must not start with '/' (terraform init refuses it)");
  if (/[*?]/.test(key)) at("state.key", "must not contain '*' or '?': the plan role's read permission would cover other objects");
  if (key.includes("//")) at("state.key", "must not contain '//'");
  const bucketProblem = bucketNameProblem(env.state.bucket);
  if (bucketProblem) at("state.bucket", bucketProblem);
  const logBucket = accessLogBucketName(env.state.bucket);
  if (logBucket.length > S3_BUCKET_NAME_MAX)
    at(
      "state.bucket",
      `its access log bucket '${logBucket}' is ${logBucket.length} characters; S3 allows ${S3_BUCKET_NAME_MAX} (shorten the state bucket's name)`,
    );
  if (env.state.lock !== "lockfile" && !/^[A-Za-z0-9_.-]{3,255}$/.test(env.state.lock.dynamodbTable)) {
    at("state.lock.dynamodbTable", "must be 3-255 of A-Z a-z 0-9 _ . - (no wildcard: the plan role's lock permission names it)");
  }
  env.s3UserBuckets.forEach((b, i) => {
    const p = bucketNameProblem(b);
    if (p) at(`s3UserBuckets[${i}]`, p);
    if (b === env.state.bucket) at(`s3UserBuckets[${i}]`, `'${b}' is the state bucket: the S3 user would read every state in it, secrets included`);
    if (b === accessLogBucketName(env.state.bucket))
      at(`s3UserBuckets[${i}]`, `'${b}' is the state bucket's access log: the S3 user would read and forge its audit trail`);
  });

  const tagKeys = Object.keys(env.tags);
  if (tagKeys.length + DEFAULT_TAG_KEYS.length > TAGS_MAX)
    at("tags", `${tagKeys.length} tags plus the ${DEFAULT_TAG_KEYS.length} the platform adds exceed AWS's ${TAGS_MAX} per resource`);
  for (const k of tagKeys) {
    if (/^aws:/i.test(k)) at(`tags.${k}`, "keys starting with 'aws:' are reserved by AWS");
    if (DEFAULT_TAG_KEYS.includes(k)) at(`tags.${k}`, "is set by the platform on every resource");
  }
  for (const [k, v] of Object.entries(env.tags)) {
    if (!/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u.test(v))
      at(`tags.${k}`, "value has characters AWS does not allow in tags (letters, digits, spaces and _ . : / = + - @)");
  }
  return problems;
}

/** Names AWS requires unique within an account (IAM) or an account and region (the rest). */
function scopedNames(env: EnvironmentConfig): [string, string][] {
  const regional = (what: string, name: string): [string, string] => [`${env.accountId}/${env.region}/${what}`, name];
  return [
    [`${env.accountId}/iam-user`, ecrUserName(env)],
    [`${env.accountId}/iam-user`, s3UserName(env)],
    [`${env.accountId}/iam-role`, deployRoleName(env)],
    [`${env.accountId}/iam-role`, planRoleName(env)],
    [`${env.accountId}/iam-role`, runtimePullRoleName(env)],
    regional("kms-alias", kmsAliasName(env)),
    regional("log-group", scanLogGroupName(env)),
    regional("event-rule", scanRuleName(env)),
    regional("ssm-path", ssmPath(env, "")),
  ];
}

/** Rules across environments: uniqueness of every scoped name, of deploy subjects and state objects, and shared stacks. */
export function crossEnvironmentRuleProblems(envs: readonly EnvironmentConfig[]): string[] {
  const problems: string[] = [];
  const owners = new Map<string, string>();
  const claim = (scope: string, name: string, env: EnvironmentConfig, field: string, what: string) => {
    const key = `${scope}|${name}`;
    const owner = owners.get(key);
    if (owner && owner !== env.name) problems.push(`${env.name}.${field}: ${what} '${name}' is also ${owner}'s`);
    else owners.set(key, env.name);
  };
  for (const env of envs) {
    for (const [scope, name] of scopedNames(env)) claim(scope, name, env, "name", scope.split("/").pop()!.replace("-", " "));
    // GitHub compares owner and repository names case-insensitively; so must the uniqueness of subjects.
    const subject = githubSubject(githubRepositoryRef(env), env.github.deployFrom);
    claim(
      "deploy-subject",
      subject.toLowerCase(),
      env,
      "github.deployFrom",
      "deploy subject (one job could assume both roles and write both environments' variables)",
    );
    const stateObjects: [string, string][] = [
      ["state.key", env.state.key],
      [`state.key (derived for ${credentialsStackName(env)})`, siblingStateKey(env, "credentials")],
      [`state.key (derived for ${githubStackName(env)})`, siblingStateKey(env, "github")],
    ];
    for (const [field, key] of stateObjects) claim(`state/${env.state.bucket}`, key, env, field, "state object");
  }
  const stateBuckets = new Map(envs.flatMap((e) => [[e.state.bucket, e.name] as const, [accessLogBucketName(e.state.bucket), e.name] as const]));
  const userBuckets = new Map<string, string>();
  for (const env of envs) {
    env.s3UserBuckets.forEach((b, i) => {
      const stateOwner = stateBuckets.get(b);
      if (stateOwner && stateOwner !== env.name) problems.push(`${env.name}.s3UserBuckets[${i}]: '${b}' is ${stateOwner}'s state bucket`);
      const owner = userBuckets.get(b);
      if (owner && owner !== env.name)
        problems.push(`${env.name}.s3UserBuckets[${i}]: '${b}' is already ${owner}'s bucket; an environment's S3 user reaches only its own`);
      else userBuckets.set(b, env.name);
    });
  }
  // A bootstrap stack (state bucket, OIDC provider, registry) is shared per account and region: one endpoint for all of it.
  const endpoints = new Map<string, { env: string; endpoint?: string }>();
  for (const env of envs) {
    for (const region of new Set([env.state.region, env.region])) {
      const key = `${env.accountId}/${region}`;
      const first = endpoints.get(key);
      if (!first) endpoints.set(key, { env: env.name, endpoint: env.emulatorEndpoint });
      else if (first.endpoint !== env.emulatorEndpoint) {
        problems.push(
          `${env.name}.emulatorEndpoint: ${env.emulatorEndpoint ?? "real AWS"} but ${first.env} shares account ${env.accountId} and region ${region} (one bootstrap stack) with ${first.endpoint ?? "real AWS"}`,
        );
      }
    }
  }
  return problems;
}
