import type { PolicyStatement } from "./policy-document";

/**
 * ECR action sets, kept in one place and grouped the way AWS CDK's
 * grantPull/grantPush do. Only GetAuthorizationToken is ever granted on "*":
 * it has no resource-level permissions; every other action names repositories.
 */
export const ECR_AUTH_ACTIONS = ["ecr:GetAuthorizationToken"] as const;

export const ECR_PULL_ACTIONS = ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"] as const;

export const ECR_PUSH_ACTIONS = [
  "ecr:BatchCheckLayerAvailability",
  "ecr:InitiateLayerUpload",
  "ecr:UploadLayerPart",
  "ecr:CompleteLayerUpload",
  "ecr:PutImage",
] as const;

export const ECR_DESCRIBE_ACTIONS = ["ecr:ListImages", "ecr:DescribeImages", "ecr:DescribeRepositories"] as const;

/** Push, pull and describe: what a CI identity needs on its own repositories. */
export const ECR_PUSH_PULL_ACTIONS = [...new Set([...ECR_PULL_ACTIONS, ...ECR_PUSH_ACTIONS, ...ECR_DESCRIBE_ACTIONS])];

/** What a grant allows on its repositories; each names one of the action lists above. */
export type EcrAccess = "pull" | "push" | "describe";

const ACTIONS_OF: Readonly<Record<EcrAccess, readonly string[]>> = {
  pull: ECR_PULL_ACTIONS,
  push: ECR_PUSH_ACTIONS,
  describe: ECR_DESCRIBE_ACTIONS,
};

export interface EcrGrantOptions {
  /** Sid of the statement on the repositories. @default "Ecr" + the access joined, e.g. "EcrPullPush" */
  readonly sid?: string;
  /** Sid of the GetAuthorizationToken statement. @default "EcrLogin" */
  readonly loginSid?: string;
}

/**
 * Identity-policy statements that grant `access` on `repositoryArns`, plus
 * `ecr:GetAuthorizationToken` on `*` (docker login needs it and it has no
 * resource-level form), as data to put in a PolicyDocument.
 */
export function ecrGrantStatements(repositoryArns: readonly string[], access: readonly EcrAccess[], options: EcrGrantOptions = {}): PolicyStatement[] {
  if (access.length === 0) throw new Error("an ECR grant needs at least one kind of access (pull, push, describe)");
  if (repositoryArns.length === 0) throw new Error("an ECR grant needs at least one repository ARN");
  for (const arn of repositoryArns) {
    if (!/^arn:aws[a-z-]*:ecr:[a-z0-9-]+:\d{12}:repository\/\S+$/.test(arn)) throw new Error(`ECR grant: ${JSON.stringify(arn)} is not an ECR repository ARN`);
  }
  const kinds = [...new Set(access)];
  const sid = options.sid ?? `Ecr${kinds.map((k) => k[0].toUpperCase() + k.slice(1)).join("")}`;
  return [
    { sid: options.loginSid ?? "EcrLogin", actions: [...ECR_AUTH_ACTIONS], resources: ["*"] },
    { sid, actions: [...new Set(kinds.flatMap((k) => ACTIONS_OF[k]))], resources: [...repositoryArns] },
  ];
}

/** Pull (and log in to) the repositories: what a runtime needs to start containers. */
export const ecrPullStatements = (repositoryArns: readonly string[], options?: EcrGrantOptions) => ecrGrantStatements(repositoryArns, ["pull"], options);

/** Push to (and log in to) the repositories. */
export const ecrPushStatements = (repositoryArns: readonly string[], options?: EcrGrantOptions) => ecrGrantStatements(repositoryArns, ["push"], options);

/** Pull and push: what a build that reuses cached layers needs. */
export const ecrPullPushStatements = (repositoryArns: readonly string[], options?: EcrGrantOptions) =>
  ecrGrantStatements(repositoryArns, ["pull", "push"], options);
