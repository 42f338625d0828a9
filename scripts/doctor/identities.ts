/**
 * Reads identities and policies back out of a synthesized stack
 * (cdktf.out/stacks/<env>/cdk.tf.json): what the doctor reasons about is
 * what Terraform will apply, not what the TypeScript meant.
 */
import type { EnvironmentConfig } from "../../environments";
import { deployRoleName, ecrUserName, iamArn, planRoleName, s3UserName } from "../../environments/naming";
import type { NamedPolicy } from "../lib/simulator";

export const IDENTITY_KINDS = ["ecr-user", "deploy-role", "plan-role", "s3-user"] as const;
export type IdentityKind = (typeof IDENTITY_KINDS)[number];

export interface Identity {
  readonly kind: IdentityKind;
  readonly arn: string;
  readonly policies: NamedPolicy[];
}

type Resources = Record<string, Record<string, Record<string, unknown>>>;

const refTo = (type: string, logicalId: string) => `\${${type}.${logicalId}.name}`;

function logicalIdOf(resources: Resources, type: string, name: string): string {
  const found = Object.entries(resources[type] ?? {}).find(([, r]) => r.name === name);
  if (!found) throw new Error(`the synthesized stack has no ${type} named ${name}`);
  return found[0];
}

export function identityFromStack(stackJson: { resource?: Resources }, env: EnvironmentConfig, kind: IdentityKind): Identity {
  const resources = stackJson.resource ?? {};
  const isUser = kind === "ecr-user" || kind === "s3-user";
  const name = { "ecr-user": ecrUserName, "s3-user": s3UserName, "deploy-role": deployRoleName, "plan-role": planRoleName }[kind](env);
  const type = isUser ? "aws_iam_user" : "aws_iam_role";
  const policyType = isUser ? "aws_iam_user_policy" : "aws_iam_role_policy";
  const ref = refTo(type, logicalIdOf(resources, type, name));
  const policies = Object.values(resources[policyType] ?? {})
    .filter((p) => p[isUser ? "user" : "role"] === ref)
    .map((p) => ({ name: String(p.name), policy: JSON.parse(String(p.policy)) }));
  return { kind, arn: iamArn(env, `${isUser ? "user" : "role"}/${name}`), policies };
}

/** The repository policy of one repository, if the stack has one. */
export function repositoryPolicyFromStack(stackJson: { resource?: Resources }, repositoryName: string): unknown | undefined {
  const resources = stackJson.resource ?? {};
  const ref = refTo("aws_ecr_repository", logicalIdOf(resources, "aws_ecr_repository", repositoryName));
  const policy = Object.values(resources.aws_ecr_repository_policy ?? {}).find((p) => p.repository === ref);
  return policy ? JSON.parse(String(policy.policy)) : undefined;
}
