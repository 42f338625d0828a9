/**
 * ECR action sets, kept in one place (seed 000's list, grouped the way
 * AWS CDK's grantPull/grantPush do). Only GetAuthorizationToken is ever
 * granted on "*": it has no resource-level permissions (seed 003).
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
