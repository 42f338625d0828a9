import type { PolicyDocument } from "./policy-document";

/** GitHub Actions' OIDC issuer host and the audience AWS expects. */
export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
export const GITHUB_OIDC_AUDIENCE = "sts.amazonaws.com";

/**
 * What a GitHub Actions job presents as its OIDC `sub`, by trigger. Built
 * from typed values only, so a wildcard subject cannot be written.
 */
export type GithubSubject =
  | {
      /** A push to a branch: `ref:refs/heads/<name>`. */
      readonly kind: "branch";
      /** The branch, exactly (no wildcard). */
      readonly name: string;
    }
  | {
      /** A push of a tag: `ref:refs/tags/<name>`. */
      readonly kind: "tag";
      /** The tag, exactly (no wildcard). */
      readonly name: string;
    }
  | {
      /** A job that names a GitHub environment: `environment:<name>`. */
      readonly kind: "environment";
      /** The environment, exactly (no wildcard). */
      readonly name: string;
    }
  | {
      /** A workflow run for a pull request: `pull_request`. */
      readonly kind: "pull_request";
    };

/**
 * A repository as it appears in its OIDC tokens' `sub`. GitHub issues one form
 * per repository: `immutable` (names with the owner's and the repository's
 * numeric ids, `repo:acme@1001/shop@2002:…`; repositories created, renamed or
 * transferred since 2026-06-18, and older ones that opted in) or `legacy`
 * (names only). A role trusts exactly one form: accepting the legacy form for
 * an immutable repository would let a later owner of the same name in.
 */
export type GithubRepositoryRef =
  | {
      /** User or organization login (GITHUB_OWNER_PATTERN). */
      readonly owner: string;
      /** Repository name (GITHUB_NAME_PATTERN). */
      readonly name: string;
      /** Subjects carry the numeric ids: `repo:owner@ownerId/name@repositoryId`. */
      readonly subjectFormat: "immutable";
      /** The owner's numeric id (a positive integer; `github-ids` looks it up). */
      readonly ownerId: number;
      /** The repository's numeric id (a positive integer). */
      readonly repositoryId: number;
    }
  | {
      /** User or organization login (GITHUB_OWNER_PATTERN). */
      readonly owner: string;
      /** Repository name (GITHUB_NAME_PATTERN). */
      readonly name: string;
      /** Subjects carry names only: `repo:owner/name` (GitHub Enterprise Server, repositories that did not opt in). */
      readonly subjectFormat: "legacy";
    };

/** GitHub's rules for an owner (1-39 letters, digits, hyphens; no leading hyphen) and a repository name (1-100 of letters, digits, . _ -). */
export const GITHUB_OWNER_PATTERN = /^[A-Za-z0-9][A-Za-z0-9-]{0,38}$/;
export const GITHUB_NAME_PATTERN = /^[A-Za-z0-9._-]{1,100}$/;

/**
 * `owner/name` as GitHub accepts it: an owner login of letters, digits and
 * single inner hyphens (at most 39), and a repository name of letters,
 * digits, `.`, `_` and `-` (at most 100) that is not `.` or `..` (they would
 * address `/repos/owner/` or `/repos/`) and does not end in `.git` (GitHub
 * strips it). Returns why not, or undefined.
 */
export function githubRepositoryProblem(repository: string): string | undefined {
  const parts = repository.split("/");
  if (parts.length !== 2) return "must be 'owner/name' (one '/')";
  const [owner, name] = parts;
  if (!GITHUB_OWNER_PATTERN.test(owner) || owner.endsWith("-") || owner.includes("--"))
    return "the owner must be 1-39 letters, digits or single hyphens, not starting or ending with a hyphen";
  if (!GITHUB_NAME_PATTERN.test(name)) return "the repository name must be 1-100 letters, digits, '.', '_' or '-'";
  if (name === "." || name === "..") return `the repository name cannot be '${name}' (GitHub reserves it)`;
  if (name.toLowerCase().endsWith(".git")) return "the repository name cannot end in '.git' (GitHub strips it)";
  return undefined;
}

/** The part of `sub` that names the repository: `repo:owner/name` or `repo:owner@id/name@id`. */
export function subjectRepositoryPart(repo: GithubRepositoryRef): string {
  const problem = githubRepositoryProblem(`${repo.owner}/${repo.name}`);
  if (problem) throw new Error(`GitHub repository ${JSON.stringify(`${repo.owner}/${repo.name}`)}: ${problem}`);
  if (repo.subjectFormat === "legacy") return `repo:${repo.owner}/${repo.name}`;
  for (const id of [repo.ownerId, repo.repositoryId]) {
    if (!Number.isSafeInteger(id) || id <= 0) throw new Error(`GitHub ids of '${repo.owner}/${repo.name}' must be positive integers, got ${id}`);
  }
  return `repo:${repo.owner}@${repo.ownerId}/${repo.name}@${repo.repositoryId}`;
}

/** The exact `sub` a job of `repo` presents in `context`. */
export function githubSubject(repo: GithubRepositoryRef, subject: GithubSubject): string {
  if (subject.kind !== "pull_request" && (/[*?]/.test(subject.name) || subject.name === "")) {
    throw new Error(`GitHub ${subject.kind} '${subject.name}' must be a concrete name, not a pattern`);
  }
  return `${subjectRepositoryPart(repo)}:${contextOf(subject)}`;
}

export function contextOf(subject: GithubSubject): string {
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
export function githubTrustPolicy(providerArn: string, repository: GithubRepositoryRef, subjects: readonly GithubSubject[]): PolicyDocument {
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
