import { GITHUB_NAME_PATTERN, GITHUB_OWNER_PATTERN } from "../constructs/github-oidc";

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
