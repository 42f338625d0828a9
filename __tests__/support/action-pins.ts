/**
 * Supply chain of the workflows: every remote action a workflow (or an
 * example workflow, or a composite action) uses must be pinned to a full
 * 40-hex commit SHA with the release it is in a trailing comment,
 *   uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
 * and, where a snapshot of the action's repository is at hand, that SHA must be
 * the commit the named tag points to. The workflow test drives these checks.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { isMap, isScalar, isSeq, parseDocument, type Node, type Scalar } from "yaml";

/** One `uses:` of a workflow job, a workflow step or a composite action step. */
export interface UsesEntry {
  /** File, relative to the root it was collected from. */
  readonly file: string;
  /** Job key, or "(composite)" for an action's `runs.steps`. */
  readonly job: string;
  /** Step label: `name`, else `id`, else its 1-based position; "(job)" for a reusable-workflow call. */
  readonly step: string;
  /** 1-based line of the `uses:` value. */
  readonly line: number;
  readonly uses: string;
  /** Text of the comment on the same line after the value, trimmed; undefined when there is none. */
  readonly comment: string | undefined;
}

export type ActionRef =
  | { readonly kind: "local"; readonly path: string }
  | { readonly kind: "docker"; readonly image: string }
  | { readonly kind: "remote"; readonly owner: string; readonly repo: string; readonly path: string; readonly ref: string }
  | { readonly kind: "invalid"; readonly reason: string };

const FULL_SHA = /^[0-9a-f]{40}$/;
const VERSION_COMMENT = /^v\d+\.\d+\.\d+$/;
const REMOTE = /^([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)\/([A-Za-z0-9._-]+)((?:\/[^@\s]+)?)@([^@\s]+)$/;

export function parseUses(uses: string): ActionRef {
  if (uses.startsWith("./")) return { kind: "local", path: uses };
  if (uses.startsWith("docker://")) return { kind: "docker", image: uses.slice("docker://".length) };
  const m = uses.match(REMOTE);
  if (!m) return { kind: "invalid", reason: `"${uses}" is neither ./local, docker:// nor owner/repo[/path]@ref` };
  return { kind: "remote", owner: m[1], repo: m[2], path: m[3], ref: m[4] };
}

export const where = (e: Pick<UsesEntry, "file" | "job" | "step" | "line">) => `${e.file}:${e.line}: job ${e.job}, step ${e.step}`;

/**
 * Problems of the pin itself (no snapshot needed): the ref must be a full
 * lowercase 40-hex SHA and the comment exactly `vX.Y.Z`. Empty when the pin is good
 * or the `uses:` is not remote. Each message names file, job and step.
 */
export function pinProblems(e: UsesEntry): string[] {
  const ref = parseUses(e.uses);
  if (ref.kind === "local" || ref.kind === "docker") return [];
  if (ref.kind === "invalid") return [`${where(e)}: ${ref.reason}`];
  const problems: string[] = [];
  if (!FULL_SHA.test(ref.ref)) {
    const what =
      VERSION_COMMENT.test(ref.ref) || /^v\d+(\.\d+)*$/.test(ref.ref)
        ? "a tag"
        : /^[0-9a-f]{7,39}$/i.test(ref.ref)
          ? "a short or non-lowercase SHA"
          : "a branch or tag";
    problems.push(`${where(e)}: ${e.uses} is pinned to ${what} ("${ref.ref}"), not a full 40-hex commit SHA`);
  }
  if (e.comment === undefined) problems.push(`${where(e)}: ${e.uses} has no "# vX.Y.Z" comment naming its release`);
  else if (!VERSION_COMMENT.test(e.comment)) problems.push(`${where(e)}: comment "# ${e.comment}" is not "# vX.Y.Z"`);
  return problems;
}

/** Directory holding the snapshots: `<root>/<owner>+<name>/repo` (bare git directories). */
export const mirrorRoot = (env: NodeJS.ProcessEnv = process.env) => env.PLATFORM_ACTION_MIRRORS || "/work/.mirror";

/** The snapshot's git directory for owner/repo, when one is at hand. */
export function mirrorOf(owner: string, repo: string, root = mirrorRoot()): string | undefined {
  const dir = join(root, `${owner}+${repo}`, "repo");
  return existsSync(join(dir, "HEAD")) ? dir : undefined;
}

/** The commit a tag of a snapshot points to (annotated tags peeled), undefined when the tag is not there. */
export function tagCommit(gitDir: string, tag: string): string | undefined {
  try {
    const out = execFileSync("git", ["--git-dir", gitDir, "rev-parse", "--verify", "--quiet", `refs/tags/${tag}^{commit}`], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    return out.trim() || undefined;
  } catch (err) {
    // rev-parse --verify --quiet exits 1 without output for a missing ref; anything else (no git, broken repo) is an error.
    if ((err as { status?: number }).status === 1 && !String((err as { stderr?: string }).stderr ?? "").trim()) return undefined;
    throw err;
  }
}

/**
 * Problems of the SHA against the snapshot: `resolve(tag)` is the commit the
 * tag points to in the action's repository (undefined: not in the snapshot).
 */
export function shaProblems(e: UsesEntry, resolve: (tag: string) => string | undefined): string[] {
  const ref = parseUses(e.uses);
  if (ref.kind === "local" || ref.kind === "docker") return [];
  if (ref.kind === "invalid") return [`${where(e)}: ${ref.reason}`];
  if (e.comment === undefined || !VERSION_COMMENT.test(e.comment)) return [`${where(e)}: no "# vX.Y.Z" comment to check ${e.uses} against`];
  const expected = resolve(e.comment);
  if (expected === undefined) return [`${where(e)}: tag ${e.comment} is not in the snapshot of ${ref.owner}/${ref.repo} (wrong version, or a stale snapshot)`];
  if (expected !== ref.ref) return [`${where(e)}: ${ref.owner}/${ref.repo}@${ref.ref} is not ${e.comment}, which is commit ${expected}`];
  return [];
}

const str = (n: unknown) => (isScalar(n) ? String(n.value) : undefined);

/** Every `uses:` of a workflow or action file's text, with its trailing comment. */
export function collectUses(file: string, text: string): UsesEntry[] {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0].message}`);
  const lineOf = (offset: number) => text.slice(0, offset).split("\n").length;
  const entry = (job: string, step: string, node: Node | undefined): UsesEntry[] => {
    if (!isScalar(node) || !node.range) return [];
    const [start, valueEnd] = node.range;
    const eol = text.indexOf("\n", valueEnd);
    const rest = text.slice(valueEnd, eol === -1 ? undefined : eol);
    const m = rest.match(/^\s+#\s*(.*?)\s*$/);
    return [{ file, job, step, line: lineOf(start), uses: String((node as Scalar).value), comment: m ? m[1] : undefined }];
  };
  const steps = (job: string, seq: unknown): UsesEntry[] =>
    isSeq(seq)
      ? seq.items.flatMap((s, i) => {
          if (!isMap(s)) return [];
          const label = str(s.get("name", true)) ?? str(s.get("id", true)) ?? `#${i + 1}`;
          return entry(job, label === `#${i + 1}` ? label : `#${i + 1} "${label}"`, s.get("uses", true) as Node | undefined);
        })
      : [];
  const out: UsesEntry[] = [];
  const jobs = doc.get("jobs", true);
  if (isMap(jobs)) {
    for (const pair of jobs.items) {
      const name = String(isScalar(pair.key) ? pair.key.value : pair.key);
      if (!isMap(pair.value)) continue;
      out.push(...entry(name, "(job)", pair.value.get("uses", true) as Node | undefined)); // reusable workflow call
      out.push(...steps(name, pair.value.get("steps", true)));
    }
  }
  const runs = doc.get("runs", true);
  if (isMap(runs)) out.push(...steps("(composite)", runs.get("steps", true)));
  return out;
}

/** Every `*.yml` / `*.yaml` under the given directories (recursively), relative to root. */
export function workflowFiles(root: string, dirs: readonly string[]): string[] {
  const walk = (dir: string): string[] =>
    !existsSync(dir)
      ? []
      : readdirSync(dir)
          .sort()
          .flatMap((f) => {
            const p = join(dir, f);
            return statSync(p).isDirectory() ? walk(p) : /\.ya?ml$/.test(f) ? [p] : [];
          });
  return dirs.flatMap((d) => walk(join(root, d))).map((p) => relative(root, p));
}

export const collectFiles = (root: string, files: readonly string[]) => files.flatMap((f) => collectUses(f, readFileSync(join(root, f), "utf8")));
