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
  bootstrapStackName,
  bootstrapStateKey,
  environmentStackNames,
  githubRepositoryLevelSuffix,
  githubVariableNames,
  credentialsStackName,
  deployRoleName,
  ecrUserName,
  githubOidcProviderArn,
  githubRepositoryRef,
  githubStackName,
  kmsAliasName,
  outputKey,
  planListPrefixes,
  planRoleName,
  repositoryName,
  repositoryVariableName,
  runtimePullRoleName,
  S3_BACKEND_WORKSPACE_KEY_PREFIX,
  s3UserName,
  scanLogGroupName,
  scanRuleName,
  siblingStateKey,
  ssmPath,
} from "./naming";
import { partitionOf } from "./regions";
import type { EnvironmentConfig } from "./schema";

/**
 * The limits these rules enforce, each with the AWS reference it comes from
 * (docs/config-refusals.md lists the same table for users).
 */
export const AWS_LIMITS = {
  iamName: { max: 64, source: "IAM User Guide, IAM and AWS STS quotas: user and role names, 64 characters" },
  /** IAM counts an inline policy's characters without white space; the users' policies sit on a group of their own. */
  groupInlinePolicy: { max: 5_120, source: "IAM User Guide, IAM and AWS STS quotas: group policy size, 5,120 characters (aggregate, no white space)" },
  roleInlinePolicy: { max: 10_240, source: "IAM User Guide, IAM and AWS STS quotas: role policy size, 10,240 characters (aggregate, no white space)" },
  trustPolicy: { max: 2_048, source: "IAM User Guide, IAM and AWS STS quotas: role trust policy length, 2,048 characters (default)" },
  eventRuleName: { max: 64, source: "EventBridge API Reference, PutRule: Name, length 1-64" },
  repositoryName: { max: 256, source: "ECR API Reference, CreateRepository: repositoryName, length 2-256" },
  tagsPerResource: { max: 50, source: "Tagging AWS Resources User Guide: 50 user-created tags per resource" },
  bucketName: { max: 63, source: "S3 User Guide, general purpose bucket naming rules: 3-63 characters" },
  replicationFilters: { max: 100, source: "ECR API Reference, ReplicationRule: repositoryFilters, 1-100 items" },
  replicationFilter: {
    max: 256,
    pattern: /^(?:[a-z0-9]+(?:[._-][a-z0-9]*)*\/)*[a-z0-9]*(?:[._-][a-z0-9]*)*$/,
    source: "ECR API Reference, RepositoryFilter: filter, length 2-256, pattern ^(?:[a-z0-9]+(?:[._-][a-z0-9]*)*/)*[a-z0-9]*(?:[._-][a-z0-9]*)*$",
  },
  replicationPartition: { source: "ECR User Guide, private image replication: cross-Region replication is not supported between AWS partitions" },
} as const;

const IAM_NAME_MAX = AWS_LIMITS.iamName.max;
const GROUP_INLINE_POLICY_MAX = AWS_LIMITS.groupInlinePolicy.max;
const ROLE_INLINE_POLICY_MAX = AWS_LIMITS.roleInlinePolicy.max;
const TRUST_POLICY_MAX = AWS_LIMITS.trustPolicy.max;
const EVENT_RULE_NAME_MAX = AWS_LIMITS.eventRuleName.max;
const REPOSITORY_NAME_MAX = AWS_LIMITS.repositoryName.max;
const TAGS_MAX = AWS_LIMITS.tagsPerResource.max;
const S3_BUCKET_NAME_MAX = AWS_LIMITS.bucketName.max;
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

  const refs = env.github.deployFrom.kind === "environment" ? env.github.deployFrom.protection.deploymentRefs : "protected-branches";
  if (refs !== "protected-branches") {
    for (const kind of ["branches", "tags"] as const) {
      // Each pattern is a resource whose construct id is the pattern with '/' written as '--' (constructs' rule).
      const ids = new Map<string, number>();
      refs[kind].forEach((pattern, i) => {
        const id = pattern.replace(/\//g, "--");
        const first = ids.get(id);
        const field = `github.deployFrom.protection.deploymentRefs.${kind}[${i}]`;
        if (first === undefined) ids.set(id, i);
        else if (refs[kind][first] === pattern) at(field, `${JSON.stringify(pattern)} is listed twice (also ${kind}[${first}])`);
        else
          at(
            field,
            `${JSON.stringify(pattern)} and ${kind}[${first}] ${JSON.stringify(refs[kind][first])} differ only by '/' versus '--', which the stack cannot tell apart: keep one`,
          );
      });
    }
  }

  (env.ecr.registry?.replicateTo ?? []).forEach((d, i) => {
    const field = `ecr.registry.replicateTo[${i}]`;
    if (partitionOf(d.region) !== partitionOf(env.region))
      at(
        `${field}.region`,
        `${d.region} is in partition ${partitionOf(d.region)}, the registry in ${partitionOf(env.region)}: ${AWS_LIMITS.replicationPartition.source}`,
      );
    const first = env.ecr.registry!.replicateTo.findIndex((o) => o.region === d.region && (o.accountId ?? env.accountId) === (d.accountId ?? env.accountId));
    if (first < i)
      at(field, `the same destination as replicateTo[${first}] (${d.region}, account ${d.accountId ?? env.accountId}): ECR refuses a destination listed twice`);
  });
  (env.ecr.registry?.scanFilters ?? []).forEach((f, i) => {
    const dup = env.ecr.registry!.scanFilters.indexOf(f);
    if (dup < i) at(`ecr.registry.scanFilters[${i}]`, `${JSON.stringify(f)} is listed twice (also scanFilters[${dup}])`);
  });
  const arnPartition = (arn: string) => arn.split(":")[1];
  const kmsKeyArn = env.ecr.encryption.type === "KMS" ? env.ecr.encryption.kmsKeyArn : undefined;
  if (kmsKeyArn && arnPartition(kmsKeyArn) !== partitionOf(env.region))
    at("ecr.encryption.kmsKeyArn", `is an ARN of partition ${arnPartition(kmsKeyArn)}, but ${env.region} is in ${partitionOf(env.region)}`);
  env.ecr.crossAccountPullPrincipals.forEach((p, i) => {
    if (p.startsWith("arn:") && arnPartition(p) !== partitionOf(env.region))
      at(
        `ecr.crossAccountPullPrincipals[${i}]`,
        `is an ARN of partition ${arnPartition(p)}, but ${env.region} is in ${partitionOf(env.region)}: no principal of another partition can be granted`,
      );
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
    // Name the field that holds the text: a pattern's own error, or the bigger share of a too-long policy.
    const message = (err as Error).message;
    const size = (xs: readonly string[]) => xs.reduce((n, x) => n + x.length + 8, 0);
    const field = /pattern/.test(message) || size(env.ecr.taggedPatterns) > size(env.ecr.taggedPrefixes) ? "ecr.taggedPatterns" : "ecr.taggedPrefixes";
    at(field, message);
  }
  for (const [what, doc, max] of [
    ["the ECR user's group policy", renderPolicy(ecrUserPolicy(env), "identity"), GROUP_INLINE_POLICY_MAX],
    ["the S3 user's group policy", renderPolicy(s3UserPolicy(env), "identity"), GROUP_INLINE_POLICY_MAX],
    ["the deploy role's inline policy", renderPolicy(deployRolePolicy(env), "identity"), ROLE_INLINE_POLICY_MAX],
    ["the plan role's inline policy", renderPolicy(planRolePolicy(env), "identity"), ROLE_INLINE_POLICY_MAX],
    ["the runtime pull role's inline policy", renderPolicy(runtimePullPolicy(env), "identity"), ROLE_INLINE_POLICY_MAX],
  ] as const) {
    const length = policyLength(doc);
    if (length > max)
      at(
        what.includes("S3") ? "s3UserBuckets" : "services",
        `${what} is ${length} characters; IAM allows ${max} (fewer services per environment, or shorter names)`,
      );
  }
  const trust = policyLength(renderPolicy(githubTrustPolicy(githubOidcProviderArn(env), githubRepositoryRef(env), [env.github.deployFrom]), "trust"));
  if (trust > TRUST_POLICY_MAX) at("github.deployFrom.name", `the deploy role's trust policy is ${trust} characters; IAM allows ${TRUST_POLICY_MAX}`);

  const key = env.state.key;
  if (key.startsWith("/")) at("state.key", "must not start with '/' (terraform init refuses it)");
  if (/[*?]/.test(key)) at("state.key", "must not contain '*' or '?': the plan role's read permission would cover other objects");
  if (key.includes("//")) at("state.key", "must not contain '//'");
  if (key.startsWith(S3_BACKEND_WORKSPACE_KEY_PREFIX))
    at("state.key", `must not start with '${S3_BACKEND_WORKSPACE_KEY_PREFIX}': the S3 backend keeps workspaces there, and every plan role may list it`);
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
  const owners = new Map<string, { env: string; what: string }>();
  const claim = (scope: string, name: string, env: EnvironmentConfig, field: string, what: string) => {
    const key = `${scope}|${name}`;
    const owner = owners.get(key);
    if (!owner) owners.set(key, { env: env.name, what });
    else if (owner.env !== env.name)
      problems.push(`${env.name}.${field}: ${what} '${name}' is also ${owner.env}'s${owner.what === what ? "" : ` ${owner.what}`}`);
  };
  // Bootstrap stacks are shared by every environment of their account and region: claimed once, up front.
  for (const env of envs)
    for (const region of [env.state.region, env.region]) {
      owners.set(`stack|${bootstrapStackName(env.accountId, region)}`, { env: "the platform", what: "bootstrap stack" });
      // The bootstrap stack's state moves into a state bucket of its account: its key is taken in each.
      owners.set(`state/${env.state.bucket}|${bootstrapStateKey(env.accountId, region)}`, { env: "the platform", what: "bootstrap stack's state" });
    }
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
    // Stack names are the construct ids of the app: a clash is a constructs error, so it is claimed here first.
    const stacks = environmentStackNames(env);
    for (const [kind, stack] of Object.entries(stacks)) claim("stack", stack, env, "name", `stack name (its ${kind} stack)`);
    // Repository-level variables carry the environment as a suffix, so two environments can spell one name
    // (`b-qa` + service `a` and `qa` + service `a-b`); variables of a GitHub environment are unique with its deploy subject.
    const serviceOf = new Map(env.services.map((svc, i) => [repositoryVariableName(svc.name), i]));
    for (const v of env.github.deployFrom.kind === "environment" ? [] : githubVariableNames(env)) {
      const key = v.name.slice(0, -(githubRepositoryLevelSuffix(env).length + 1));
      const i = serviceOf.get(key);
      claim(`github-variable/${v.scope}`, v.name.toUpperCase(), env, i === undefined ? "name" : `services[${i}].name`, `GitHub variable of ${v.scope}`);
    }
    const stateObjects: [string, string][] = [
      ["state.key", env.state.key],
      [`state.key (derived for ${credentialsStackName(env)})`, siblingStateKey(env, "credentials")],
      [`state.key (derived for ${githubStackName(env)})`, siblingStateKey(env, "github")],
    ];
    for (const [field, key] of stateObjects) claim(`state/${env.state.bucket}`, key, env, field, "state object");
  }
  // A plan role lists its bucket by exact prefixes (planListPrefixes): no other state's name may start with one.
  for (const lister of envs) {
    for (const prefix of planListPrefixes(lister).filter((p) => !p.startsWith(S3_BACKEND_WORKSPACE_KEY_PREFIX))) {
      for (const env of envs) {
        if (env.name === lister.name || env.state.bucket !== lister.state.bucket) continue;
        for (const [field, key] of [
          ["state.key", env.state.key],
          [`state.key (derived for ${credentialsStackName(env)})`, siblingStateKey(env, "credentials")],
          [`state.key (derived for ${githubStackName(env)})`, siblingStateKey(env, "github")],
        ] as const) {
          if (key !== prefix && key.startsWith(prefix))
            problems.push(
              `${env.name}.${field}: '${key}' starts with '${prefix}', which ${lister.name}'s plan role may list: choose a key that does not extend another's`,
            );
        }
      }
    }
  }
  // Replication copies every repository of the registry: one prefix filter each, in one rule.
  const registries = new Map<string, { first: EnvironmentConfig; repositories: Set<string> }>();
  for (const env of envs) {
    if (!env.ecr.registry || env.ecr.registry.replicateTo.length === 0) continue;
    const key = `${env.accountId}/${env.region}`;
    const group = registries.get(key) ?? { first: env, repositories: new Set<string>() };
    registries.set(key, group);
    const before = group.repositories.size;
    env.services.forEach((svc) => group.repositories.add(repositoryName(env, svc)));
    const max = AWS_LIMITS.replicationFilters.max;
    if (group.repositories.size > max && before <= max)
      problems.push(
        `${env.name}.services: the registry of account ${env.accountId} in ${env.region} replicates ${group.repositories.size} repositories, one filter each; ${AWS_LIMITS.replicationFilters.source}`,
      );
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
