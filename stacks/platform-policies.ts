import { iamArn, kmsAliasName, planListPrefixes, repositoryArn, repositoryName, s3BucketArn, scanLogGroupName, scanRuleName } from "../environments/naming";
import { formatArn, logGroupArn, regionalServiceHost } from "../constructs/aws-partition";
import type { EnvironmentConfig } from "../environments/schema";
import { ecrGrantStatements, ecrPullStatements } from "../constructs/ecr-actions";
import type { PolicyDocument, PolicyStatement } from "../constructs/policy-document";
import { identityNamesOf } from "./identity-names";

/**
 * The identity policies of an environment, as data computed from config
 * alone: every resource is a concrete ARN of this environment.
 */
export function environmentRepositoryArns(env: EnvironmentConfig): string[] {
  return env.services.map((s) => repositoryArn(env, repositoryName(env, s)));
}

/** Every KMS key of the environment's account and region (identity policies narrow them by alias or ViaService). */
const environmentKeyArns = (env: EnvironmentConfig) => formatArn({ region: env.region, service: "kms", account: env.accountId, resource: "key/*" });

/** Push and pull split in two: the registry token on "*" alone (it names no repository), everything else on this environment's repositories. */
function ecrPushPullStatements(env: EnvironmentConfig): PolicyStatement[] {
  return ecrGrantStatements(environmentRepositoryArns(env), ["pull", "push", "describe"], { sid: "EcrPushPullOwnRepositories" });
}

function kmsUseStatements(env: EnvironmentConfig): PolicyStatement[] {
  if (env.ecr.encryption.type !== "KMS") return [];
  // ECR encrypts and decrypts layers with the caller's grant on the key.
  const keyResource = env.ecr.encryption.kmsKeyArn ?? environmentKeyArns(env);
  return [
    {
      sid: "EcrKmsKeyUse",
      actions: ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
      resources: [keyResource],
      conditions: {
        StringEquals: { "kms:ViaService": regionalServiceHost("ecr", env.region) },
        ...(env.ecr.encryption.kmsKeyArn ? {} : { "ForAnyValue:StringEquals": { "kms:ResourceAliases": [kmsAliasName(env)] } }),
      },
    },
  ];
}

/** Push, pull and describe this environment's images: the ECR user and the deploy role hold the same rights. */
export function ecrUserPolicy(env: EnvironmentConfig): PolicyDocument {
  return { statements: [...ecrPushPullStatements(env), ...kmsUseStatements(env)] };
}

export const deployRolePolicy = ecrUserPolicy;

/** What a runtime (App Runner, ECS) needs to start containers: the token and pull, nothing else. */
export function runtimePullPolicy(env: EnvironmentConfig): PolicyDocument {
  return {
    statements: [
      ...ecrPullStatements(environmentRepositoryArns(env), { sid: "EcrPullOwnRepositories" }),
      ...kmsUseStatements(env).map((st) => ({ ...st, actions: ["kms:Decrypt", "kms:DescribeKey"] })),
    ],
  };
}

/** Trust for the runtime pull role: the configured services, only on behalf of this account (confused deputy). */
export function runtimePullTrustPolicy(env: EnvironmentConfig): PolicyDocument {
  return {
    statements: [
      {
        sid: "RuntimeServicesOfThisAccount",
        actions: ["sts:AssumeRole"],
        principal: { Service: env.ecr.runtimePullServices },
        conditions: { StringEquals: { "aws:SourceAccount": env.accountId } },
      },
    ],
  };
}

export function s3UserPolicy(env: EnvironmentConfig): PolicyDocument {
  const buckets = env.s3UserBuckets.map((b) => s3BucketArn(env.region, b));
  return {
    statements: [
      { sid: "ListOwnBuckets", actions: ["s3:ListBucket", "s3:GetBucketLocation"], resources: buckets },
      { sid: "ReadWriteOwnObjects", actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], resources: buckets.map((b) => `${b}/*`) },
    ],
  };
}

/** Object keys of the state and of its S3 lock file. */
export function stateObjectArns(env: EnvironmentConfig): { bucket: string; state: string; lock: string } {
  const bucket = s3BucketArn(env.state.region, env.state.bucket);
  return { bucket, state: `${bucket}/${env.state.key}`, lock: `${bucket}/${env.state.key}.tflock` };
}

/**
 * Read-only for `plan` on pull requests: read this environment's state,
 * and describe (never change) its resources. No write at all, not even a
 * lock: a pull request plans with `-lock=false` (scripts/ci/plan.sh), since a
 * lock it could take is a lock it could also break or hold against an
 * operator's apply, and a plan changes nothing that a lock would protect.
 * Nothing here reads a secret: the access keys and their SSM parameters are in
 * the credentials stack, whose state and parameters this role cannot read.
 */
export function planRolePolicy(env: EnvironmentConfig): PolicyDocument {
  const state = stateObjectArns(env);
  const identities = identityNamesOf(env);
  const users = identities.filter((i) => i.principal === "user");
  const roles = identities.filter((i) => i.principal === "role");
  const envKeyArns = environmentKeyArns(env);
  return {
    statements: [
      // Only the prefixes the backend and the stack's checks list: the names of other environments' state stay hidden.
      { sid: "StateList", actions: ["s3:ListBucket"], resources: [state.bucket], conditions: { StringEquals: { "s3:prefix": planListPrefixes(env) } } },
      { sid: "StateRead", actions: ["s3:GetObject"], resources: [state.state] },
      {
        sid: "ReadRepositories",
        actions: ["ecr:DescribeRepositories", "ecr:GetLifecyclePolicy", "ecr:GetRepositoryPolicy", "ecr:ListTagsForResource"],
        resources: environmentRepositoryArns(env),
      },
      // Only what refreshing this stack calls (recorded from the provider: __tests__/e2e/plan-role-calls.test.ts).
      { sid: "ReadUsers", actions: ["iam:GetUser", "iam:ListGroupsForUser"], resources: users.map((u) => u.arn) },
      // Each user's policy is on a group of its own, named like the user.
      { sid: "ReadUserGroups", actions: ["iam:GetGroup", "iam:GetGroupPolicy"], resources: users.map((u) => iamArn(env, `group/${u.name}`)) },
      {
        sid: "ReadRoles",
        actions: ["iam:GetRole", "iam:GetRolePolicy", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies"],
        resources: roles.map((r) => r.arn),
      },
      // These list calls have no resource-level permissions.
      { sid: "DescribeWithoutResourceScope", actions: ["logs:DescribeResourcePolicies", "kms:ListAliases"], resources: ["*"] },
      // DescribeLogGroups is authorized on the account's log-group:* pattern, not on one group.
      { sid: "DescribeLogGroups", actions: ["logs:DescribeLogGroups"], resources: [logGroupArn(env.region, env.accountId, "*")] },
      {
        sid: "ReadScanLogGroup",
        actions: ["logs:ListTagsForResource"],
        resources: [logGroupArn(env.region, env.accountId, scanLogGroupName(env))],
      },
      {
        sid: "ReadScanRule",
        actions: ["events:DescribeRule", "events:ListTargetsByRule", "events:ListTagsForResource"],
        resources: [formatArn({ region: env.region, service: "events", account: env.accountId, resource: `rule/${scanRuleName(env)}` })],
      },
      {
        sid: "ReadEnvironmentKey",
        actions: ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags"],
        resources: [envKeyArns],
        conditions: { "ForAnyValue:StringEquals": { "kms:ResourceAliases": [kmsAliasName(env)] } },
      },
    ],
  };
}
