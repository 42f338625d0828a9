/**
 * Explains a 403 on `docker push` instead of handing out a checklist.
 *
 *   npm run doctor -- <env> [--service <name>] [--as ecr-user|deploy-role|plan-role|s3-user] [--online] [--endpoint <url>]
 *
 * Offline (always): each step of a push and a pull, allowed or denied by the
 * synthesized policies, and the statement that decided (IAM policy simulator).
 * Online (--online): who am I, does the repository exist, token expiry, a
 * dry push step, with the credentials of this shell; failures mapped to cause and fix.
 * Exit 0 when everything a push needs is allowed, 1 otherwise, 2 on bad usage.
 *
 *   npm run doctor -- trust <env> --sub '<sub printed by the failing job>' [--aud <aud>]
 *
 * Offline diagnosis of a denied GitHub OIDC AssumeRoleWithWebIdentity: the sub
 * against the trust policy of every GitHub OIDC role of the environment (IAM
 * policy simulator); the role that accepts it, or why none does.
 * Exit 0 when a role accepts the token, 1 when none does, 2 on bad usage.
 *
 *   npm run doctor -- explain <env> '<error text a push or pull printed>'   (or - to read it from stdin)
 *
 * Offline: the cause and the fix of a registry error (docker, podman, skopeo,
 * crane or the AWS CLI), and which of the environment's identities it names.
 * Exit 0 when the error is recognized, 1 when it is not, 2 on bad usage.
 *
 *   GITHUB_TOKEN=… npm run doctor -- github <env>
 *
 * Online: the GitHub environment that guards the deploy role against config,
 * including deployment patterns added by hand, which no plan shows.
 * Exit 0 exactly as config says, 1 when it differs or cannot be read, 2 on bad usage.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { appEnvironments, loadEnvironments, type EnvironmentConfig } from "../environments";
import { ecrUserName, repositoryName, s3UserName } from "../environments/naming";
import { synthesizePlatform } from "../stacks/synthesize";
import { IDENTITY_KINDS, identityFromStack, repositoryPolicyFromStack, type IdentityKind } from "./doctor/identities";
import { offlineCheck } from "./doctor/offline";
import { protectionDrift } from "./doctor/github-protection";
import { githubApiRoot } from "./lib/github-api";
import { keyAgeChecks } from "./doctor/keys";
import { explainRegistryError, onlineCheck, type OnlineCheck } from "./doctor/online";
import { runTrustCommand, TRUST_USAGE } from "./doctor/trust";
import { table } from "./lib/table";

const GITHUB_USAGE = "usage: GITHUB_TOKEN=<token> npm run doctor -- github <env>   (GITHUB_API_URL overrides https://api.github.com)";

/** `doctor github <env>`: is the GitHub environment guarding the deploy role exactly as narrow as config says? */
export async function runGithubDoctor(
  argv: string[],
  out: (s: string) => void = (s) => process.stdout.write(s),
  environments?: readonly EnvironmentConfig[],
  vars: Readonly<Record<string, string | undefined>> = process.env,
): Promise<number> {
  const envs = environments ?? loadEnvironments(appEnvironments());
  const env = argv.length === 1 ? envs.find((e) => e.name === argv[0]) : undefined;
  if (!env) {
    out(`${argv.length === 1 ? `unknown environment '${argv[0]}'; known: ${envs.map((e) => e.name).join(", ")}\n` : ""}${GITHUB_USAGE}\n`);
    return 2;
  }
  if (env.github.deployFrom.kind !== "environment") {
    out(`${env.name} deploys from a ${env.github.deployFrom.kind}, not a GitHub environment: nothing to check\n`);
    return 0;
  }
  if (!vars.GITHUB_TOKEN) {
    out(`GITHUB_TOKEN is not set: give a token that can read the repository's environments\n${GITHUB_USAGE}\n`);
    return 1;
  }
  try {
    const drift = await protectionDrift(env, { url: githubApiRoot(vars.GITHUB_API_URL).href, token: vars.GITHUB_TOKEN });
    if (drift.length === 0) {
      out(`GitHub environment '${env.github.deployFrom.name}' of ${env.github.repository} is exactly as config says\n`);
      return 0;
    }
    out(`GitHub environment '${env.github.deployFrom.name}' of ${env.github.repository} differs from config:\n${drift.map((d) => `  - ${d}`).join("\n")}\n`);
    return 1;
  } catch (err) {
    out(`cannot check ${env.github.repository}: ${(err as Error).message}\n`);
    return 1;
  }
}

/** `doctor trust <env> --sub <sub> [--aud <aud>]`: which GitHub OIDC role accepts the token, or why none does. */
export function runTrustDoctor(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s), environments?: readonly EnvironmentConfig[]): number {
  return runTrustCommand(argv, out, environments ? () => environments : undefined);
}

const EXPLAIN_USAGE = "usage: npm run doctor -- explain <env> '<error text>'   (- reads the text from stdin)";

/** Untrusted text shown escaped: control characters visible, never interpreted by the terminal. */
const escaped = (text: string) => JSON.stringify(text.length > 2000 ? `${text.slice(0, 2000)}…` : text);

/** `doctor explain <env> <text>`: a registry error's cause and fix. */
export function runExplainDoctor(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s), readStdin = () => readFileSync(0, "utf8")): number {
  const envs = loadEnvironments(appEnvironments());
  const [name, text, ...extra] = argv;
  const env = envs.find((e) => e.name === name);
  if (!env || text === undefined || extra.length > 0) {
    out(`${env || !name ? "" : `unknown environment '${name}'; known: ${envs.map((e) => e.name).join(", ")}\n`}${EXPLAIN_USAGE}\n`);
    return 2;
  }
  const error = text === "-" ? readStdin() : text;
  const e = explainRegistryError(env, error);
  out(
    `ECR doctor: explaining an error of ${env.name} (registry ${env.accountId}/${env.region})\n` +
      `error:    ${escaped(error.trim())}\n` +
      (e.identity ? `identity: ${e.identity}\n` : "") +
      `cause:    ${e.cause}\nfix:      ${e.fix}\n`,
  );
  return e.kind === "unknown" ? 1 : 0;
}

const resultOf = (c: OnlineCheck) => (c.skipped ? "skipped" : !c.ok ? "FAILED" : c.warning ? "WARNING" : "ok");

export async function runDoctor(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  if (argv[0] === "trust") return runTrustDoctor(argv.slice(1), out);
  if (argv[0] === "explain") return runExplainDoctor(argv.slice(1), out);
  if (argv[0] === "github") return runGithubDoctor(argv.slice(1), out);
  const usage = `usage: npm run doctor -- <env> [--service <name>] [--as ${IDENTITY_KINDS.join("|")}] [--online] [--endpoint <url>]\n       ${TRUST_USAGE.replace("usage: ", "")}`;
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        service: { type: "string" },
        as: { type: "string", default: "ecr-user" },
        online: { type: "boolean", default: false },
        endpoint: { type: "string" },
      },
    });
  } catch (err) {
    out(`${(err as Error).message}\n${usage}\n`);
    return 2;
  }
  const envs = loadEnvironments(appEnvironments());
  const env = envs.find((e) => e.name === parsed.positionals[0]);
  if (!env) {
    out(`unknown environment '${parsed.positionals[0] ?? ""}'; known: ${envs.map((e) => e.name).join(", ")}\n${usage}\n`);
    return 2;
  }
  const kind = parsed.values.as as IdentityKind;
  if (!IDENTITY_KINDS.includes(kind)) {
    out(`unknown identity '${kind}'\n${usage}\n`);
    return 2;
  }
  const service = env.services.find((s) => s.name === (parsed.values.service ?? env.services[0].name));
  if (!service) {
    out(`environment ${env.name} has no service '${parsed.values.service}'; services: ${env.services.map((s) => s.name).join(", ")}\n`);
    return 2;
  }
  const repo = repositoryName(env, service);

  const work = mkdtempSync(join(tmpdir(), "doctor-"));
  let stackJson;
  try {
    const { outdir } = synthesizePlatform({ outdir: join(work, "cdktf.out"), environments: appEnvironments() });
    stackJson = JSON.parse(readFileSync(join(outdir, "stacks", env.name, "cdk.tf.json"), "utf8"));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const identity = identityFromStack(stackJson, env, kind);
  const verdicts = await offlineCheck(env, identity, repo, repositoryPolicyFromStack(stackJson, repo));

  out(
    `ECR doctor: ${env.name}, repository ${repo} in ${env.accountId}/${env.region}\n\n` +
      `Offline: the ${kind} (${identity.arn}, chosen with --as), from the synthesized policies (IAM policy simulator):\n`,
  );
  out(
    table([
      ["flow", "step", "action", "decision", "decided by"],
      ...verdicts.map((v) => [
        v.flow,
        v.step.what,
        v.step.action,
        v.decision === "Allowed" ? "allowed" : v.decision === "ExplicitlyDenied" ? "DENIED (explicit)" : "DENIED (no statement allows)",
        v.decidedBy.join(", ") || "-",
      ]),
    ]) + "\n",
  );
  const pushAllowed = verdicts.filter((v) => v.flow === "push").every((v) => v.decision === "Allowed");
  out(pushAllowed ? "\npush: every step allowed\n" : "\npush: BLOCKED; the first denied step is what docker reports as 403 Forbidden\n");

  let onlineOk = true;
  if (parsed.values.online) {
    const endpoint = parsed.values.endpoint ?? process.env.AWS_ENDPOINT_URL;
    const identityChecks = await onlineCheck({ region: env.region, accountId: env.accountId, repository: repo, endpoint });
    const whoAmI = identityChecks[0];
    // Without an identity nothing else can be asked; key ages are not "ok" then, they are unknown.
    const keyUsers = [ecrUserName(env), s3UserName(env)];
    const checks: OnlineCheck[] = [
      ...identityChecks,
      ...(whoAmI?.ok
        ? await keyAgeChecks({ users: keyUsers, maxKeyAgeDays: env.maxKeyAgeDays, clientConfig: { region: env.region, ...(endpoint ? { endpoint } : {}) } })
        : keyUsers.map((u) => ({ check: `access keys of ${u}`, ok: true, skipped: true, detail: "not checked: no identity answered (see the failed row)" }))),
    ];
    out(
      whoAmI?.ok
        ? `\nOnline: this shell's own credentials, ${whoAmI.detail} (not the --as identity above):\n`
        : "\nOnline: this shell's own credentials, which did not identify (see below):\n",
    );
    out(table([["check", "result", "detail"], ...checks.map((c) => [c.check, resultOf(c), c.detail])]) + "\n");
    for (const c of checks.filter((x) => !x.ok)) out(`\n${c.check}\n  cause: ${c.cause}\n  fix:   ${c.fix}\n`);
    for (const c of checks.filter((x) => x.ok && x.warning)) out(`\n${c.check}\n  warning: ${c.warning}\n`);
    onlineOk = checks.every((c) => c.ok);
  }
  return pushAllowed && onlineOk ? 0 : 1;
}

if (require.main === module) {
  runDoctor(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      process.stderr.write(`doctor: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 2;
    },
  );
}
