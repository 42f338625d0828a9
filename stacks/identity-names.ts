/**
 * Which identities an environment has and what they are called, without their
 * policies: what the plan role's read list needs (the full catalogue, with
 * policies, is identities.ts, which the plan role's own policy is part of).
 */
import { deployRoleName, ecrUserName, iamArn, planRoleName, runtimePullRoleName, s3UserName } from "../environments/naming";
import type { EnvironmentConfig } from "../environments/schema";

export const IDENTITY_KINDS = ["ecr-user", "s3-user", "deploy-role", "plan-role", "runtime-pull-role"] as const;
export type IdentityKind = (typeof IDENTITY_KINDS)[number];

/** Which identities an environment has and what they are called: enough to grant reading them, no policies. */
export interface IdentityName {
  readonly kind: IdentityKind;
  readonly principal: "user" | "role";
  readonly name: string;
  readonly arn: string;
}

export function identityNamesOf(env: EnvironmentConfig): IdentityName[] {
  const user = (kind: IdentityKind, name: string): IdentityName => ({ kind, principal: "user", name, arn: iamArn(env, `user/${name}`) });
  const role = (kind: IdentityKind, name: string): IdentityName => ({ kind, principal: "role", name, arn: iamArn(env, `role/${name}`) });
  return [
    user("ecr-user", ecrUserName(env)),
    user("s3-user", s3UserName(env)),
    role("deploy-role", deployRoleName(env)),
    ...(env.github.planOnPullRequests ? [role("plan-role", planRoleName(env))] : []),
    ...(env.ecr.runtimePullServices.length > 0 ? [role("runtime-pull-role", runtimePullRoleName(env))] : []),
  ];
}
