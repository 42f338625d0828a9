/**
 * Why a GitHub Actions job may not assume a role (AccessDenied on
 * sts:AssumeRoleWithWebIdentity), offline: the `sub` (and `aud`) the job
 * presented against the trust policy of every GitHub OIDC role of the
 * environment, as synthesized (the EnvironmentStack built in memory). The
 * decision is the IAM simulator's; the explanation compares the subject part
 * by part with what each role's policy expects and names the config field.
 */
import { parseArgs } from "node:util";
import { Testing } from "cdktf";
import { appEnvironments, ConfigError, loadEnvironments, type EnvironmentConfig } from "../../environments";
import {
  deployRoleArn,
  deployRoleName,
  GITHUB_OIDC_AUDIENCE,
  GITHUB_OIDC_HOST,
  githubOidcProviderArn,
  planRoleArn,
  planRoleName,
} from "../../environments/naming";
import { EnvironmentStack } from "../../stacks/environment-stack";
import { simulateWebIdentity, type Decision } from "../lib/simulator";

/** The repository part of a `sub`, in either form GitHub issues. */
export type SubjectRepository =
  | {
      readonly format: "immutable";
      readonly owner: string;
      readonly ownerId: number;
      readonly name: string;
      readonly repositoryId: number;
      readonly text: string;
    }
  | { readonly format: "legacy"; readonly owner: string; readonly name: string; readonly text: string };

/** What follows the repository part: the job's context. */
export type SubjectContext =
  | { readonly kind: "environment"; readonly name: string }
  | { readonly kind: "branch"; readonly name: string }
  | { readonly kind: "tag"; readonly name: string }
  | { readonly kind: "pull_request" }
  | { readonly kind: "other"; readonly value: string };

export interface ParsedSubject {
  readonly raw: string;
  /** Absent when `raw` is not `repo:<owner>/<name>:<context>`. */
  readonly repository?: SubjectRepository;
  readonly context?: SubjectContext;
}

/** A GitHub OIDC role of the environment and what its synthesized trust policy expects. */
export interface GithubRoleTrust {
  readonly role: "deploy" | "plan";
  readonly name: string;
  readonly arn: string;
  readonly trustPolicy: unknown;
  /** The `sub` values of its StringEquals condition. */
  readonly subjects: readonly string[];
  /** The `aud` values of its StringEquals condition. */
  readonly audiences: readonly string[];
}

export interface RoleVerdict {
  readonly role: "deploy" | "plan";
  readonly name: string;
  readonly arn: string;
  readonly expectedSubjects: readonly string[];
  readonly decision: Decision;
  /** Why this role denies (empty when it accepts). */
  readonly why: readonly string[];
}

export interface TrustDiagnosis {
  readonly acceptedBy?: { readonly role: "deploy" | "plan"; readonly name: string; readonly arn: string };
  /** Why no role accepts the token; empty when one does. */
  readonly reasons: string[];
  readonly roles: readonly RoleVerdict[];
}

const ID = /^[1-9][0-9]*$/;

const escapeChar = (c: string) => (c === "\n" ? "\\n" : c === "\r" ? "\\r" : c === "\t" ? "\\t" : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

/**
 * Untrusted text (a sub copied from a log that pull-request code controls) as
 * a JSON string: quoted, with `"`, `\\`, control characters and everything
 * outside printable ASCII escaped, so that it cannot forge a line of the report.
 */
export function escapeUntrusted(text: string): string {
  return JSON.stringify(text).replace(/[^\x20-\x7e]/g, escapeChar);
}

/** A line built from fragments of untrusted text, with any character outside printable ASCII escaped in place. */
const oneLine = (line: string) => line.replace(/[^\x20-\x7e]/g, escapeChar);

/** IAM compares the sub byte for byte: white space around it is part of it, and no GitHub token carries any. */
const PADDING_FINDING =
  "subject: the sub has white space at its start or end, which no GitHub token carries; IAM compares the sub byte for byte (StringEquals), so no role accepts it: pass it exactly as the job printed it";

function parseContext(text: string): SubjectContext {
  if (text === "pull_request") return { kind: "pull_request" };
  const env = /^environment:(.+)$/.exec(text);
  if (env) return { kind: "environment", name: env[1] };
  const ref = /^ref:refs\/(heads|tags)\/(.+)$/.exec(text);
  if (ref) return { kind: ref[1] === "heads" ? "branch" : "tag", name: ref[2] };
  return { kind: "other", value: text };
}

/**
 * `repo:owner/name:<context>` or `repo:owner@ID/name@ID:<context>` into its
 * parts. White space around the sub is not read as part of a name (it is
 * reported on its own: IAM, comparing byte for byte, denies it whatever follows).
 */
export function parseSubject(sub: string): ParsedSubject {
  const m = /^repo:([^/:]+)\/([^/:]+):(.*)$/s.exec(sub.trim());
  if (!m) return { raw: sub };
  const [, ownerPart, namePart, context] = m;
  const owner = /^(.+)@(.+)$/.exec(ownerPart);
  const name = /^(.+)@(.+)$/.exec(namePart);
  let repository: SubjectRepository | undefined;
  if (owner && name && ID.test(owner[2]) && ID.test(name[2])) {
    repository = {
      format: "immutable",
      owner: owner[1],
      ownerId: Number(owner[2]),
      name: name[1],
      repositoryId: Number(name[2]),
      text: `repo:${ownerPart}/${namePart}`,
    };
  } else if (!ownerPart.includes("@") && !namePart.includes("@")) {
    repository = { format: "legacy", owner: ownerPart, name: namePart, text: `repo:${ownerPart}/${namePart}` };
  }
  return repository ? { raw: sub, repository, context: parseContext(context) } : { raw: sub, context: parseContext(context) };
}

const contextText = (c: SubjectContext): string =>
  c.kind === "environment"
    ? `environment:${c.name}`
    : c.kind === "branch"
      ? `ref:refs/heads/${c.name}`
      : c.kind === "tag"
        ? `ref:refs/tags/${c.name}`
        : c.kind === "pull_request"
          ? "pull_request"
          : c.value;

const describeContext = (c: SubjectContext): string =>
  c.kind === "environment"
    ? `GitHub environment '${c.name}'`
    : c.kind === "branch"
      ? `branch '${c.name}'`
      : c.kind === "tag"
        ? `tag '${c.name}'`
        : c.kind === "pull_request"
          ? "pull requests"
          : `context '${c.value}'`;

const sameContext = (a: SubjectContext, b: SubjectContext): boolean => contextText(a) === contextText(b);
const eqCi = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
const full = (r: SubjectRepository) => `${r.owner}/${r.name}`;
const label = (r: Pick<GithubRoleTrust, "role" | "name">) => `${r.role} role ${r.name}`;

/** The GitHub OIDC roles of `env` and their trust policies, from the EnvironmentStack built in memory. */
export function githubRolesOf(env: EnvironmentConfig): GithubRoleTrust[] {
  const stack = new EnvironmentStack(Testing.app(), env);
  const roles: GithubRoleTrust[] = [trustOf("deploy", deployRoleName(env), deployRoleArn(env), stack.deployRole.trustPolicyJson)];
  if (stack.planRole) roles.push(trustOf("plan", planRoleName(env), planRoleArn(env), stack.planRole.trustPolicyJson));
  return roles;
}

function trustOf(role: "deploy" | "plan", name: string, arn: string, trustPolicyJson: string): GithubRoleTrust {
  const trustPolicy = JSON.parse(trustPolicyJson) as {
    Statement: { Action?: string | string[]; Condition?: Record<string, Record<string, string | string[]>> }[];
  };
  const values = (key: string) =>
    trustPolicy.Statement.filter((s) => [s.Action ?? []].flat().includes("sts:AssumeRoleWithWebIdentity")).flatMap((s) =>
      [s.Condition?.StringEquals?.[`${GITHUB_OIDC_HOST}:${key}`] ?? []].flat(),
    );
  return { role, name, arn, trustPolicy, subjects: values("sub"), audiences: values("aud") };
}

type Finding = { readonly kind: "audience" | "subject" | "repository" | "context"; readonly text: string };

/** Why `expected` (a role's repository part) does not match `presented`, one line per cause. */
function repositoryFindings(expected: SubjectRepository, presented: SubjectRepository): string[] {
  if (presented.text === expected.text) return [];
  const bothImmutable = expected.format === "immutable" && presented.format === "immutable";
  const sameRepositoryId = bothImmutable && expected.repositoryId === presented.repositoryId;
  const sameNames = eqCi(expected.owner, presented.owner) && eqCi(expected.name, presented.name);
  const lines: string[] = [];
  if (!sameNames && !sameRepositoryId) {
    return [
      `another repository: the roles trust ${expected.text} (github.repository "${full(expected)}"), the job presents ${presented.text}: ` +
        `the token comes from another repository; run the job in ${full(expected)}, or configure an environment for ${full(presented)} (github.repository, github.ownerId, github.repositoryId)`,
    ];
  }
  if (expected.format === "immutable" && presented.format === "legacy") {
    lines.push(
      `subject format: the roles expect the immutable form ${expected.text}, the job presents the legacy form ${presented.text}: ` +
        `the repository's tokens carry names only: set github.subjectFormat: "legacy" or opt the repository in to immutable subjects`,
    );
  } else if (expected.format === "legacy" && presented.format === "immutable") {
    lines.push(
      `subject format: the roles expect the legacy form ${expected.text}, the job presents the immutable form ${presented.text}: ` +
        `the repository now issues immutable subjects (created/renamed/transferred after 2026-06-18 or opted in): ` +
        `set github.subjectFormat: "immutable", github.ownerId: ${presented.ownerId} and github.repositoryId: ${presented.repositoryId} (confirm with npm run github-ids -- ${full(presented)})`,
    );
  }
  if (!sameNames) {
    // Same repository id under other names: renamed, or transferred to another owner.
    const ownerIdFix = bothImmutable && expected.ownerId !== presented.ownerId ? ` and github.ownerId: ${presented.ownerId}` : "";
    lines.push(
      `repository renamed or transferred: the roles expect ${expected.text}, the job presents ${presented.text} (the same repository id under another name): ` +
        `set github.repository: "${full(presented)}"${ownerIdFix}`,
    );
    return lines;
  }
  if (full(expected) !== full(presented)) {
    const parts = [expected.owner !== presented.owner ? "owner" : "", expected.name !== presented.name ? "repository name" : ""].filter(Boolean).join(" and ");
    lines.push(
      `letter case: the roles expect ${full(expected)}, the job presents ${full(presented)} (the ${parts} ${parts.includes(" and ") ? "differ" : "differs"} only in letter case; StringEquals is case-sensitive and tokens carry GitHub's spelling): ` +
        `set github.repository: "${full(presented)}"`,
    );
  }
  if (bothImmutable && expected.repositoryId !== presented.repositoryId) {
    lines.push(
      `repository id of ${full(expected)}: the roles expect ${expected.repositoryId}, the job presents ${presented.repositoryId}: ` +
        `the repository was deleted and re-created, or ANOTHER repository took its name (a possible takeover: this is what immutable subjects stop); only if you re-created it yourself, set github.repositoryId: ${presented.repositoryId} (confirm with npm run github-ids -- ${full(presented)})`,
    );
  }
  if (bothImmutable && expected.ownerId !== presented.ownerId) {
    lines.push(
      `owner id of ${expected.owner}: the roles expect ${expected.ownerId}, the job presents ${presented.ownerId}: ` +
        `the owner account was re-created, or its name now belongs to ANOTHER account (a possible takeover: this is what immutable subjects stop); only if it is yours, set github.ownerId: ${presented.ownerId} (confirm with npm run github-ids -- ${full(presented)})`,
    );
  }
  return lines;
}

/** Why the role's expected context does not match the presented one. */
function contextFinding(role: GithubRoleTrust, expected: SubjectContext, presented: SubjectContext, roles: readonly GithubRoleTrust[]): string | undefined {
  if (sameContext(expected, presented)) return undefined;
  const head = `${label(role)} trusts ${describeContext(expected)} (${contextText(expected)}), the job presents ${describeContext(presented)} (${contextText(presented)})`;
  if (presented.kind === "other") {
    return `${head}: not a context of GitHub's default subject (environment:, ref:refs/heads/, ref:refs/tags/, pull_request); the repository probably has a custom OIDC subject template: reset it to the default (no config field changes this)`;
  }
  if (expected.kind === "pull_request") {
    return `${head}: the plan role is only for jobs triggered by pull_request; a deploy job assumes the deploy role (github.deployFrom decides its subject)`;
  }
  if (presented.kind === "pull_request") {
    const plan = roles.find((r) => r.role === "plan");
    return plan
      ? `${head}: pull requests never get the deploy role; a pull-request job assumes the plan role ${plan.name}`
      : `${head}: pull requests never get the deploy role, and github.planOnPullRequests is false so no role trusts pull requests: set github.planOnPullRequests: true for read-only plans`;
  }
  const deployFrom = `github.deployFrom: { kind: "${presented.kind}", name: "${presented.name}" }`;
  if (expected.kind === "environment" && presented.kind !== "environment") {
    // Never advise trading a protected environment for a bare ref: the environment's reviewers and branch policy are the boundary.
    return `${head}: only a job that declares \`environment: ${expected.name}\` presents the environment form; add it to the job (do not move the role to a ${presented.kind}: that would drop the environment's protection)`;
  }
  if (presented.kind === "environment" && expected.kind !== "environment") {
    return `${head}: a job that declares \`environment:\` always presents the environment form, never the ${expected.kind}; remove \`environment:\` from the job, or set ${deployFrom}`;
  }
  if (expected.kind === presented.kind) {
    const caseOnly = eqCi(expected.name, presented.name) ? " (differs only in letter case; StringEquals is case-sensitive)" : "";
    return `${head}: wrong ${expected.kind === "environment" ? "environment" : expected.kind} name${caseOnly}; set github.deployFrom.name: "${presented.name}", or run the job from ${describeContext(expected)}`;
  }
  return `${head}: set ${deployFrom}, or run the job from ${describeContext(expected)}`;
}

/** Every difference between what `role` expects and what the job presented. */
function roleFindings(role: GithubRoleTrust, presented: ParsedSubject, aud: string, roles: readonly GithubRoleTrust[]): Finding[] {
  const findings: Finding[] = presented.raw !== presented.raw.trim() ? [{ kind: "subject", text: PADDING_FINDING }] : [];
  if (!role.audiences.includes(aud)) {
    findings.push({
      kind: "audience",
      text: `audience: the roles expect aud '${role.audiences.join("' or '")}', the token carries ${escapeUntrusted(aud)} (StringEquals): request the token for ${GITHUB_OIDC_AUDIENCE} (the default of aws-actions/configure-aws-credentials: remove its \`audience:\` input); no config field changes the roles' audience`,
    });
  }
  const expected = role.subjects.map(parseSubject);
  if (!presented.repository || !presented.context) {
    findings.push({
      kind: "subject",
      text: `subject: the roles expect ${expected[0]?.repository?.text ?? "repo:<owner>/<name>"}:<context>, the job presents the sub shown above, which is not a GitHub Actions subject (repo:owner/name:<context> or repo:owner@ID/name@ID:<context>): pass the sub exactly as the failing job printed it`,
    });
    return findings;
  }
  for (const e of expected) {
    if (e.repository) findings.push(...repositoryFindings(e.repository, presented.repository).map((text) => ({ kind: "repository" as const, text })));
  }
  if (!expected.some((e) => e.context && sameContext(e.context, presented.context!))) {
    for (const e of expected) {
      const text = e.context && contextFinding(role, e.context, presented.context, roles);
      if (text) findings.push({ kind: "context", text });
    }
  }
  return findings;
}

const unique = (lines: readonly string[]) => [...new Set(lines)];

/**
 * Why none of `roles` accepts `sub`/`aud`: one line per cause, each naming the
 * expected and the presented value and what to change. Context differences are
 * reported only when no role trusts the presented context (otherwise the job
 * targeted that role and its other differences are the cause); the plan role's
 * context only for pull-request subjects or when it is the only role.
 */
export function explainDenial(roles: readonly GithubRoleTrust[], sub: string, aud: string = GITHUB_OIDC_AUDIENCE): string[] {
  const presented = parseSubject(sub);
  const contextTrusted = roles.some((r) =>
    r.subjects.some((s) => {
      const c = parseSubject(s).context;
      return c !== undefined && presented.context !== undefined && sameContext(c, presented.context);
    }),
  );
  const hasDeploy = roles.some((r) => r.role === "deploy");
  const lines = roles.flatMap((r) =>
    roleFindings(r, presented, aud, roles)
      .filter((f) => f.kind !== "context" || (!contextTrusted && !(r.role === "plan" && hasDeploy && presented.context?.kind !== "pull_request")))
      .map((f) => f.text),
  );
  return unique(lines).map(oneLine);
}

/** `sub`/`aud` against every GitHub OIDC role of `env`, decided by the IAM simulator. */
export function diagnoseTrust(env: EnvironmentConfig, sub: string, aud: string = GITHUB_OIDC_AUDIENCE): TrustDiagnosis {
  const roles = githubRolesOf(env);
  const presented = parseSubject(sub);
  const claims = { [`${GITHUB_OIDC_HOST}:sub`]: sub, [`${GITHUB_OIDC_HOST}:aud`]: aud };
  const verdicts: RoleVerdict[] = roles.map((r) => {
    const { decision } = simulateWebIdentity(r.trustPolicy, r.arn, githubOidcProviderArn(env), claims);
    const why = decision === "Allowed" ? [] : unique(roleFindings(r, presented, aud, roles).map((f) => oneLine(f.text)));
    return { role: r.role, name: r.name, arn: r.arn, expectedSubjects: r.subjects, decision, why };
  });
  const accepted = verdicts.find((v) => v.decision === "Allowed");
  if (accepted) return { acceptedBy: { role: accepted.role, name: accepted.name, arn: accepted.arn }, reasons: [], roles: verdicts };
  const reasons = explainDenial(roles, sub, aud);
  return {
    reasons:
      reasons.length > 0
        ? reasons
        : [
            `the simulator denies, yet sub and aud match part by part what ${roles.map(label).join(" and ")} expect: compare the trust policies in cdktf.out/stacks/${env.name}/cdk.tf.json`,
          ],
    roles: verdicts,
  };
}

/** The report the CLI prints; exit 0 when a role accepts the token, 1 otherwise. */
export function renderTrustDiagnosis(env: EnvironmentConfig, sub: string, aud: string, d: TrustDiagnosis): string {
  const lines = [
    `GitHub OIDC trust doctor: environment ${env.name} (account ${env.accountId})`,
    `sub  ${escapeUntrusted(sub)}`,
    `aud  ${escapeUntrusted(aud)}`,
    "",
    "Roles, as synthesized (IAM policy simulator):",
  ];
  for (const r of d.roles) {
    lines.push(`  ${r.role} role ${r.name}  ${r.arn}`);
    lines.push(`    expects sub ${r.expectedSubjects.join(" or ")}`);
    lines.push(`    ${r.decision === "Allowed" ? "accepts" : r.decision === "ExplicitlyDenied" ? "DENIES (explicit)" : "DENIES (no statement allows)"}`);
  }
  lines.push("");
  if (d.acceptedBy) {
    lines.push(`ACCEPTED by the ${d.acceptedBy.role} role ${d.acceptedBy.name} (${d.acceptedBy.arn})`);
    const others = d.roles.filter((r) => r.decision !== "Allowed" && r.why.length > 0);
    if (others.length > 0) {
      lines.push("", "If the job assumes another role (role-to-assume), that one denies:");
      for (const r of others) for (const w of r.why) lines.push(`  - ${w}`);
    }
  } else {
    lines.push("DENIED by every role. Why:");
    for (const reason of d.reasons) lines.push(`  - ${reason}`);
  }
  return lines.join("\n") + "\n";
}

export const TRUST_USAGE = "usage: npm run doctor -- trust <env> --sub '<sub printed by the failing job>' [--aud <aud>]";

/**
 * `doctor trust <env> --sub <sub> [--aud <aud>]`: the sub exactly as given
 * (never trimmed: IAM would not trim it either), every argument shown escaped.
 * Exit 0 when a role accepts the token, 1 when none does or config is invalid, 2 on bad usage.
 */
export function runTrustCommand(
  argv: readonly string[],
  out: (s: string) => void = (s) => process.stdout.write(s),
  environments?: () => readonly EnvironmentConfig[],
): number {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: { sub: { type: "string" }, aud: { type: "string" } } });
  } catch (err) {
    out(`${oneLine((err as Error).message)}\n${TRUST_USAGE}\n`);
    return 2;
  }
  let envs: readonly EnvironmentConfig[];
  try {
    envs = (environments ?? (() => loadEnvironments(appEnvironments())))();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    out(`${err.message}\n`);
    return 1;
  }
  const [name, ...extra] = parsed.positionals;
  const env = envs.find((e) => e.name === name);
  if (!env) {
    out(
      `${name === undefined ? "missing <env>" : `unknown environment ${escapeUntrusted(name)}`}; known: ${envs.map((e) => e.name).join(", ")}\n${TRUST_USAGE}\n`,
    );
    return 2;
  }
  if (extra.length > 0) {
    out(`unexpected argument ${escapeUntrusted(extra[0])} (quote the sub: --sub 'repo:...')\n${TRUST_USAGE}\n`);
    return 2;
  }
  const sub = parsed.values.sub;
  if (sub === undefined || sub.trim() === "") {
    out(`missing --sub: pass the OIDC subject the failing job printed\n${TRUST_USAGE}\n`);
    return 2;
  }
  const aud = parsed.values.aud ?? GITHUB_OIDC_AUDIENCE;
  const diagnosis = diagnoseTrust(env, sub, aud);
  out(renderTrustDiagnosis(env, sub, aud, diagnosis));
  return diagnosis.acceptedBy ? 0 : 1;
}
