/**
 * Runs checkov (--framework terraform_json) on every synthesized stack and
 * applies security/checkov-waivers.json. Prints pass/fail counts, every
 * waiver in use, and exits 1 on an unwaived failure, a stale waiver or a
 * waiver without a proper reason.
 *
 *   node dist/scripts/security/checkov-scan.js [--with-new-environment]   (CHECKOV_BIN from toolchain.env)
 *
 * --with-new-environment also synthesizes an environment added the way the
 * README says (the first environment's entry in environments/app.ts copied,
 * renamed, in an account of its own, everything else derived): it must pass
 * with the committed waivers, none added.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { APP, ENVIRONMENTS, type AppConfig, type EnvironmentInput } from "../../environments";
import { environmentInputs } from "../../environments/app-config";
import { synthesizePlatform } from "../../stacks/synthesize";
import { PROJECT_ROOT } from "../lib/toolchain";
import { applyWaivers, isClean, MIN_REASON_LENGTH, type Finding, type Waiver } from "./waivers";

interface CheckovReport {
  check_type: string;
  summary: { passed: number; failed: number; skipped: number; parsing_errors: number };
  results: { failed_checks: { check_id: string; check_name: string; file_path: string; resource: string }[] };
}

/**
 * "Add an environment: an entry in the list": the entry of `like` copied under a
 * new name into an account the app does not mention, with what environments/app.ts
 * derives (state, buckets, deploy source) left to derive. Any app's config works.
 */
export function newEnvironmentLike(app: AppConfig, like: string = app.environments[0].name): EnvironmentInput {
  const template = app.environments.find((e) => e.name === like);
  if (!template) throw new Error(`no environment '${like}' to copy; the app has ${app.environments.map((e) => e.name).join(", ")}`);
  const names = new Set(app.environments.map((e) => e.name));
  let name = "qa";
  for (let n = 2; names.has(name); n++) name = `qa${n}`;
  // An id found nowhere in the app: neither an environment's account nor one that may pull.
  const mentioned = JSON.stringify(app);
  const accountId = ["4", "5", "6", "7", "8", "9"].map((d) => d.repeat(12)).find((id) => !mentioned.includes(id));
  if (!accountId) throw new Error("every candidate account id is already in the app");
  // The copy names nothing the original derived or owned; at most one environment is delivered on push.
  const { state: _state, s3UserBuckets: _buckets, delivery: _delivery, github, ...copied } = template;
  const { deployFrom: _deployFrom, ...githubSettings } = github ?? {};
  const entry = { ...copied, name, accountId, ...(github ? { github: githubSettings } : {}) };
  return environmentInputs({ ...app, environments: [...app.environments, entry] }).at(-1)!;
}

function main(): number {
  const checkov = process.env.CHECKOV_BIN;
  if (!checkov) throw new Error("CHECKOV_BIN is not set: run `bash scripts/toolchain.sh test` and source ~/.cache/platform/toolchain-test.env");
  const work = mkdtempSync(join(tmpdir(), "checkov-"));
  try {
    const withNew = process.argv.includes("--with-new-environment");
    const like = APP.environments[0].name;
    const added = withNew ? newEnvironmentLike(APP, like) : undefined;
    const environments = added ? [...ENVIRONMENTS, added] : ENVIRONMENTS;
    const { outdir } = synthesizePlatform({ outdir: join(work, "cdktf.out"), environments });
    if (added)
      console.log(
        `checkov: scanning the committed environments and a new one, '${added.name}' (like ${like}, account ${added.accountId}), added as the README says`,
      );
    const run = spawnSync(checkov, ["-d", join(outdir, "stacks"), "--framework", "terraform_json", "--skip-download", "--quiet", "-o", "json"], {
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    if (run.status !== 0 && run.status !== 1) throw new Error(`checkov failed (exit ${run.status}):\n${run.stderr}`);
    const parsed = JSON.parse(run.stdout) as CheckovReport | CheckovReport[];
    const reports = Array.isArray(parsed) ? parsed : [parsed];
    const findings: Finding[] = reports.flatMap((r) =>
      r.results.failed_checks.map((f) => ({ check: f.check_id, resource: `${f.file_path.split("/").filter(Boolean)[0]}/${f.resource}`, name: f.check_name })),
    );
    const parsingErrors = reports.reduce((n, r) => n + r.summary.parsing_errors, 0);
    const passed = reports.reduce((n, r) => n + r.summary.passed, 0);
    const { waivers } = JSON.parse(readFileSync(join(PROJECT_ROOT, "security", "checkov-waivers.json"), "utf8")) as { waivers: Waiver[] };
    const report = applyWaivers(findings, waivers);

    console.log(
      `checkov: ${passed} passed, ${findings.length} failed (${report.waived.length} waived, ${report.unwaived.length} not waived), ${parsingErrors} parsing errors`,
    );
    const byCheck = new Map<string, number>();
    for (const f of report.waived) byCheck.set(f.check, (byCheck.get(f.check) ?? 0) + 1);
    for (const [check, n] of [...byCheck].sort()) console.log(`  waived ${check} x${n}: ${waivers.find((w) => w.check === check)!.reason}`);
    for (const f of report.unwaived) console.log(`  NOT WAIVED ${f.check} ${f.resource} (${f.name})`);
    for (const w of report.stale) console.log(`  STALE waiver ${w.check} ${w.resource}: it matches no finding; remove it`);
    for (const w of report.badReasons) console.log(`  waiver ${w.check} ${w.resource}: reason shorter than ${MIN_REASON_LENGTH} characters`);
    for (const w of report.duplicates) console.log(`  duplicate waiver ${w.check} ${w.resource}`);
    for (const w of report.tooBroad) console.log(`  waiver ${w.check} ${w.resource}: too broad; name the construct after the stack`);
    return isClean(report) && parsingErrors === 0 ? 0 : 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  try {
    process.exitCode = main();
  } catch (err) {
    console.error(`checkov-scan: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 2;
  }
}
