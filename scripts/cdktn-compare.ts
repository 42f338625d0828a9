/**
 * Proves (or disproves) the migration from cdktf 0.21 (archived 2025-12-10)
 * to its community fork CDK Terrain (`cdktn`): the same app, synthesized with
 * both, must give the same Terraform.
 *
 *   node dist/scripts/cdktn-compare.js [--github=generate|coexist|skip] [--keep]
 *                                      [--cdktn=<version>] [--provider-aws=<version>]
 *
 * 1. Copies what the app needs (main.ts, environments/, constructs/, stacks/,
 *    tsconfig.json, package.json) into a directory under os.tmpdir(), twice:
 *    `ours` (node_modules linked to the repository's, i.e. today's cdktf) and
 *    `theirs`, where the packages are swapped (cdktf -> cdktn,
 *    @cdktf/provider-aws -> @cdktn/provider-aws 25.x, versions chosen with
 *    `npm view`) and installed with npm. Nothing is installed in the repository.
 * 2. Rewrites theirs' imports (module specifiers only: the text `cdktf`
 *    elsewhere, e.g. the `ManagedBy = "cdktf"` tag, is data and stays).
 * 3. GitHub (--github): there is no @cdktn/provider-github. `generate` (default)
 *    builds bindings the way `cdktn get` does: OpenTofu (the toolchain's, with
 *    its offline provider mirror) prints the integrations/github schema and
 *    @cdktn/provider-generator turns it into .gen/providers/github. `coexist`
 *    keeps cdktf + @cdktf/provider-github beside cdktn (this fails at synth, see
 *    COEXIST_NOTE). `skip` leaves the GitHub stacks out; generate falls back to
 *    it when no OpenTofu or provider is found, and says so.
 * 4. Type-checks and compiles both copies with the repository's tsc, runs
 *    `node dist/main.js` with CDKTF_OUTDIR in each, and compares manifest.json
 *    and every stack's cdk.tf.json as parsed JSON: every resource, data source,
 *    provider, backend, output and metadata entry, path by path.
 *
 * Exit 0 when every difference is one of EXPECTED_DIFFERENCES (each says why
 * it is harmless), 1 on any other difference or a failed step.
 */
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, posix, relative, resolve, sep } from "node:path";
import { PROJECT_ROOT, readToolchain } from "./lib/toolchain";

// ---------------------------------------------------------------- JSON diff

export type JsonPath = readonly (string | number)[];

/** One difference; `undefined` stands for "absent on that side" (JSON has no undefined). */
export interface Difference {
  readonly path: JsonPath;
  readonly ours: unknown;
  readonly theirs: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const own = (o: Record<string, unknown>, k: string) => (Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined);

/**
 * Every difference between two parsed JSON documents, at the deepest path
 * where they part, keys in sorted order, arrays index by index. Nothing is normalised here: an object present on
 * one side only (a whole resource, say) is one difference at its own path.
 */
export function diffJson(ours: unknown, theirs: unknown, path: JsonPath = []): Difference[] {
  if (isObject(ours) && isObject(theirs)) {
    const keys = [...new Set([...Object.keys(ours), ...Object.keys(theirs)])].sort();
    return keys.flatMap((k) => diffJson(own(ours, k), own(theirs, k), [...path, k]));
  }
  if (Array.isArray(ours) && Array.isArray(theirs)) {
    const out: Difference[] = [];
    for (let i = 0; i < Math.max(ours.length, theirs.length); i++) out.push(...diffJson(ours[i], theirs[i], [...path, i]));
    return out;
  }
  return ours === theirs ? [] : [{ path, ours, theirs }];
}

/** `resource.aws_iam_role.deploy-role_role_1A2B[0]`, `["//"].metadata.version`. */
export function formatPath(path: JsonPath): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : /^[A-Za-z0-9_-]+$/.test(p) ? `${i === 0 ? "" : "."}${p}` : `[${JSON.stringify(p)}]`)).join("");
}

// ------------------------------------------------- the expected differences

/** What each side was built with: the only inputs the expected differences accept. */
export interface SynthContext {
  /** Core library versions (cdktf's, cdktn's), as written into the metadata. */
  readonly library: { readonly ours: string; readonly theirs: string };
  /** Per required_providers key: the version each side's prebuilt bindings pin. */
  readonly providerVersions: Readonly<Record<string, { readonly ours: string; readonly theirs: string }>>;
}

export type SynthFile = "stack" | "manifest";

export interface ExpectedDifference {
  readonly id: string;
  readonly reason: string;
  readonly applies: (d: Difference, file: SynthFile, ctx: SynthContext) => boolean;
}

const pathIs = (path: JsonPath, ...want: (string | number)[]) => path.length === want.length && want.every((w, i) => path[i] === w);
const requiredProviderField = (path: JsonPath, field: string) =>
  path.length === 4 && path[0] === "terraform" && path[1] === "required_providers" && typeof path[2] === "string" && path[3] === field;

/**
 * A provider source address as OpenTofu and Terraform read it: a bare type `T`
 * is the legacy shorthand for `hashicorp/T` on the default registry. A
 * hostname is kept as written: `registry.terraform.io/hashicorp/aws` is NOT
 * `hashicorp/aws` under OpenTofu, whose default registry is registry.opentofu.org.
 */
export function canonicalProviderSource(source: string): string {
  const parts = source.toLowerCase().split("/");
  return parts.length === 1 ? `hashicorp/${parts[0]}` : parts.join("/");
}

/**
 * The only differences that do not fail the comparison, each narrowed to the
 * exact values that make it harmless (any other value at the same path fails).
 */
export const EXPECTED_DIFFERENCES: readonly ExpectedDifference[] = [
  {
    id: "library-version",
    reason:
      'the version of the library that synthesized the file (cdktf 0.21.0 vs cdktn), in the top-level "//" block of cdk.tf.json ' +
      '(JSON comments: Terraform and OpenTofu ignore "//" keys) and in manifest.json (read by the CLI, never by Terraform). ' +
      'Only this key is accepted: the rest of "//" (stack name, backend, resource paths and unique ids) must match.',
    applies: (d, file, ctx) =>
      (file === "stack" ? pathIs(d.path, "//", "metadata", "version") : pathIs(d.path, "version")) &&
      d.ours === ctx.library.ours &&
      d.theirs === ctx.library.theirs,
  },
  {
    id: "provider-version",
    reason:
      "prebuilt bindings pin the provider version they were generated from (@cdktf/provider-aws 21.22.1 = hashicorp/aws 6.25.0; " +
      "@cdktn/provider-aws 25.x = a later 6.x). Same major version (breaking changes wait for a major release), but the next `init` needs " +
      "`-upgrade`, the lock file and the provider mirror change, and a plan must be reviewed once. Accepted only for the " +
      "exact pair of versions the two packages declare.",
    applies: (d, file, ctx) => {
      if (file !== "stack" || !requiredProviderField(d.path, "version")) return false;
      const pin = ctx.providerVersions[d.path[2] as string];
      return pin !== undefined && d.ours === pin.ours && d.theirs === pin.theirs;
    },
  },
  {
    id: "provider-source-shorthand",
    reason:
      'cdktf wrote `source = "aws"`, cdktn writes `"hashicorp/aws"`: a bare type is shorthand for hashicorp/<type> on the default ' +
      "registry, so both name the same provider (`tofu providers` prints provider[registry.opentofu.org/hashicorp/aws] for both, and " +
      'warns "Duplicate required provider" when both are declared). State records that full address, so nothing moves.',
    applies: (d, file) =>
      file === "stack" &&
      requiredProviderField(d.path, "source") &&
      typeof d.ours === "string" &&
      typeof d.theirs === "string" &&
      canonicalProviderSource(d.ours) === canonicalProviderSource(d.theirs),
  },
];

export interface Classified {
  readonly expected: { readonly difference: Difference; readonly rule: ExpectedDifference }[];
  readonly unexpected: Difference[];
}

export function classify(
  diffs: readonly Difference[],
  file: SynthFile,
  ctx: SynthContext,
  rules: readonly ExpectedDifference[] = EXPECTED_DIFFERENCES,
): Classified {
  const expected: Classified["expected"] = [];
  const unexpected: Difference[] = [];
  for (const d of diffs) {
    const rule = rules.find((r) => r.applies(d, file, ctx));
    if (rule) expected.push({ difference: d, rule });
    else unexpected.push(d);
  }
  return { expected, unexpected };
}

/** Diff and classify two synthesized files. */
export function compareSynthJson(ours: unknown, theirs: unknown, file: SynthFile, ctx: SynthContext): Classified {
  return classify(diffJson(ours, theirs), file, ctx);
}

// ------------------------------------------------------- two output dirs

export interface StackResult {
  readonly stack: string;
  /** "github" when the stack requires integrations/github, else "aws". */
  readonly kind: "aws" | "github";
  readonly counts: { readonly resources: number; readonly dataSources: number; readonly outputs: number };
  /** Why the stack was not compared (left out of theirs), if it was not. */
  readonly leftOut?: string;
  readonly result: Classified;
}

export interface OutdirComparison {
  readonly manifest: Classified;
  readonly stacks: StackResult[];
}

const readJson = (file: string): unknown => JSON.parse(readFileSync(file, "utf8"));
const countEntries = (block: unknown) =>
  isObject(block) ? Object.values(block).reduce<number>((n, byId) => n + (isObject(byId) ? Object.keys(byId).length : 0), 0) : 0;

/**
 * Compares two cdktf.out directories: the manifests, the set of stacks, the
 * files of each stack directory and each cdk.tf.json. `leftOut` names stacks
 * deliberately absent from theirs, with the reason; they are listed, not compared.
 */
export function compareOutdirs(oursDir: string, theirsDir: string, ctx: SynthContext, leftOut: ReadonlyMap<string, string> = new Map()): OutdirComparison {
  const oursManifest = readJson(join(oursDir, "manifest.json")) as { stacks: Record<string, unknown> };
  const theirsRead = readJson(join(theirsDir, "manifest.json")) as { stacks: Record<string, unknown> };
  const theirsManifest = { ...theirsRead, stacks: Object.fromEntries(Object.entries(theirsRead.stacks).filter(([name]) => !name.startsWith(LEFT_OUT_STACK))) };
  // Left-out stacks are removed from ours' manifest only for this comparison; any other gap is a difference.
  const trimmed = { ...oursManifest, stacks: Object.fromEntries(Object.entries(oursManifest.stacks).filter(([name]) => !leftOut.has(name))) };
  const manifest = compareSynthJson(trimmed, theirsManifest, "manifest", ctx);

  const stacks: StackResult[] = [];
  for (const stack of Object.keys(oursManifest.stacks).sort()) {
    const oursStackDir = join(oursDir, "stacks", stack);
    const oursJson = readJson(join(oursStackDir, "cdk.tf.json")) as Record<string, unknown>;
    const kind =
      isObject(oursJson.terraform) && isObject(oursJson.terraform.required_providers) && "github" in oursJson.terraform.required_providers ? "github" : "aws";
    const counts = {
      resources: countEntries(oursJson.resource),
      dataSources: countEntries(oursJson.data),
      outputs: isObject(oursJson.output) ? Object.keys(oursJson.output).length : 0,
    };
    const reason = leftOut.get(stack);
    if (reason !== undefined) {
      stacks.push({ stack, kind, counts, leftOut: reason, result: { expected: [], unexpected: [] } });
      continue;
    }
    const theirsStackDir = join(theirsDir, "stacks", stack);
    if (!existsSync(join(theirsStackDir, "cdk.tf.json"))) {
      stacks.push({ stack, kind, counts, result: { expected: [], unexpected: [{ path: ["stacks", stack], ours: "cdk.tf.json", theirs: undefined }] } });
      continue;
    }
    const files = compareSynthJson({ files: readdirSync(oursStackDir).sort() }, { files: readdirSync(theirsStackDir).sort() }, "stack", ctx);
    const content = compareSynthJson(oursJson, readJson(join(theirsStackDir, "cdk.tf.json")), "stack", ctx);
    stacks.push({ stack, kind, counts, result: { expected: content.expected, unexpected: [...files.unexpected, ...content.unexpected] } });
  }
  return { manifest, stacks };
}

// --------------------------------------------------------- import rewriting

/** Module specifiers of import/export-from, side-effect imports, import() and require(). */
const SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)(["'])([^"'\n]+)\2/gm;

export function moduleSpecifiers(source: string): string[] {
  return [...source.matchAll(SPECIFIER)].map((m) => m[3]);
}

/** Rewrites module specifiers only; `map` returns the new specifier or undefined to keep it. */
export function rewriteImports(source: string, map: (specifier: string) => string | undefined): { text: string; changes: { from: string; to: string }[] } {
  const changes: { from: string; to: string }[] = [];
  const text = source.replace(SPECIFIER, (all, lead: string, quote: string, spec: string) => {
    const to = map(spec);
    if (to === undefined || to === spec) return all;
    changes.push({ from: spec, to });
    return `${lead}${quote}${to}${quote}`;
  });
  return { text, changes };
}

/** The npm package a specifier loads, or undefined for relative paths and Node built-ins. */
export function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith(".") || specifier.startsWith("/") || specifier.startsWith("node:")) return undefined;
  const parts = specifier.split("/");
  const name = specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
  return builtinModules.includes(name) ? undefined : name;
}

/** cdktf -> cdktn and the AWS bindings; the GitHub bindings are decided by the --github mode. */
export function cdktnSpecifier(specifier: string): string | undefined {
  if (specifier === "cdktf" || specifier.startsWith("cdktf/")) return `cdktn${specifier.slice("cdktf".length)}`;
  if (specifier === "@cdktf/provider-aws" || specifier.startsWith("@cdktf/provider-aws/"))
    return `@cdktn/provider-aws${specifier.slice("@cdktf/provider-aws".length)}`;
  return undefined;
}

// ---------------------------------------------------------- version choice

export interface ProviderAwsCandidate {
  readonly version: string;
  /** hashicorp/aws version the package was generated from (package.json cdktn.provider.version). */
  readonly provider: string;
}

const numeric = (v: string) => v.split(/[.-]/).slice(0, 3).map(Number);
export function compareVersions(a: string, b: string): number {
  const [x, y] = [numeric(a), numeric(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}

/**
 * The release built for today's provider version: exactly it, else the same
 * minor (6.25.x); else the newest release. Says why.
 */
export function pickProviderAws(candidates: readonly ProviderAwsCandidate[], wantedProvider: string): ProviderAwsCandidate & { why: string } {
  const releases = candidates.filter((c) => /^\d+\.\d+\.\d+$/.test(c.version)).sort((a, b) => compareVersions(a.version, b.version));
  if (releases.length === 0) throw new Error("no @cdktn/provider-aws release to choose from");
  const minor = (v: string) => v.split(".").slice(0, 2).join(".");
  const exact = releases.filter((c) => c.provider === wantedProvider);
  const sameMinor = releases.filter((c) => minor(c.provider) === minor(wantedProvider));
  const published = releases.map((c) => `${c.version} = aws ${c.provider}`).join(", ");
  const match = exact.length > 0 ? exact : sameMinor;
  if (match.length > 0)
    return { ...match[match.length - 1], why: `built for hashicorp/aws ${minor(wantedProvider)}.x like today's bindings (published: ${published})` };
  return {
    ...releases[releases.length - 1],
    why: `no release is built for hashicorp/aws ${minor(wantedProvider)}.x; the newest is taken (published: ${published})`,
  };
}

// ================================================================ the command

/** @cdktn/provider-aws 25.x binds hashicorp/aws 6.x, the major version today's 21.x bindings use. */
const PROVIDER_AWS_MAJOR = 25;
/** What the app needs, and nothing else (no scripts, tests or tools). */
const APP_PARTS = ["main.ts", "environments", "constructs", "stacks", "tsconfig.json", "package.json"] as const;
const SOURCE_DIRS = ["main.ts", "environments", "constructs", "stacks"] as const;
const COEXIST_NOTE =
  "cdktf and cdktn keep the same construct symbols (Symbol.for('cdktf/TerraformStack') and the rest), so the app type-checks and " +
  "constructs mix, but cdktn's TerraformStack calls _resetResolveDiscoveredProviderFeatureUsage() on every provider, which cdktf " +
  "0.21's TerraformProvider (the base of @cdktf/provider-github's GithubProvider) does not have: synthesis throws a TypeError.";

type GithubMode = "generate" | "coexist" | "skip";

interface Options {
  readonly github: GithubMode;
  readonly keep: boolean;
  readonly cdktn?: string;
  readonly providerAws?: string;
}

export function parseArgs(argv: readonly string[]): Options {
  let github: GithubMode = "generate";
  let keep = false;
  let cdktn: string | undefined;
  let providerAws: string | undefined;
  for (const arg of argv) {
    const [flag, value] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    if (flag === "--keep" && value === undefined) keep = true;
    else if (flag === "--github" && (value === "generate" || value === "coexist" || value === "skip")) github = value;
    else if (flag === "--cdktn" && value) cdktn = value;
    else if (flag === "--provider-aws" && value) providerAws = value;
    else
      throw new Error(`unknown argument ${arg}\nusage: cdktn-compare [--github=generate|coexist|skip] [--keep] [--cdktn=<version>] [--provider-aws=<version>]`);
  }
  return { github, keep, cdktn, providerAws };
}

interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(cmd: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolvePromise({ code: code ?? 1, stdout, stderr }));
  });
}

async function mustRun(what: string, cmd: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  const r = await run(cmd, args, cwd, env);
  if (r.code !== 0)
    throw new Error(
      `${what} failed (exit ${r.code}): ${cmd} ${args.join(" ")}\n${quietNpm(r.stderr + r.stdout)
        .trim()
        .split("\n")
        .slice(-25)
        .join("\n")}`,
    );
  return r;
}

/** npm's complaint about this machine's user config is noise here. */
const quietNpm = (text: string) =>
  text
    .split("\n")
    .filter((l) => !/Unknown user config "nodedir"/.test(l))
    .join("\n");

async function npmView(spec: string, ...fields: string[]): Promise<unknown> {
  const r = await mustRun(`npm view ${spec}`, "npm", ["view", spec, ...fields, "--json"], tmpdir());
  return r.stdout.trim() === "" ? undefined : JSON.parse(r.stdout);
}
const asList = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

const started = Date.now();
const log = (line = "") => process.stdout.write(`${line}\n`);
const stamp = () => `[${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s]`;
const show = (v: unknown, max = 160) => {
  if (v === undefined) return "(absent)";
  const s = JSON.stringify(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
};

function walkTs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? walkTs(p) : e.name.endsWith(".ts") ? [p] : [];
  });
}
const sourceFiles = (appDir: string) =>
  SOURCE_DIRS.flatMap((part) => (statSync(join(appDir, part)).isDirectory() ? walkTs(join(appDir, part)) : [join(appDir, part)]));

interface InstalledPackage {
  readonly version: string;
  /** Prebuilt provider bindings: the provider they were generated from. */
  readonly cdktf?: { readonly provider?: { readonly name?: string; readonly version?: string } };
}
const installedVersion = (pkg: string) => readJson(join(PROJECT_ROOT, "node_modules", pkg, "package.json")) as InstalledPackage;

/**
 * The compile step: the repository's tsc and tsconfig, only the app's files,
 * @types/node from the repository. Type errors fail (that is how an API change
 * in cdktn would show); noUnusedLocals/Parameters are off because they do not
 * change the emitted JavaScript and the repository's own tsc step enforces them.
 */
function writeCompileConfig(appDir: string): void {
  writeFileSync(
    join(appDir, "tsconfig.compare.json"),
    JSON.stringify(
      {
        extends: "./tsconfig.json",
        compilerOptions: {
          incremental: false,
          tsBuildInfoFile: null,
          noEmitOnError: true,
          noUnusedLocals: false,
          noUnusedParameters: false,
          outDir: "dist",
          types: ["node"],
          typeRoots: [join(PROJECT_ROOT, "node_modules", "@types")],
        },
        include: ["main.ts", "environments/**/*.ts", "constructs/**/*.ts", "stacks/**/*.ts"],
      },
      null,
      2,
    ),
  );
}

async function compileAndSynth(label: string, appDir: string): Promise<string> {
  writeCompileConfig(appDir);
  const tsc = require.resolve("typescript/bin/tsc", { paths: [PROJECT_ROOT] });
  const compiled = await run(process.execPath, [tsc, "-p", "tsconfig.compare.json"], appDir);
  if (compiled.code !== 0) throw new Error(`${label}: tsc failed\n${(compiled.stdout + compiled.stderr).trim().split("\n").slice(0, 30).join("\n")}`);
  const outdir = join(appDir, "cdktf.out");
  const synth = await run(process.execPath, ["dist/main.js"], appDir, { CDKTF_OUTDIR: outdir });
  if (synth.code !== 0)
    throw new Error(`${label}: synthesis (node dist/main.js) failed\n${(synth.stderr + synth.stdout).trim().split("\n").slice(0, 15).join("\n")}`);
  log(`${stamp()} ${label}: compiled (tsc) and synthesized: ${synth.stderr.trim().split("\n").pop()}`);
  return outdir;
}

interface Toolchain {
  readonly tofu: string;
  readonly cliConfig: string;
}

/**
 * The engine and provider mirror scripts/toolchain.sh left (never built here). The GitHub
 * bindings need integrations/github itself, which only PLATFORM_GITHUB_PROVIDER brings.
 */
function findToolchain(): Toolchain | string {
  const toolchain = readToolchain("test") ?? readToolchain("main");
  if (!toolchain) return "no toolchain (bash scripts/toolchain.sh writes it)";
  if (!toolchain.githubProviderVersion) return "no integrations/github provider (set PLATFORM_GITHUB_PROVIDER to a binary)";
  return { tofu: toolchain.tofuBin, cliConfig: toolchain.cliConfigFile };
}

/**
 * `cdktn get` without cdktn-cli (which needs Node >= 22.19 and crashes on 20):
 * OpenTofu reads the provider from the toolchain's offline mirror and prints
 * its schema; @cdktn/provider-generator, the library `cdktn get` calls, writes
 * the TypeScript bindings. Returns the directory holding providers/<name>.
 */
async function generateBindings(work: string, cdktnVersion: string, provider: { source: string; version: string }, toolchain: Toolchain): Promise<string> {
  const dir = join(work, "gen");
  mkdirSync(dir);
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name: "cdktn-compare-generator", private: true, dependencies: { "@cdktn/provider-generator": cdktnVersion } }, null, 2),
  );
  const tfEnv = { TF_CLI_CONFIG_FILE: toolchain.cliConfig, TF_PLUGIN_CACHE_DIR: "", TERRAFORM_BINARY_NAME: toolchain.tofu, CHECKPOINT_DISABLE: "1" };
  const schemaDir = join(dir, "schema");
  mkdirSync(schemaDir);
  const name = provider.source.split("/").pop() as string;
  writeFileSync(
    join(schemaDir, "main.tf.json"),
    JSON.stringify({ terraform: { required_providers: { [name]: { source: provider.source, version: provider.version } } } }),
  );
  const readSchema = async () => {
    await mustRun("tofu init (provider mirror)", toolchain.tofu, ["init", "-backend=false", "-input=false", "-no-color"], schemaDir, tfEnv);
    const printed = await mustRun("tofu providers schema -json", toolchain.tofu, ["providers", "schema", "-json"], schemaDir, tfEnv);
    // `providers schema -json` carries no versions; `cdktn get` takes them from `version -json` the same way.
    const selections = await mustRun("tofu version -json", toolchain.tofu, ["version", "-json"], schemaDir, tfEnv);
    return { ...JSON.parse(printed.stdout), provider_versions: JSON.parse(selections.stdout).provider_selections };
  };
  const [schema] = await Promise.all([
    readSchema(),
    mustRun(
      "npm install @cdktn/provider-generator",
      "npm",
      ["install", "--engine-strict=false", "--no-audit", "--no-fund", "--no-package-lock", "--prefer-offline"],
      dir,
    ),
  ]);
  writeFileSync(join(dir, "schema.json"), JSON.stringify(schema));
  writeFileSync(
    join(dir, "generate.js"),
    [
      'const { TerraformProviderGenerator, CodeMaker } = require("@cdktn/provider-generator");',
      'const commons = require("@cdktn/commons");',
      "const [schemaFile, outDir, constraint] = process.argv.slice(2);",
      'const schema = JSON.parse(require("fs").readFileSync(schemaFile, "utf8"));',
      "const code = new CodeMaker();",
      "new TerraformProviderGenerator(code, schema).generate(commons.ConstructsMakerTarget.from(new commons.TerraformProviderConstraint(constraint), commons.Language.TYPESCRIPT));",
      "code.save(outDir).catch((e) => { console.error(e); process.exit(1); });",
    ].join("\n"),
  );
  const out = join(dir, "out");
  await mustRun(
    "@cdktn/provider-generator",
    process.execPath,
    ["generate.js", join(dir, "schema.json"), out, `${provider.source}@${provider.version}`],
    dir,
    tfEnv,
  );
  if (!existsSync(join(out, "providers", name, "provider", "index.ts"))) throw new Error(`the generator wrote no providers/${name}/provider/index.ts`);
  log(
    `${stamp()} github: bindings generated from ${provider.source} ${provider.version}'s schema (tofu providers schema -json, offline mirror) with @cdktn/provider-generator ${cdktnVersion}`,
  );
  return out;
}

/**
 * --github=skip: the files that import @cdktf/provider-github are removed and
 * the kept files that import them get a stub that builds nothing (class
 * names and addDependency only), so no GitHub stack is synthesized.
 */
/** Name prefix of the empty stacks that stand in for left-out ones in theirs (never compared). */
export const LEFT_OUT_STACK = "left-out-";

function leaveOutGithub(appDir: string): string[] {
  const files = sourceFiles(appDir);
  const removed = files.filter((f) => moduleSpecifiers(readFileSync(f, "utf8")).some((s) => packageOf(s) === "@cdktf/provider-github"));
  for (const f of removed) rmSync(f);
  const removedModules = new Set(removed.map((f) => f.replace(/\.ts$/, "")));
  for (const f of files.filter((x) => !removed.includes(x))) {
    const source = readFileSync(f, "utf8");
    const stubbed: string[] = [];
    const { text } = rewriteImports(source, (spec) => {
      if (!spec.startsWith(".") || !removedModules.has(resolve(dirname(f), spec))) return undefined;
      stubbed.push(spec);
      return `${spec}.left-out`;
    });
    if (stubbed.length === 0) continue;
    writeFileSync(f, text);
    for (const spec of stubbed) {
      const names = [
        ...source.matchAll(new RegExp(`import\\s*(?:type\\s*)?\\{([^}]*)\\}\\s*from\\s*["']${spec.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}["']`, "g")),
      ].flatMap((m) =>
        m[1]
          .split(",")
          .map(
            (n) =>
              n
                .trim()
                .replace(/^type\s+/, "")
                .split(/\s+as\s+/)[0],
          )
          .filter(Boolean),
      );
      // A left-out stack stays a stack (the app adds constructs to it), empty and named apart so the comparison skips it.
      const stub = [
        names.some((n) => n.endsWith("Stack")) ? `import { TerraformStack } from "cdktf";\nlet leftOut = 0;\n` : "",
        ...names.map((n) =>
          n.endsWith("Stack")
            ? `/** Left out by cdktn-compare --github=skip: an empty stack. */\nexport class ${n} extends TerraformStack {\n  constructor(scope: import("constructs").Construct, ..._args: unknown[]) {\n    super(scope, \`${LEFT_OUT_STACK}\${++leftOut}\`);\n  }\n}\n`
            : `/** Left out by cdktn-compare --github=skip: builds nothing. */\nexport class ${n} {\n  constructor(..._args: unknown[]) {}\n  addDependency(..._args: unknown[]): void {}\n}\n`,
        ),
        "export {};\n",
      ].join("\n");
      writeFileSync(`${resolve(dirname(f), spec)}.left-out.ts`, stub);
    }
  }
  return removed.map((f) => relative(appDir, f));
}

/** Copies the app's parts from `from` into a new directory `to`. */
function copyApp(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const part of APP_PARTS) cpSync(join(from, part), join(to, part), { recursive: true });
}

interface Plan {
  readonly cdktn: { version: string; constructsRange: string };
  readonly providerAws: ProviderAwsCandidate & { why: string };
  readonly constructs: { version: string; why: string };
  readonly ours: { cdktf: string; providerAws: string; awsProvider: string; constructs: string; github?: { binding: string; source: string; version: string } };
}

async function planVersions(opts: Options): Promise<Plan> {
  const oursAws = installedVersion("@cdktf/provider-aws");
  const ghInstalled = existsSync(join(PROJECT_ROOT, "node_modules", "@cdktf", "provider-github", "package.json"))
    ? installedVersion("@cdktf/provider-github")
    : undefined;
  const ours = {
    cdktf: installedVersion("cdktf").version,
    providerAws: oursAws.version,
    awsProvider: oursAws.cdktf?.provider?.version ?? "",
    constructs: installedVersion("constructs").version,
    github: ghInstalled
      ? {
          binding: ghInstalled.version,
          // registry.terraform.io/integrations/github -> integrations/github: the address cdktf wrote, resolved by either engine's default registry.
          source: (ghInstalled.cdktf?.provider?.name ?? "integrations/github").split("/").slice(-2).join("/"),
          version: ghInstalled.cdktf?.provider?.version ?? "",
        }
      : undefined,
  };
  const cdktnInfo = (await npmView(`cdktn@${opts.cdktn ?? "latest"}`, "version", "peerDependencies")) as {
    version: string;
    peerDependencies?: Record<string, string>;
  };
  const constructsRange = cdktnInfo.peerDependencies?.constructs ?? "*";
  const [awsRows, constructsVersions] = await Promise.all([
    npmView(`@cdktn/provider-aws@${opts.providerAws ?? `>=${PROVIDER_AWS_MAJOR}.0.0 <${PROVIDER_AWS_MAJOR + 1}.0.0`}`, "version", "cdktn.provider.version"),
    npmView(`constructs@${constructsRange}`, "version"),
  ]);
  const candidates = asList(awsRows as { version: string; "cdktn.provider.version": string }[]).map((r) => ({
    version: r.version,
    provider: r["cdktn.provider.version"],
  }));
  const inRange = asList(constructsVersions as string[]).sort(compareVersions);
  const constructs = inRange.includes(ours.constructs)
    ? { version: ours.constructs, why: `unchanged: inside cdktn's peer range ${constructsRange}` }
    : {
        version: inRange[inRange.length - 1],
        why: `cdktn ${cdktnInfo.version} requires constructs ${constructsRange} (peer dependency; npm refuses ${ours.constructs} with ERESOLVE); newest in range`,
      };
  return { cdktn: { version: cdktnInfo.version, constructsRange }, providerAws: pickProviderAws(candidates, ours.awsProvider), constructs, ours };
}

/** The theirs copy's package.json: the packages the app imports, swapped. */
function theirsPackageJson(appDir: string, plan: Plan, github: GithubMode): Record<string, string> {
  const repoPkg = readJson(join(PROJECT_ROOT, "package.json")) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
  const declared = { ...repoPkg.devDependencies, ...repoPkg.dependencies };
  const used = new Set(
    sourceFiles(appDir)
      .flatMap((f) => moduleSpecifiers(readFileSync(f, "utf8")).map(packageOf))
      .filter((p): p is string => p !== undefined),
  );
  const deps: Record<string, string> = {};
  for (const pkg of [...used].sort()) {
    if (pkg === "cdktf") deps.cdktn = plan.cdktn.version;
    else if (pkg === "@cdktf/provider-aws") deps["@cdktn/provider-aws"] = plan.providerAws.version;
    else if (pkg === "constructs") deps.constructs = plan.constructs.version;
    else if (pkg === "@cdktf/provider-github") {
      if (github === "coexist") Object.assign(deps, { cdktf: plan.ours.cdktf, "@cdktf/provider-github": plan.ours.github?.binding ?? declared[pkg] });
    } else if (pkg.startsWith("@cdktf/") || pkg.startsWith("cdktf")) throw new Error(`no cdktn mapping for ${pkg}`);
    else if (declared[pkg]) deps[pkg] = declared[pkg];
    else throw new Error(`the app imports ${pkg}, which package.json does not declare`);
  }
  return deps;
}

/** Rewrites theirs' imports; returns counts per kind and the AWS modules used. */
function rewriteTheirs(appDir: string, github: GithubMode, genProviders: string | undefined): { counts: Map<string, number>; awsModules: Set<string> } {
  const counts = new Map<string, number>();
  const awsModules = new Set<string>();
  for (const file of sourceFiles(appDir)) {
    const { text, changes } = rewriteImports(readFileSync(file, "utf8"), (spec) => {
      const mapped = cdktnSpecifier(spec);
      if (mapped !== undefined) return mapped;
      if (github === "generate" && genProviders && spec.startsWith("@cdktf/provider-github/lib/")) {
        const target = join(genProviders, "github", spec.slice("@cdktf/provider-github/lib/".length));
        const rel = relative(dirname(file), target).split(sep).join(posix.sep);
        return rel.startsWith(".") ? rel : `./${rel}`;
      }
      return undefined;
    });
    for (const c of changes) {
      const kind =
        c.from === "cdktf"
          ? 'from "cdktf" -> "cdktn"'
          : c.from.startsWith("@cdktf/provider-aws/lib/")
            ? "@cdktf/provider-aws/lib/* -> @cdktn/provider-aws/lib/*"
            : c.from.startsWith("@cdktf/provider-github/")
              ? "@cdktf/provider-github/lib/* -> .gen/providers/github/*"
              : `${c.from} -> ${c.to}`;
      counts.set(kind, (counts.get(kind) ?? 0) + 1);
      if (c.to.startsWith("@cdktn/provider-aws/")) awsModules.add(c.to);
    }
    if (changes.length > 0) writeFileSync(file, text);
  }
  // Nothing of cdktf may remain, except the GitHub bindings kept on purpose in coexist mode.
  const left = sourceFiles(appDir).flatMap((f) =>
    moduleSpecifiers(readFileSync(f, "utf8"))
      .filter((s) => /^(cdktf|@cdktf\/)/.test(s) && !(github === "coexist" && s.startsWith("@cdktf/provider-github")))
      .map((s) => `${relative(appDir, f)}: ${s}`),
  );
  if (left.length > 0) throw new Error(`imports left on cdktf after the rewrite:\n  ${left.join("\n  ")}`);
  return { counts, awsModules };
}

function printReport(cmp: OutdirComparison, ctx: SynthContext): number {
  log();
  log("stacks (ours = cdktf today, theirs = cdktn copy)");
  for (const s of cmp.stacks) {
    const what = `${s.counts.resources} resources, ${s.counts.dataSources} data sources, ${s.counts.outputs} outputs`;
    const verdict = s.leftOut
      ? `NOT COMPARED: ${s.leftOut}`
      : s.result.unexpected.length > 0
        ? `${s.result.unexpected.length} UNEXPECTED difference(s)`
        : `same${s.result.expected.length ? ` but ${s.result.expected.length} expected difference(s)` : ""}`;
    log(`  ${s.stack.padEnd(34)} ${s.kind.padEnd(6)} ${what.padEnd(48)} ${verdict}`);
  }

  // Every difference, identical ones grouped across stacks: path, ours, theirs, verdict.
  const groups = new Map<string, { path: string; ours: unknown; theirs: unknown; rule?: ExpectedDifference; where: string[] }>();
  const add = (where: string, d: Difference, rule?: ExpectedDifference) => {
    const key = JSON.stringify([formatPath(d.path), d.ours, d.theirs, rule?.id ?? null]);
    const g = groups.get(key) ?? { path: formatPath(d.path), ours: d.ours, theirs: d.theirs, rule, where: [] };
    g.where.push(where);
    groups.set(key, g);
  };
  for (const e of cmp.manifest.expected) add("manifest.json", e.difference, e.rule);
  for (const d of cmp.manifest.unexpected) add("manifest.json", d);
  for (const s of cmp.stacks) {
    for (const e of s.result.expected) add(s.stack, e.difference, e.rule);
    for (const d of s.result.unexpected) add(s.stack, d);
  }
  const all = [...groups.values()].sort((a, b) => Number(Boolean(a.rule)) - Number(Boolean(b.rule)) || a.path.localeCompare(b.path));
  const total = all.reduce((n, g) => n + g.where.length, 0);
  log();
  log(`differences: ${total} (${all.length} distinct), as path: ours -> theirs`);
  for (const g of all) {
    log(`  ${g.rule ? `expected (${g.rule.id})` : "UNEXPECTED"}  ${g.path}: ${show(g.ours)} -> ${show(g.theirs)}`);
    log(`      in ${g.where.length}: ${g.where.join(", ")}`);
  }
  const used = EXPECTED_DIFFERENCES.filter((r) => all.some((g) => g.rule === r));
  if (used.length > 0) {
    log();
    log("why the expected differences are harmless (scripts/cdktn-compare.ts, EXPECTED_DIFFERENCES)");
    for (const r of used) log(`  ${r.id}: ${r.reason}`);
  }
  for (const [name, pin] of Object.entries(ctx.providerVersions)) {
    if (pin.ours !== pin.theirs)
      log(
        `  note: ${name} ${pin.ours} -> ${pin.theirs} is a provider upgrade: run \`init -upgrade\`, update the lock file and the mirror, review one plan per stack.`,
      );
  }
  return all.filter((g) => !g.rule).reduce((n, g) => n + g.where.length, 0);
}

/** S3Backend({ useLockfile: true }) against today's addOverride("use_lockfile", true), in theirs' cdktn. */
async function checkUseLockfile(theirsDir: string): Promise<string> {
  const script = [
    'const { Testing, TerraformStack, S3Backend } = require("cdktn");',
    "const backend = (configure) => { const stack = new TerraformStack(Testing.app(), 's'); configure(stack); return JSON.parse(Testing.synth(stack)).terraform.backend; };",
    "const props = { bucket: 'b', key: 'k', region: 'us-east-1', encrypt: true };",
    "const today = backend((s) => new S3Backend(s, props).addOverride('use_lockfile', true));",
    "const native = backend((s) => new S3Backend(s, { ...props, useLockfile: true }));",
    "console.log(JSON.stringify({ same: JSON.stringify(today) === JSON.stringify(native), native }));",
  ].join("\n");
  const r = await run(process.execPath, ["-e", script], theirsDir);
  if (r.code !== 0) return `could not check (${r.stderr.trim().split("\n")[0]})`;
  const { same, native } = JSON.parse(r.stdout) as { same: boolean; native: unknown };
  return same
    ? `yes: S3Backend({ useLockfile: true }) writes the same backend block as today's override (${show(native, 120)})`
    : `NO: native ${show(native)} differs from the override`;
}

export async function main(argv: readonly string[]): Promise<number> {
  const opts = parseArgs(argv);
  const work = mkdtempSync(join(tmpdir(), "cdktn-compare-"));
  const rel = relative(realpathSync(PROJECT_ROOT), realpathSync(work));
  if (!rel.startsWith("..") && !rel.startsWith(sep)) throw new Error(`the work directory ${work} is inside the repository`);
  log(`cdktn-compare: the app synthesized with cdktf (ours) and with CDK Terrain (theirs), compared stack by stack`);
  log(`node ${process.version}; work directory ${work} (${opts.keep ? "kept" : "removed at the end; --keep keeps it"})`);
  try {
    const plan = await planVersions(opts);
    const { ours } = plan;
    log();
    log("packages (npm view)");
    log(`  cdktf ${ours.cdktf} -> cdktn ${plan.cdktn.version}`);
    log(
      `  @cdktf/provider-aws ${ours.providerAws} (hashicorp/aws ${ours.awsProvider}) -> @cdktn/provider-aws ${plan.providerAws.version} (hashicorp/aws ${plan.providerAws.provider}): ${plan.providerAws.why}`,
    );
    log(`  constructs ${ours.constructs} -> ${plan.constructs.version}: ${plan.constructs.why}`);
    if (ours.github) {
      const how = {
        generate: `bindings generated from ${ours.github.source} ${ours.github.version}'s schema (there is no @cdktn/provider-github)`,
        coexist: `kept, with cdktf ${ours.cdktf} beside cdktn (--github=coexist)`,
        skip: "left out (--github=skip)",
      }[opts.github];
      log(`  @cdktf/provider-github ${ours.github.binding} -> ${how}`);
    }
    log();

    // One snapshot of the sources for both sides (other edits may land in the repository meanwhile).
    const oursDir = join(work, "ours");
    const theirsDir = join(work, "theirs");
    copyApp(PROJECT_ROOT, oursDir);
    copyApp(oursDir, theirsDir);
    symlinkSync(join(PROJECT_ROOT, "node_modules"), join(oursDir, "node_modules"), "dir");

    let github = opts.github;
    let skipWhy = "--github=skip";
    const toolchain = github === "generate" ? findToolchain() : undefined;
    if (github === "generate" && (typeof toolchain === "string" || !ours.github?.version)) {
      skipWhy = `bindings could not be generated: ${typeof toolchain === "string" ? toolchain : "no provider version in @cdktf/provider-github"}`;
      log(`${stamp()} github: ${skipWhy}; GitHub stacks left out`);
      github = "skip";
    }

    const oursSynth = compileAndSynth(`ours (cdktf ${ours.cdktf})`, oursDir);
    const generated =
      github === "generate" && ours.github && typeof toolchain === "object"
        ? generateBindings(work, plan.cdktn.version, { source: ours.github.source, version: ours.github.version }, toolchain)
        : Promise.resolve(undefined);
    const theirsSynth = (async () => {
      const deps = theirsPackageJson(theirsDir, plan, github);
      writeFileSync(join(theirsDir, "package.json"), JSON.stringify({ name: "cdktn-compare-theirs", private: true, dependencies: deps }, null, 2));
      // npm's switch is --engine-strict=false (the default; said explicitly so an engine-strict npmrc cannot block Node 20). --ignore-engines is yarn's.
      const install = await mustRun(
        "npm install (theirs)",
        "npm",
        ["install", "--engine-strict=false", "--no-audit", "--no-fund", "--no-package-lock", "--prefer-offline"],
        theirsDir,
      );
      const engines = [...quietNpm(install.stderr).matchAll(/EBADENGINE\s+package: '([^']+)',\s*npm warn EBADENGINE\s+required: \{ node: '([^']+)' \}/g)].map(
        (m) => `${m[1]} wants node ${m[2]}`,
      );
      log(
        `${stamp()} theirs: npm install --engine-strict=false ${Object.entries(deps)
          .map(([p, v]) => `${p}@${v}`)
          .join(" ")}`,
      );
      log(
        `         engines: ${engines.length > 0 ? `${engines.join("; ")} (running ${process.version}): npm warned (EBADENGINE) and installed` : "no engine warnings"}`,
      );

      let genProviders: string | undefined;
      if (github === "generate") {
        const out = await generated;
        const codeMakerOutput = ((readJson(join(PROJECT_ROOT, "cdktf.json")) as { codeMakerOutput?: string }).codeMakerOutput ?? ".gen").replace(/^\.\//, "");
        genProviders = join(theirsDir, codeMakerOutput, "providers");
        cpSync(join(out as string, "providers"), genProviders, { recursive: true });
      } else if (github === "skip") {
        log(`${stamp()} theirs: GitHub stacks left out: removed ${leaveOutGithub(theirsDir).join(", ")}`);
      }
      const { counts, awsModules } = rewriteTheirs(theirsDir, github, genProviders);
      log(`${stamp()} theirs: imports rewritten: ${[...counts].map(([k, n]) => `${k} (${n})`).join(", ")}`);
      const missing = [...awsModules].filter((m) => !existsSync(join(theirsDir, "node_modules", ...m.split("/"), "index.js")));
      log(
        missing.length === 0
          ? `         deep imports: same layout, all ${awsModules.size} @cdktn/provider-aws/lib/<resource> modules the app uses exist`
          : `         deep imports: MISSING in @cdktn/provider-aws: ${missing.join(", ")}`,
      );
      const outdir = await compileAndSynth(`theirs (cdktn ${plan.cdktn.version})`, theirsDir).catch((err: Error) => {
        if (github === "coexist") throw new Error(`${err.message}\n\ncoexist: ${COEXIST_NOTE}`);
        throw err;
      });
      return outdir;
    })();
    // Settle all three before failing, so no step still writes into the work directory when it is removed.
    const settled = await Promise.allSettled([oursSynth, theirsSynth, generated]);
    const failed = settled.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed.length > 0) throw new Error(failed.map((r) => (r.reason instanceof Error ? r.reason.message : String(r.reason))).join("\n"));
    const [oursOut, theirsOut] = [await oursSynth, await theirsSynth];

    const oursAwsVersion = ours.awsProvider;
    const ctx: SynthContext = {
      library: { ours: ours.cdktf, theirs: plan.cdktn.version },
      providerVersions: { aws: { ours: oursAwsVersion, theirs: plan.providerAws.provider } },
    };
    const oursManifest = readJson(join(oursOut, "manifest.json")) as { stacks: Record<string, unknown> };
    const leftOut = new Map<string, string>();
    if (github === "skip") {
      for (const stack of Object.keys(oursManifest.stacks)) {
        const tf = readJson(join(oursOut, "stacks", stack, "cdk.tf.json")) as { terraform?: { required_providers?: Record<string, unknown> } };
        if (tf.terraform?.required_providers?.github) leftOut.set(stack, `GitHub stack left out (${skipWhy})`);
      }
    }
    const cmp = compareOutdirs(oursOut, theirsOut, ctx, leftOut);
    const unexpected = printReport(cmp, ctx);

    log();
    log(`follow-up (informational): ${await checkUseLockfile(theirsDir)}`);
    const compared = cmp.stacks.filter((s) => !s.leftOut);
    const aws = compared.filter((s) => s.kind === "aws").length;
    const gh = compared.filter((s) => s.kind === "github").length;
    log();
    log(
      unexpected === 0
        ? `verdict: PASS: ${compared.length} stacks (${aws} AWS, ${gh} GitHub) and the manifest synthesize the same on cdktn ${plan.cdktn.version}, but for the expected differences above` +
            (leftOut.size > 0 ? `; ${leftOut.size} GitHub stacks NOT compared` : "")
        : `verdict: FAIL: ${unexpected} unexpected difference(s)`,
    );
    return unexpected === 0 ? 0 : 1;
  } catch (err) {
    log();
    log(`verdict: FAIL: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    if (!opts.keep) rmSync(work, { recursive: true, force: true });
    log(`took ${((Date.now() - started) / 1000).toFixed(1)} s${opts.keep ? "" : " (work directory removed)"}`);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
