/**
 * The way out of cdktf: `node dist/scripts/export-hcl.js` (cdktf CLI
 * `synth --hcl`, checked and narrowly repaired) writes HCL that OpenTofu
 * accepts and that means what the JSON means:
 *  - the renderer faults the export guards against, shown with cdktf's own
 *    HCL renderer (no toolchain needed);
 *  - every exported stack: only cdk.tf, `use_lockfile` where it belongs,
 *    every JSON document attribute (IAM policies, lifecycle policies, event
 *    patterns) identical to the JSON's and free of `${`, and the whole stack
 *    equal in meaning to its cdk.tf.json;
 *  - every exported stack passes `tofu init -backend=false` and `tofu
 *    validate` with no diagnostics (github stacks skipped, never passed,
 *    when no integrations/github provider is available);
 *  - against the AWS emulator: on the JSON `local` and `local-credentials`
 *    stacks the main job applied (the shared sandbox,
 *    support/shared-sandbox.ts), the exported HCL of each, in a separate
 *    working directory with the same remote state, plans no changes.
 */
import { spawn, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { credentialsStackName } from "../../environments/naming";
import {
  compareHclToJson,
  findAttribute,
  jsonDocumentAttributes,
  parseHcl,
  prepareHclStackWorkdir,
  repairStackHcl,
  HclSyntaxError,
  type HclBody,
} from "../../scripts/lib/hcl-export";
import type { Emulator } from "../../scripts/lib/emulator";
import { emulatorAwsEnv, localEnvironment } from "../../scripts/lib/local-run";
import { sharedSandbox } from "../support/shared-sandbox";
import type { TofuResult, TofuRunner } from "../../scripts/lib/tofu";
import { testEngine } from "../support/test-engine";
import { ensureToolchain, PROJECT_ROOT } from "../../scripts/lib/toolchain";
// cdktf's own HCL renderer, the code `cdktf synth --hcl` runs (no package exports map: deep require works).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const render = require("cdktf/lib/hcl/render") as { renderAttributes(a: object): string; renderTerraform(t: object): string };

const env = localEnvironment();
const toolchain = ensureToolchain("test");
const work = mkdtempSync(join(tmpdir(), "hcl-export-"));
const timings: Record<string, number> = {};
const report: string[] = [];
const EXPORT = join(PROJECT_ROOT, "dist", "scripts", "export-hcl.js");

/** The environment without PLATFORM_EMULATOR_ENDPOINT: the export as a user runs it. */
const plainEnv = (): NodeJS.ProcessEnv => {
  const e = { ...process.env };
  delete e.PLATFORM_EMULATOR_ENDPOINT;
  delete e.CDKTF_OUTDIR;
  return e;
};

// The reference JSON, synthesized at load time so that each stack is its own test.
const jsonOut = join(work, "cdktf.out");
execFileSync(process.execPath, [join(PROJECT_ROOT, "dist", "main.js")], { env: { ...plainEnv(), CDKTF_OUTDIR: jsonOut }, stdio: "ignore" });
const stacks: string[] = Object.keys(JSON.parse(readFileSync(join(jsonOut, "manifest.json"), "utf8")).stacks).sort();
const jsonOf = (outdir: string, stack: string) => JSON.parse(readFileSync(join(outdir, "stacks", stack, "cdk.tf.json"), "utf8"));
const needsGithub = (stack: string) => Boolean(jsonOf(jsonOut, stack).terraform?.required_providers?.github);
const runnable = stacks.filter((s) => (needsGithub(s) ? toolchain.githubProviderVersion : toolchain.awsProviderVersion));
const blocked = stacks.filter((s) => !runnable.includes(s));
const hasCredentialsStack = stacks.includes(credentialsStackName(env));

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}
function runExport(outdir: string, extraEnv: Record<string, string> = {}, args: string[] = [outdir]): Promise<Run> {
  const began = Date.now();
  return new Promise((done) => {
    const child = spawn(process.execPath, [EXPORT, ...args], { cwd: PROJECT_ROOT, env: { ...plainEnv(), ...extraEnv } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("close", (code) => done({ code, stdout, stderr, ms: Date.now() - began }));
  });
}

/**
 * `tofu init` links providers from the one shared plugin cache. Without a
 * dependency lock file naming them it re-creates the cache's link to the
 * mirror, and a tofu process starting a provider at that moment fails ("there
 * is no package ... cached"). Every working directory gets a lock file naming
 * the mirror's providers before its init (support/test-engine.ts), which then
 * only links. Inits also run one at a time.
 */
let initQueue: Promise<unknown> = Promise.resolve();
function init(runner: TofuRunner, dir: string, args: string[]): Promise<TofuResult> {
  const job = () => runner.run(dir, ["init", ...args]);
  const next = initQueue.then(job, job);
  initQueue = next.catch(() => undefined);
  return next;
}

const must = async (step: string, p: Promise<TofuResult>) => {
  const r = await p;
  timings[step] = r.ms;
  if (r.code !== 0) throw new Error(`${step} failed (exit ${r.code}):\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  return r;
};

const hclOut = join(work, "cdktf.out.hcl");
const hclEmuOut = join(work, "cdktf.out.hcl-emulator");
/** The JSON the main job synthesized and applied (the shared sandbox's), read only. */
let jsonEmuOut: string;
let plainExport: Run;
let emulatorExport: Run;
let emulator: Emulator | undefined;
let tofu: TofuRunner;
let validations: Map<string, Promise<{ init: TofuResult; validate: TofuResult }>>;
interface HclPlan {
  readonly stack: string;
  readonly dir: string;
  readonly backendDifferences: unknown[];
  readonly plan: TofuResult;
  /** local only: the plan of the renderer's output before the number-for-string repair. */
  readonly unrepaired?: TofuResult;
}
let hclPlans: Promise<HclPlan[]>;
let exported: Promise<[Run, Run]>;
const hclOf = (outdir: string, stack: string) => readFileSync(join(outdir, "stacks", stack, "cdk.tf"), "utf8");

/** The exported HCL of one stack in a working directory of its own, same backend as the JSON: init, then a refreshing plan. */
async function planHcl(stack: string): Promise<HclPlan> {
  await exported;
  // Same remote state: the HCL backend block means exactly the JSON's.
  const terraform = parseHcl(hclOf(hclEmuOut, stack)).blocks.find((b) => b.type === "terraform")!.body;
  const backendOnly: HclBody = { attrs: new Map(), starts: new Map(), blocks: terraform.blocks.filter((b) => b.type === "backend") };
  const backendDifferences = compareHclToJson(backendOnly, { backend: jsonOf(jsonEmuOut, stack).terraform.backend });
  const { dir } = prepareHclStackWorkdir(hclEmuOut, stack, join(work, "hcl-run"));
  await must(`hcl_${stack}_init`, init(tofu, dir, ["-input=false", "-no-color"]));
  // Without the lock, as a pull request's plan: the state is the shared sandbox's, which others plan too.
  const plan = await tofu.run(dir, ["plan", "-lock=false", "-detailed-exitcode", "-input=false", "-no-color"]);
  timings[`hcl_${stack}_plan`] = plan.ms;
  return { stack, dir, backendDifferences, plan };
}

beforeAll(async () => {
  if (!existsSync(EXPORT)) throw new Error(`${EXPORT} is missing: npm run build first`);
  if (!toolchain.awsProviderVersion) throw new Error("no hashicorp/aws provider available: see README, Requirements");
  const sandbox = await sharedSandbox();
  emulator = sandbox.emulator;
  jsonEmuOut = sandbox.outdir;
  // The engine the main job applied with: a state written by a newer Terraform is refused by an older OpenTofu.
  tofu = testEngine(toolchain, emulatorAwsEnv(emulator, env.region), toolchain.engineBin);

  // A stale JSON stack in the emulator export's directory must be gone afterwards.
  mkdirSync(join(hclEmuOut, "stacks", env.name), { recursive: true });
  writeFileSync(join(hclEmuOut, "manifest.json"), JSON.stringify({ stacks: {} }));
  writeFileSync(join(hclEmuOut, "stacks", env.name, "cdk.tf.json"), "{}");

  const endpoint = emulator.endpoint;
  exported = Promise.all([runExport(hclOut), runExport(hclEmuOut, { PLATFORM_EMULATOR_ENDPOINT: endpoint })]).then(([plain, emulated]) => {
    for (const [name, r] of [
      ["export", plain],
      ["export (emulator)", emulated],
    ] as const) {
      if (r.code !== 0) throw new Error(`${name} failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
    }
    return [plain, emulated] as [Run, Run];
  });

  // The JSON stacks are applied (the sandbox is up): each exported HCL stack is planned on their state.
  const planLocal = planHcl(env.name).then(async (result) => {
    // Why the number-for-string repair matters: the renderer's unrepaired output changes an output's type.
    const repaired = readFileSync(join(result.dir, "cdk.tf"), "utf8");
    const asRendered = repaired.replace(new RegExp(`(output "account_id" \\{\\n\\s+value\\s+= )"(${env.accountId})"`), "$1$2");
    if (asRendered === repaired) throw new Error("no quoted account_id output in the exported local stack");
    writeFileSync(join(result.dir, "cdk.tf"), asRendered);
    const unrepaired = await tofu.run(result.dir, ["plan", "-refresh=false", "-lock=false", "-detailed-exitcode", "-input=false", "-no-color"]);
    writeFileSync(join(result.dir, "cdk.tf"), repaired);
    return { ...result, unrepaired };
  });
  const planCredentials = hasCredentialsStack ? planHcl(credentialsStackName(env)) : undefined;
  hclPlans = Promise.all([planLocal, ...(planCredentials ? [planCredentials] : [])]);
  hclPlans.catch(() => undefined); // awaited (and reported) by its test

  [plainExport, emulatorExport] = await exported;
  timings.export = plainExport.ms;
  timings.export_emulator = emulatorExport.ms;

  // init + validate of every exported stack, two at a time, while the HCL plans run against the sandbox.
  const validator = testEngine(toolchain, { AWS_EC2_METADATA_DISABLED: "true" });
  let free = 2;
  const waiting: (() => void)[] = [];
  const acquire = () => (free > 0 ? (free--, Promise.resolve()) : new Promise<void>((r) => waiting.push(r)));
  const release = () => (waiting.length ? waiting.shift()!() : free++);
  const began = Date.now();
  validations = new Map(
    runnable.map((stack) => {
      const result = (async () => {
        await acquire();
        try {
          const { dir } = prepareHclStackWorkdir(hclOut, stack, join(work, "validate"));
          const initialized = await init(validator, dir, ["-backend=false", "-input=false", "-no-color"]);
          const validate = await validator.run(dir, ["validate", "-json", "-no-color"]);
          return { init: initialized, validate };
        } finally {
          release();
        }
      })();
      result.catch(() => undefined); // awaited (and reported) by its test
      return [stack, result];
    }),
  );
  void Promise.allSettled(validations.values()).then(() => (timings.validate_all = Date.now() - began));
}, 660_000);

afterAll(async () => {
  // Work still under way (a run filtered with -t) finishes before its directory goes.
  await Promise.allSettled([...(validations?.values() ?? []), ...(hclPlans !== undefined ? [hclPlans] : [])]);
  rmSync(work, { recursive: true, force: true });
  process.stderr.write(
    `hcl-export e2e:\n  ${report.join("\n  ")}\n  timings (s): ${Object.entries(timings)
      .map(([k, v]) => `${k}=${(v / 1000).toFixed(1)}`)
      .join(" ")}\n`,
  );
});

describe("cdktf's HCL renderer: the faults the export guards against", () => {
  const policyWithToken = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":["${aws_s3_bucket.b.arn}/*"]}]}';

  it("terraform-cdk#3911: a ${} token inside a JSON-encoded string renders with unescaped quotes; the check refuses it", () => {
    const hcl = `resource "aws_iam_policy" "p" {\n${render.renderAttributes({ policy: { value: policyWithToken, type: "simple", storageClassType: "string" } })}\n}\n`;
    expect(hcl).toContain('policy = "{"Version"'); // the quotes are not escaped
    const json = { resource: { aws_iam_policy: { p: { policy: policyWithToken } } } };
    expect(() => repairStackHcl(hcl, json)).toThrow(HclSyntaxError);
    // The same value without a token is escaped and reads back identically.
    const concrete = policyWithToken.replace("${aws_s3_bucket.b.arn}", "arn:aws:s3:::b");
    const ok = `resource "aws_iam_policy" "p" {\n${render.renderAttributes({ policy: { value: concrete, type: "simple", storageClassType: "string" } })}\n}\n`;
    expect(repairStackHcl(ok, { resource: { aws_iam_policy: { p: { policy: concrete } } } })).toEqual({ text: ok, repairs: [], differences: [] });
  });

  it("an integer-looking string without schema (an output) renders as a number; the repair quotes it and nothing else", () => {
    const attrs = { value: "123456789012", description: "AWS account id", sensitive: false };
    const hcl = `output "account_id" {\n${render.renderAttributes(attrs)}\n}\n`;
    expect(hcl).toContain("value = 123456789012");
    const json = { output: { account_id: attrs } };
    expect(compareHclToJson(parseHcl(hcl), json).map((d) => [d.path, d.message])).toEqual([
      ["output.account_id.value", 'HCL number 123456789012, JSON string "123456789012"'],
    ]);
    const repaired = repairStackHcl(hcl, json);
    expect(repaired.text).toBe(hcl.replace("value = 123456789012", 'value = "123456789012"'));
    expect(repaired.differences).toEqual([]);
    // A number that is a number stays one.
    const numeric = `output "n" {\n${render.renderAttributes({ value: 3 })}\n}\n`;
    expect(repairStackHcl(numeric, { output: { n: { value: 3 } } })).toEqual({ text: numeric, repairs: [], differences: [] });
  });

  it("depends_on renders quoted references (deprecated in native syntax); the repair unquotes addresses only", () => {
    const hcl = `resource "aws_s3_bucket_policy" "p" {\n${render.renderAttributes({ bucket: "b", depends_on: ["aws_s3_bucket_public_access_block.pab"] })}\n}\n`;
    expect(hcl).toMatch(/"aws_s3_bucket_public_access_block\.pab",/);
    const repaired = repairStackHcl(hcl, { resource: { aws_s3_bucket_policy: { p: { bucket: "b", depends_on: ["aws_s3_bucket_public_access_block.pab"] } } } });
    expect(repaired.text).toBe(hcl.replace('"aws_s3_bucket_public_access_block.pab"', "aws_s3_bucket_public_access_block.pab"));
    expect(repaired.differences).toEqual([]);
  });

  it("lifecycle postcondition renders as an attribute (OpenTofu: Unsupported argument); the repair writes blocks with the same values", () => {
    const condition = '${alltrue([for p in self.policies : contains(["branch:main"], format("%s:%s", p.type, p.pattern))])}';
    const attrs = { environment: "dev", lifecycle: { postcondition: [{ condition, error_message: "a pattern was added in GitHub" }] } };
    const hcl = `data "github_repository_environment_deployment_policies" "p" {\n${render.renderAttributes(attrs)}\n}\n`;
    expect(hcl).toMatch(/lifecycle \{\n\s*postcondition = \[/);
    const json = { data: { github_repository_environment_deployment_policies: { p: attrs } } };
    expect(compareHclToJson(parseHcl(hcl), json, hcl).map((d) => [d.path, Boolean(d.fix)])).toEqual([
      ["data.github_repository_environment_deployment_policies.p.lifecycle.postcondition", true],
    ]);
    const repaired = repairStackHcl(hcl, json);
    expect(repaired.differences).toEqual([]);
    expect(repaired.text.replace(/\s+/g, " ")).toContain(
      `lifecycle { postcondition { condition = "${condition}" error_message = "a pattern was added in GitHub" } }`,
    );
    const lifecycle = parseHcl(repaired.text).blocks[0].body.blocks.find((b) => b.type === "lifecycle")!.body;
    expect([...lifecycle.attrs.keys()]).toEqual([]);
    expect(lifecycle.blocks.map((b) => b.type)).toEqual(["postcondition"]);
  });

  it('cdk-terrain#313: an extra terraform {} key renders as `0 = "key"`; the comparison reports it (use_lockfile is set on the backend instead)', () => {
    const terraform = {
      required_providers: { aws: { source: "aws", version: "6.25.0" } },
      backend: { s3: { bucket: "b", use_lockfile: true } },
      required_version: ">= 1.10",
    };
    const hcl = render.renderTerraform(terraform);
    expect(hcl).toContain('0 = "required_version"');
    expect(hcl).toMatch(/backend "s3" \{[^}]*use_lockfile = true/);
    expect(
      compareHclToJson(parseHcl(hcl), { terraform })
        .map((d) => d.path)
        .sort(),
    ).toEqual(["terraform.0", "terraform.required_version"]);
  });

  it("the comparison notices one changed character in a policy, a missing attribute and a changed block count", () => {
    const json = { resource: { aws_iam_user_policy: { p: { policy: '{"Action":["ecr:BatchGetImage"]}', user: "u" } } } };
    const hcl = 'resource "aws_iam_user_policy" "p" {\n  policy = "{\\"Action\\":[\\"ecr:BatchGetImage\\"]}"\n  user = "u"\n}\n';
    expect(compareHclToJson(parseHcl(hcl), json)).toEqual([]);
    expect(compareHclToJson(parseHcl(hcl.replace("BatchGetImage", "BatchGetImages")), json).map((d) => d.path)).toEqual([
      "resource.aws_iam_user_policy.p.policy",
    ]);
    expect(compareHclToJson(parseHcl(hcl.replace('  user = "u"\n', "")), json).map((d) => d.path)).toEqual(["resource.aws_iam_user_policy.p.user"]);
    const blocks = 'resource "aws_x" "y" {\n  rule {\n    a = 1\n  }\n  rule {\n    a = 2\n  }\n}\n';
    expect(compareHclToJson(parseHcl(blocks), { resource: { aws_x: { y: { rule: [{ a: 1 }, { a: 2 }] } } } })).toEqual([]);
    expect(compareHclToJson(parseHcl(blocks), { resource: { aws_x: { y: { rule: [{ a: 1 }] } } } }).map((d) => d.path)).toEqual(["resource.aws_x.y.rule"]);
  });
});

describe("export-hcl", () => {
  it("writes every stack as cdk.tf only, prints each repair, and removes a stale cdk.tf.json", () => {
    const exported = Object.keys(JSON.parse(readFileSync(join(hclOut, "manifest.json"), "utf8")).stacks).sort();
    expect(exported).toEqual(stacks);
    for (const outdir of [hclOut, hclEmuOut]) {
      for (const stack of stacks) expect(readdirSync(join(outdir, "stacks", stack)).sort()).toEqual(["cdk.tf", "metadata.json"]);
    }
    const repairs = plainExport.stdout.split("\n").filter((l) => l.startsWith("repaired "));
    // Only the two documented kinds, and only where cdktf's renderer makes them.
    for (const line of repairs) {
      expect(line).toMatch(
        /^repaired [\w-]+: (output\.[a-z0-9_]+\.value: quoted \d+ again|(resource|data)\.[\w.-]+\.depends_on\[\d+\]: unquoted reference [\w.-]+|(resource|data)\.[\w.-]+\.lifecycle\.(pre|post)condition: rewrote \d+ (pre|post)condition element\(s\) as blocks) \(/,
      );
    }
    const accountOutputs = repairs.filter((l) => /output\.account_id\.value: quoted \d{12} again/.test(l));
    expect(accountOutputs.length).toBeGreaterThan(0);
    expect(plainExport.stdout).toMatch(new RegExp(`exported ${stacks.length} stacks as HCL into ${hclOut} `));
    const count = (re: RegExp) => repairs.filter((l) => re.test(l)).length;
    report.push(
      `export: ${stacks.length} stacks, ${repairs.length} repairs: ${accountOutputs.length} account_id outputs and ${count(/key_generation/)} key generation outputs quoted again, ` +
        `${count(/depends_on/)} depends_on references unquoted, ${count(/condition: rewrote/)} lifecycle condition attributes rewritten as blocks`,
    );
  });

  it("each stack's HCL means what its cdk.tf.json means (every block, attribute and value), in native syntax", () => {
    for (const [hcl, json] of [
      [hclOut, jsonOut],
      [hclEmuOut, jsonEmuOut],
    ]) {
      for (const stack of stacks) {
        const text = hclOf(hcl, stack);
        expect({ stack, differences: compareHclToJson(parseHcl(text), jsonOf(json, stack), text) }).toEqual({ stack, differences: [] });
      }
    }
  });

  it('use_lockfile is written inside backend "s3", and terraform {} holds nothing but required_providers and the backend', () => {
    let lockfiles = 0;
    for (const stack of stacks) {
      const json = jsonOf(jsonOut, stack);
      const terraform = parseHcl(hclOf(hclOut, stack)).blocks.find((b) => b.type === "terraform")!.body;
      expect({ stack, attrs: [...terraform.attrs.keys()], blocks: terraform.blocks.map((b) => [b.type, ...b.labels]) }).toEqual({
        stack,
        attrs: [],
        blocks: [["required_providers"], ["backend", Object.keys(json.terraform.backend)[0]]],
      });
      const s3 = terraform.blocks.find((b) => b.type === "backend" && b.labels[0] === "s3");
      if (json.terraform.backend.s3?.use_lockfile !== undefined) {
        expect(s3?.body.attrs.get("use_lockfile")).toMatchObject({ t: "bool", v: json.terraform.backend.s3.use_lockfile });
        lockfiles++;
      }
    }
    expect(lockfiles).toBeGreaterThan(0);
    expect(hclOf(hclOut, "dev")).toMatch(/\n {2}backend "s3" \{\n( {4}.*\n)* {4}use_lockfile\s+= true\n {2}\}\n/);
    report.push(`use_lockfile: written as \`use_lockfile = true\` inside backend "s3" in ${lockfiles} stacks, equal to the JSON`);
  });

  it("every JSON document attribute (IAM, KMS, bucket, repository and lifecycle policies, event patterns) is the same string in HCL, with no ${", () => {
    let documents = 0;
    const byAttr = new Map<string, number>();
    for (const stack of stacks) {
      const json = jsonOf(jsonOut, stack);
      const body: HclBody = parseHcl(hclOf(hclOut, stack));
      for (const doc of jsonDocumentAttributes(json)) {
        const node = findAttribute(body, doc.kind, doc.type, doc.name, doc.attr);
        const where = `${stack} ${doc.type}.${doc.name}.${doc.attr}`;
        expect({ where, kind: node?.t }).toEqual({ where, kind: "string" });
        const value = node!.t === "string" ? node!.v : "";
        expect({ where, tokensInJson: doc.value.includes("${"), tokensInHcl: value.includes("${") }).toEqual({
          where,
          tokensInJson: false,
          tokensInHcl: false,
        });
        expect({ where, same: value === doc.value }).toEqual({ where, same: true });
        expect(JSON.parse(value)).toEqual(JSON.parse(doc.value));
        documents++;
        byAttr.set(`${doc.type}.${doc.attr}`, (byAttr.get(`${doc.type}.${doc.attr}`) ?? 0) + 1);
      }
    }
    expect(documents).toBeGreaterThan(0);
    expect([...byAttr.keys()].some((k) => k.startsWith("aws_iam_"))).toBe(true);
    report.push(
      `policies: ${documents} JSON document attributes in ${stacks.length} stacks, identical in HCL, none holds \${ (${[...byAttr].map(([k, n]) => `${k} ${n}`).join(", ")})`,
    );
  });

  it("refuses an output directory that would wipe the project, and bad usage", async () => {
    const root = await runExport(PROJECT_ROOT);
    expect({ code: root.code, err: root.stderr }).toEqual({ code: 1, err: expect.stringMatching(/refusing .*: it contains the project/) });
    const usage = await runExport("", {}, ["--bogus"]);
    expect({ code: usage.code, err: usage.stderr }).toEqual({ code: 2, err: expect.stringMatching(/^usage: /) });
  });
});

describe("tofu init -backend=false and validate of the exported HCL", () => {
  it.each(runnable)("%s: passes with no diagnostics", async (stack) => {
    const { init: initialized, validate } = await validations.get(stack)!;
    expect({ code: initialized.code, err: initialized.stderr }).toEqual({ code: 0, err: "" });
    const result = JSON.parse(validate.stdout);
    expect({ valid: result.valid, diagnostics: result.diagnostics }).toEqual({ valid: true, diagnostics: [] });
    report.push(`validate ${stack}: valid, 0 diagnostics`);
  });

  // No integrations/github binary: reported as skipped, never as passed (README, Requirements).
  // A skip row only for a stack that did not run (jest refuses an empty table, so none then).
  if (blocked.length > 0) it.skip.each(blocked)("%s: needs the integrations/github provider (PLATFORM_GITHUB_PROVIDER)", () => undefined);
});

describe("against the AWS emulator: the HCL plans no changes on state applied from the JSON", () => {
  it("the exported local stacks (same backend, separate working directories) report no changes", async () => {
    const results = await hclPlans;
    expect(results.map((r) => r.stack)).toEqual([env.name, ...(hasCredentialsStack ? [credentialsStackName(env)] : [])]);
    for (const { stack, backendDifferences, plan } of results) {
      const changes = plan.stdout.split("\n").filter((l) => /^\s+[~+-] |will be|must be replaced|Changes to Outputs/.test(l));
      expect({ stack, backendDifferences, code: plan.code, stderr: plan.stderr, changes }).toEqual({
        stack,
        backendDifferences: [],
        code: 0,
        stderr: "",
        changes: [],
      });
      expect(plan.stdout).toMatch(/No changes\. Your infrastructure matches the configuration\./);
      report.push(`plan ${stack} (HCL, state from the JSON apply): exit 0, "No changes. Your infrastructure matches the configuration."`);
    }
    const unrepaired = results[0].unrepaired!;
    expect({ code: unrepaired.code, stderr: unrepaired.stderr }).toEqual({ code: 2, stderr: "" });
    expect(unrepaired.stdout).toMatch(/Changes to Outputs:[\s\S]*account_id\s+= "\d{12}" -> \d{12}/);
    report.push(
      `plan ${env.name} with the renderer's unrepaired account_id output: exit 2 (${unrepaired.stdout
        .split("\n")
        .find((l) => /account_id/.test(l))
        ?.trim()})`,
    );
  }, 280_000);
});
