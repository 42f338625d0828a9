/** The API calls behind `docker push` and `docker pull` against ECR, in order. */
export interface Step {
  readonly action: string;
  /** "*" for the token, otherwise the repository. */
  readonly on: "account" | "repository";
  readonly what: string;
}

export const PUSH_STEPS: readonly Step[] = [
  { action: "ecr:GetAuthorizationToken", on: "account", what: "docker login (token for the registry)" },
  { action: "ecr:BatchCheckLayerAvailability", on: "repository", what: "which layers the registry already has" },
  { action: "ecr:InitiateLayerUpload", on: "repository", what: "start a layer upload" },
  { action: "ecr:UploadLayerPart", on: "repository", what: "upload layer parts" },
  { action: "ecr:CompleteLayerUpload", on: "repository", what: "finish a layer upload" },
  { action: "ecr:PutImage", on: "repository", what: "write the manifest and tag" },
];

export const PULL_STEPS: readonly Step[] = [
  { action: "ecr:GetAuthorizationToken", on: "account", what: "docker login (token for the registry)" },
  { action: "ecr:BatchGetImage", on: "repository", what: "read the manifest" },
  { action: "ecr:GetDownloadUrlForLayer", on: "repository", what: "download layers" },
];
