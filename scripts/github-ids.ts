/**
 * Looks up the numeric ids of a GitHub repository and its owner, which
 * immutable OIDC subjects carry (`repo:owner@<ownerId>/name@<repositoryId>`),
 * and prints the lines to put in the `github` block of environments/app.ts.
 *
 *   GITHUB_TOKEN=… node dist/scripts/github-ids.js owner/name
 *   (GITHUB_API_URL: REST root, e.g. https://ghe.example.com/api/v3; default https://api.github.com)
 *
 * Exit 0 printed, 1 GitHub said no (unknown repository, rejected token, no
 * token, unreachable), 2 bad usage. The token is never printed.
 */
import { subjectRepositoryPart } from "../constructs/github-oidc";
import { githubRepositoryProblem } from "../environments/github-names";
import { githubApiRoot } from "./lib/github-api";

const USAGE = "usage: GITHUB_TOKEN=<token> node dist/scripts/github-ids.js <owner>/<repository>   (GITHUB_API_URL overrides https://api.github.com)";
/** GitHub tokens (classic, fine-grained, app, Enterprise) are visible ASCII: anything else is a copy-paste accident. */
const TOKEN_CHARACTERS = /^[\x21-\x7e]+$/;
/** Untrusted text (an argument, GitHub's message) as a JSON string. */
const shown = (text: string) => JSON.stringify(text).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
const oneLine = (text: string) => text.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

export interface GithubIdsIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const processIo: GithubIdsIo = { env: process.env, out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

export async function runGithubIds(args: readonly string[], io: GithubIdsIo = processIo): Promise<number> {
  if (args.length === 1 && (args[0] === "--help" || args[0] === "-h")) {
    io.out(USAGE + "\n");
    return 0;
  }
  if (args.length !== 1) {
    io.err(`expected one argument, got ${args.length}. ${USAGE}\n`);
    return 2;
  }
  const problem = githubRepositoryProblem(args[0]);
  if (problem) {
    io.err(`${shown(args[0])} is not owner/repository: ${problem}. ${USAGE}\n`);
    return 2;
  }
  const [owner, name] = args[0].split("/");
  let api: URL;
  try {
    api = githubApiRoot(io.env.GITHUB_API_URL);
  } catch (err) {
    io.err(`${err instanceof TypeError ? `GITHUB_API_URL ${shown(io.env.GITHUB_API_URL ?? "")} is not a URL` : oneLine((err as Error).message)}. ${USAGE}\n`);
    return 2;
  }
  const token = io.env.GITHUB_TOKEN;
  if (!token) {
    io.err("GITHUB_TOKEN is not set: give a token that can read the repository (e.g. GITHUB_TOKEN=$(gh auth token)).\n");
    return 1;
  }
  // An HTTP header cannot carry it, and the error fetch would raise could quote it: refused without showing it.
  if (!TOKEN_CHARACTERS.test(token)) {
    io.err(
      `GITHUB_TOKEN has ${token.length} characters, some of them white space, line breaks or other characters no GitHub token has (a stray newline from a file?): set it again; the token is not shown\n`,
    );
    return 1;
  }
  const redact = (text: string) => oneLine(text.split(token).join("<GITHUB_TOKEN>"));

  const url = `${api.href.replace(/\/+$/, "")}/repos/${owner}/${name}`;
  let res: Response;
  try {
    res = await fetch(url, {
      headers: {
        accept: "application/vnd.github+json",
        authorization: `Bearer ${token}`,
        "x-github-api-version": "2022-11-28",
        "user-agent": "container-delivery-platform/github-ids",
      },
      signal: AbortSignal.timeout(30_000),
    });
  } catch (e) {
    // fetch reports the socket error as its cause (ECONNREFUSED, ENOTFOUND, a TLS failure).
    const failure = e as { message?: string; cause?: { message?: string } };
    io.err(`cannot reach ${api.origin}: ${redact(failure.cause?.message ?? failure.message ?? String(e))}\n`);
    return 1;
  }
  const body = (await res.json().catch(() => undefined)) as
    { message?: string; id?: unknown; name?: unknown; owner?: { login?: unknown; id?: unknown } } | undefined;
  if (res.status === 401) {
    io.err(`GitHub refused the token (401 ${redact(body?.message ?? "Unauthorized")}): it is expired, revoked or mistyped.\n`);
    return 1;
  }
  if (res.status === 404) {
    io.err(
      `${owner}/${name} not found at ${api.href.replace(/\/+$/, "")}: check the spelling, or the token cannot see it (a private repository needs a token with access to it).\n`,
    );
    return 1;
  }
  if (!res.ok) {
    io.err(`GitHub answered ${res.status} for ${owner}/${name}: ${redact(body?.message ?? res.statusText)}\n`);
    return 1;
  }
  const ownerId = body?.owner?.id;
  const repositoryId = body?.id;
  const login = body?.owner?.login;
  const repoName = body?.name;
  if (!Number.isSafeInteger(ownerId) || !Number.isSafeInteger(repositoryId) || typeof login !== "string" || typeof repoName !== "string") {
    io.err(`GitHub's answer for ${owner}/${name} has no numeric owner.id and id\n`);
    return 1;
  }
  if (githubRepositoryProblem(`${login}/${repoName}`)) {
    io.err(`GitHub's answer for ${owner}/${name} names the repository ${shown(`${login}/${repoName}`)}, which is no valid owner/repository\n`);
    return 1;
  }
  const ref = { owner: login, name: repoName, subjectFormat: "immutable" as const, ownerId: ownerId as number, repositoryId: repositoryId as number };
  const spelled = `${login}/${repoName}`;
  io.out(
    [
      `// ${spelled}: paste into the \`github\` block of environments/app.ts`,
      ...(spelled !== `${owner}/${name}` ? [`// GitHub spells it ${spelled}: OIDC subjects are case-sensitive, use this spelling`] : []),
      `repository: "${spelled}",`,
      `ownerId: ${ownerId},`,
      `repositoryId: ${repositoryId},`,
      `// OIDC subject prefix (immutable): ${subjectRepositoryPart(ref)}`,
      "",
    ].join("\n"),
  );
  return 0;
}

if (require.main === module) {
  runGithubIds(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      process.stderr.write(`github-ids: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
