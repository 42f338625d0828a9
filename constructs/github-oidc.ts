import { GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_HOST } from "../environments/naming";
import type { PolicyDocument } from "./policy-document";

/**
 * What a GitHub Actions job presents as its OIDC `sub`, by trigger. Built
 * from typed values only, so a wildcard subject cannot be written.
 */
export type GithubSubject =
  | { readonly kind: "branch"; readonly name: string }
  | { readonly kind: "tag"; readonly name: string }
  | { readonly kind: "environment"; readonly name: string }
  | { readonly kind: "pull_request" };

const REPOSITORY = /^[A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9._-]+$/;

/**
 * Numeric ids of the repository and its owner. AWS has no condition keys for
 * GitHub's custom claims, so they are pinned inside `sub`: the repository's
 * OIDC subject template (set by the GitHub stack) adds them, and a deleted and
 * re-created repository of the same name presents another id.
 */
export interface PinnedIds {
  readonly ownerId: number;
  readonly repositoryId: number;
}

/** The repository subject template that matches githubSubject(..., pinnedIds). */
export const PINNED_SUBJECT_CLAIM_KEYS = ["repo", "repository_owner_id", "repository_id", "context"] as const;

export function githubSubject(repository: string, subject: GithubSubject, pinnedIds?: PinnedIds): string {
  if (!REPOSITORY.test(repository)) throw new Error(`GitHub repository '${repository}' must be 'owner/name' with no wildcard`);
  if (subject.kind !== "pull_request" && (/[*?]/.test(subject.name) || subject.name === "")) {
    throw new Error(`GitHub ${subject.kind} '${subject.name}' must be a concrete name, not a pattern`);
  }
  const prefix = pinnedIds
    ? `repo:${repository}:repository_owner_id:${pinnedIds.ownerId}:repository_id:${pinnedIds.repositoryId}`
    : `repo:${repository}`;
  return `${prefix}:${contextOf(subject)}`;
}

function contextOf(subject: GithubSubject): string {
  switch (subject.kind) {
    case "branch":
      return `ref:refs/heads/${subject.name}`;
    case "tag":
      return `ref:refs/tags/${subject.name}`;
    case "environment":
      return `environment:${subject.name}`;
    case "pull_request":
      return "pull_request";
  }
}

/** Trust for a role assumed by GitHub Actions: exact audience, exact subjects (StringEquals, never StringLike). */
export function githubTrustPolicy(providerArn: string, repository: string, subjects: readonly GithubSubject[], pinnedIds?: PinnedIds): PolicyDocument {
  if (subjects.length === 0) throw new Error("a GitHub OIDC role needs at least one subject");
  const sub = [...new Set(subjects.map((s) => githubSubject(repository, s, pinnedIds)))].sort();
  return {
    statements: [
      {
        sid: "GithubActionsOidc",
        actions: ["sts:AssumeRoleWithWebIdentity"],
        principal: { Federated: providerArn },
        conditions: {
          StringEquals: {
            [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_OIDC_AUDIENCE,
            [`${GITHUB_OIDC_HOST}:sub`]: sub.length === 1 ? sub[0] : sub,
          },
        },
      },
    ],
  };
}
