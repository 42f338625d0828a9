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

export function githubSubject(repository: string, subject: GithubSubject): string {
  if (!REPOSITORY.test(repository)) throw new Error(`GitHub repository '${repository}' must be 'owner/name' with no wildcard`);
  if (subject.kind !== "pull_request" && (/[*?]/.test(subject.name) || subject.name === "")) {
    throw new Error(`GitHub ${subject.kind} '${subject.name}' must be a concrete name, not a pattern`);
  }
  switch (subject.kind) {
    case "branch":
      return `repo:${repository}:ref:refs/heads/${subject.name}`;
    case "tag":
      return `repo:${repository}:ref:refs/tags/${subject.name}`;
    case "environment":
      return `repo:${repository}:environment:${subject.name}`;
    case "pull_request":
      return `repo:${repository}:pull_request`;
  }
}

/** Trust for a role assumed by GitHub Actions: exact audience, exact subjects (StringEquals, never StringLike). */
export function githubTrustPolicy(providerArn: string, repository: string, subjects: readonly GithubSubject[]): PolicyDocument {
  if (subjects.length === 0) throw new Error("a GitHub OIDC role needs at least one subject");
  const sub = [...new Set(subjects.map((s) => githubSubject(repository, s)))].sort();
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
