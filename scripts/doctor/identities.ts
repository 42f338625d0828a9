/**
 * Reads identities and policies back out of a synthesized stack
 * (cdktf.out/stacks/<env>/cdk.tf.json): what the doctor reasons about is
 * what Terraform will apply, not what the TypeScript meant.
 */
import type { EnvironmentConfig } from "../../environments";
import { IDENTITY_KINDS, identityNamesOf, type IdentityKind } from "../../stacks/identity-names";
import type { NamedPolicy } from "../lib/simulator";

export { IDENTITY_KINDS, type IdentityKind };

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
  const found = identityNamesOf(env).find((i) => i.kind === kind);
  if (!found) throw new Error(`${env.name} has no ${kind} (see its config)`);
  const { name, arn } = found;
  const isUser = found.principal === "user";
  const inline = (policyType: string, field: string, ref: string) =>
    Object.values(resources[policyType] ?? {})
      .filter((p) => p[field] === ref)
      .map((p) => ({ name: String(p.name), policy: JSON.parse(String(p.policy)) }));
  if (!isUser) {
    const ref = refTo("aws_iam_role", logicalIdOf(resources, "aws_iam_role", name));
    return { kind, arn, policies: inline("aws_iam_role_policy", "role", ref) };
  }
  // A user's permissions: its own inline policies and those of the groups it is a member of.
  const userRef = refTo("aws_iam_user", logicalIdOf(resources, "aws_iam_user", name));
  const groups = Object.values(resources.aws_iam_user_group_membership ?? {})
    .filter((m) => m.user === userRef)
    .flatMap((m) => m.groups as string[]);
  return {
    kind,
    arn,
    policies: [...inline("aws_iam_user_policy", "user", userRef), ...groups.flatMap((g) => inline("aws_iam_group_policy", "group", g))],
  };
}

/** The repository policy of one repository, if the stack has one. */
export function repositoryPolicyFromStack(stackJson: { resource?: Resources }, repositoryName: string): unknown | undefined {
  const resources = stackJson.resource ?? {};
  const ref = refTo("aws_ecr_repository", logicalIdOf(resources, "aws_ecr_repository", repositoryName));
  const policy = Object.values(resources.aws_ecr_repository_policy ?? {}).find((p) => p.repository === ref);
  return policy ? JSON.parse(String(policy.policy)) : undefined;
}
