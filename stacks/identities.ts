/**
 * The catalogue of an environment's identities: every IAM user and role the
 * platform creates, with its kind, name, policy and who may become it. The
 * environment stack, the credentials stack, the plan role's read list, the
 * permissions matrix, the doctor and the trust and workflow tests are all
 * derived from it, so adding an identity is one entry here.
 */
import type { GithubSubject } from "../constructs/github-oidc";
import type { PolicyDocument } from "../constructs/policy-document";
import type { EnvironmentConfig } from "../environments/schema";
import { identityNamesOf, type IdentityName } from "./identity-names";
import { deployRolePolicy, ecrUserPolicy, planRolePolicy, runtimePullPolicy, runtimePullTrustPolicy, s3UserPolicy } from "./platform-policies";

/** Who may become the identity. */
export type IdentityTrust =
  /** An IAM user with access keys (two rotating slots in the credentials stack). */
  | { readonly by: "access-key"; readonly keyUser: "ecr" | "s3" }
  /** GitHub Actions jobs presenting one of these subjects. */
  | { readonly by: "github"; readonly subjects: readonly GithubSubject[] }
  /** AWS services, by this trust policy. */
  | { readonly by: "service"; readonly policy: PolicyDocument };

export { IDENTITY_KINDS, identityNamesOf, type IdentityKind, type IdentityName } from "./identity-names";
import type { IdentityKind } from "./identity-names";

export interface Identity extends IdentityName {
  readonly description: string;
  readonly policy: PolicyDocument;
  readonly trust: IdentityTrust;
}

export function identitiesOf(env: EnvironmentConfig): Identity[] {
  const spec: Record<IdentityKind, () => Omit<Identity, keyof IdentityName>> = {
    "ecr-user": () => ({
      description: "ECR push and pull for tools that cannot assume roles",
      policy: ecrUserPolicy(env),
      trust: { by: "access-key", keyUser: "ecr" },
    }),
    "s3-user": () => ({ description: "S3 access to the environment's buckets", policy: s3UserPolicy(env), trust: { by: "access-key", keyUser: "s3" } }),
    "deploy-role": () => ({
      description: `GitHub Actions deploy of ${env.app} ${env.name}: push to this environment's repositories`,
      policy: deployRolePolicy(env),
      trust: { by: "github", subjects: [env.github.deployFrom] },
    }),
    "plan-role": () => ({
      description: `GitHub Actions plan of ${env.app} ${env.name} on pull requests: read-only`,
      policy: planRolePolicy(env),
      trust: { by: "github", subjects: [{ kind: "pull_request" }] },
    }),
    "runtime-pull-role": () => ({
      description: `Runtime image pulls of ${env.app} ${env.name} (${env.ecr.runtimePullServices.join(", ")})`,
      policy: runtimePullPolicy(env),
      trust: { by: "service", policy: runtimePullTrustPolicy(env) },
    }),
  };
  return identityNamesOf(env).map((n) => ({ ...n, ...spec[n.kind]() }));
}
