/**
 * Exports every stack as HCL, the way out of cdktf (archived): HashiCorp's
 * advice is `cdktf synth --hcl`, then plain OpenTofu or Terraform.
 *
 *   node dist/scripts/export-hcl.js [outdir]     (default cdktf.out.hcl/)
 *
 * 1. Runs the cdktf CLI 0.21.0 of this repository: `cdktf synth --hcl --app
 *    "node dist/main.js" --output <outdir>` (the compiled app: build first,
 *    `npm run build`). The environment is passed through, so
 *    PLATFORM_EMULATOR_ENDPOINT adds the `local` environment, its backend on the emulator.
 *    Any stale cdk.tf.json in <outdir> is removed first; afterwards every
 *    stack must have a cdk.tf and no cdk.tf.json, or the export fails.
 * 2. Synthesizes the same app as JSON into a temporary directory and checks,
 *    stack by stack, that the HCL means the same (scripts/lib/hcl-export.ts
 *    parses the HCL and compares every block, attribute and value).
 * 3. Repairs the three renderer faults that comparison finds here, each in
 *    place and only where it restores the JSON's meaning (see hcl-export.ts):
 *    integer-looking strings written as numbers (`output "account_id"`, the
 *    key generations) are quoted again; quoted references in depends_on are
 *    unquoted; lifecycle `postcondition = [...]` (an attribute OpenTofu
 *    refuses) becomes postcondition blocks. Every repair is printed.
 * 4. Fails (exit 1) when a stack's HCL does not parse, still differs from
 *    its JSON or is still not native syntax, naming the stack, the path and
 *    the line. The files are left
 *    for inspection; do not apply them.
 *
 * Checked against the known HCL export bugs: tokens inside a JSON-encoded
 * string (terraform-cdk#3911) would fail step 4; our policies are concrete
 * strings. `hclOutput` in App is ignored (#3875): the CLI flag is used.
 * `use_lockfile` (cdk-terrain#313 mangles extra `terraform {}` keys) is set
 * on the backend, not on `terraform {}`, and comes out as
 * `backend "s3" { use_lockfile = true }`; step 2 would catch the mangled
 * form. Out of memory on large stacks (#3945): the CLI runs the app with
 * NODE_OPTIONS=--max-old-space-size=4096 unless NODE_OPTIONS is already set;
 * our stacks are small (the whole export takes seconds).
 *
 * Exit 0 exported and equal, 1 failed, 2 bad usage.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, join, relative, resolve } from "node:path";
import { HclSyntaxError, lineCol, repairStackHcl } from "./lib/hcl-export";
import { PROJECT_ROOT } from "./lib/toolchain";

export const DEFAULT_HCL_OUTDIR = "cdktf.out.hcl";
const USAGE = "usage: node dist/scripts/export-hcl.js [outdir]   (default cdktf.out.hcl)";

class ExportError extends Error {}

/** Refuses directories the app's atomic swap would wipe by mistake: the project, its parents, the JSON output, a non-cdktf directory. */
function checkOutdir(outdir: string): void {
  const up = relative(outdir, PROJECT_ROOT);
  if (up === "" || (!up.startsWith("..") && !isAbsolute(up)))
    throw new ExportError(`refusing ${outdir}: it contains the project, and synthesis replaces the output directory`);
  if (outdir === join(PROJECT_ROOT, "cdktf.out"))
    throw new ExportError("refusing cdktf.out: that is the JSON output; export HCL into a directory of its own (default cdktf.out.hcl)");
  if (existsSync(outdir) && readdirSync(outdir).length > 0 && !existsSync(join(outdir, "manifest.json"))) {
    throw new ExportError(`refusing ${outdir}: it exists and is not a cdktf output directory (no manifest.json), and synthesis replaces it`);
  }
}

const stacksOf = (outdir: string): string[] => Object.keys(JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")).stacks).sort();

export interface ExportResult {
  readonly outdir: string;
  readonly stacks: string[];
  /** `<stack>: <repair>` lines. */
  readonly repairs: string[];
  readonly ms: { cli: number; reference: number; check: number };
}

export function exportHcl(outdirArg: string = DEFAULT_HCL_OUTDIR, log: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): ExportResult {
  const outdir = resolve(outdirArg);
  checkOutdir(outdir);
  const app = join(PROJECT_ROOT, "dist", "main.js");
  if (!existsSync(app)) throw new ExportError(`${relative(process.cwd(), app)} is missing: build first (npm run build)`);

  // Stale JSON from an earlier run must not sit next to the HCL.
  if (existsSync(join(outdir, "stacks"))) {
    for (const stack of readdirSync(join(outdir, "stacks"))) rmSync(join(outdir, "stacks", stack, "cdk.tf.json"), { force: true });
  }

  const env: NodeJS.ProcessEnv = { ...process.env, CHECKPOINT_DISABLE: "1", DISABLE_CDKTF_TELEMETRY: "1", CI: "1" };
  let began = Date.now();
  const cli = spawnSync(join(PROJECT_ROOT, "node_modules", ".bin", "cdktf"), ["synth", "--hcl", "--app", "node dist/main.js", "--output", outdir], {
    cwd: PROJECT_ROOT,
    env,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const cliMs = Date.now() - began;
  if (cli.error || cli.status !== 0) {
    throw new ExportError(
      `cdktf synth --hcl failed (${cli.error?.message ?? `exit ${cli.status}`}):\n${(cli.stdout ?? "").slice(-4000)}\n${(cli.stderr ?? "").slice(-4000)}`,
    );
  }
  if (!existsSync(join(outdir, "manifest.json"))) throw new ExportError(`cdktf synth --hcl wrote no ${join(outdir, "manifest.json")}`);
  const stacks = stacksOf(outdir);
  if (stacks.length === 0) throw new ExportError("cdktf synth --hcl wrote no stacks");
  for (const stack of stacks) {
    const dir = join(outdir, "stacks", stack);
    if (existsSync(join(dir, "cdk.tf.json")))
      throw new ExportError(`stack ${stack}: cdk.tf.json written instead of HCL (the app ignored SYNTH_HCL_OUTPUT); nothing exported`);
    if (!existsSync(join(dir, "cdk.tf"))) throw new ExportError(`stack ${stack} has no cdk.tf in ${dir}: the HCL export did not write it`);
  }

  // The same app as JSON, the meaning the HCL must keep.
  began = Date.now();
  const work = mkdtempSync(join(tmpdir(), "export-hcl-"));
  try {
    const reference = join(work, "json");
    const jsonEnv: NodeJS.ProcessEnv = { ...env, CDKTF_OUTDIR: reference };
    delete jsonEnv.SYNTH_HCL_OUTPUT;
    const synth = spawnSync(process.execPath, [app], { cwd: PROJECT_ROOT, env: jsonEnv, encoding: "utf8" });
    if (synth.status !== 0) throw new ExportError(`JSON synthesis for the comparison failed (exit ${synth.status}):\n${synth.stderr}`);
    const referenceMs = Date.now() - began;
    const jsonStacks = stacksOf(reference);
    if (jsonStacks.join() !== stacks.join())
      throw new ExportError(`the HCL export has stacks [${stacks.join(", ")}], the JSON synthesis [${jsonStacks.join(", ")}]`);

    began = Date.now();
    const repairs: string[] = [];
    const problems: string[] = [];
    for (const stack of stacks) {
      const file = join(outdir, "stacks", stack, "cdk.tf");
      const text = readFileSync(file, "utf8");
      const json = JSON.parse(readFileSync(join(reference, "stacks", stack, "cdk.tf.json"), "utf8"));
      let result;
      try {
        result = repairStackHcl(text, json);
      } catch (err) {
        if (!(err instanceof HclSyntaxError)) throw err;
        problems.push(
          `${stack}: cdk.tf is not valid HCL at ${err.message} (a quote left unescaped in a string holding \${...}: hashicorp/terraform-cdk#3911?)`,
        );
        continue;
      }
      for (const r of result.repairs) repairs.push(`${stack}: ${r}`);
      for (const d of result.differences)
        problems.push(`${stack}: ${d.path}${d.at === undefined ? "" : ` (cdk.tf ${lineCol(result.text, d.at)})`}: ${d.message}`);
      if (result.text !== text) writeFileSync(file, result.text);
    }
    const checkMs = Date.now() - began;
    for (const r of repairs) log(`repaired ${r}`);
    if (problems.length) {
      throw new ExportError(
        `the exported HCL does not mean what the JSON synthesis means (left in ${outdir} for inspection; do not apply it):\n  ${problems.slice(0, 40).join("\n  ")}${problems.length > 40 ? `\n  ... and ${problems.length - 40} more` : ""}`,
      );
    }
    log(
      `exported ${stacks.length} stacks as HCL into ${outdir} (cdk.tf each, same meaning as cdk.tf.json; ${repairs.length} repairs) in ${((cliMs + referenceMs + checkMs) / 1000).toFixed(1)} s`,
    );
    return { outdir, stacks, repairs, ms: { cli: cliMs, reference: referenceMs, check: checkMs } };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const args = process.argv.slice(2);
  if (args.length > 1 || args.some((a) => a.startsWith("-"))) {
    process.stderr.write(`${USAGE}\n`);
    process.exit(args.includes("--help") || args.includes("-h") ? 0 : 2);
  }
  try {
    exportHcl(args[0]);
  } catch (err) {
    process.stderr.write(`export-hcl: ${err instanceof ExportError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  }
}

export { ExportError };
