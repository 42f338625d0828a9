/**
 * Regenerates what is derived from the code and the app's config, in place:
 *   npm run generate            rewrite every generated section
 *   npm run generate -- --check exit 1, naming the file, when a section is stale
 * The configuration reference in docs/configuration.md, rendered from the zod
 * schema's own descriptions (environments/schema.ts), so the reference cannot
 * drift from what config accepts; and the parts of the deploy workflow and of
 * the application repository's example workflow that name the app's
 * environments and services (environments/app.ts), so a team adopting the
 * platform edits that one file. __tests__/scripts/generate.test.ts fails when a
 * committed section is stale.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { extname, join } from "node:path";
import { z } from "zod";
import { APP } from "../environments/app";
import { deliveryTargets, type AppConfig } from "../environments/app-config";
import { repositoryVariableName } from "../environments/naming";
import { environmentSchema } from "../environments/schema";
import { PROJECT_ROOT } from "./lib/toolchain";

/** A generated section: the text between its two markers in `file` is `render()`'s. */
export interface GeneratedSection {
  readonly file: string;
  readonly name: string;
  readonly render: () => string;
}

/** The subset of JSON Schema (draft 2020-12) that z.toJSONSchema writes for this schema. */
interface Json {
  type?: string;
  description?: string;
  default?: unknown;
  const?: unknown;
  enum?: unknown[];
  properties?: Record<string, Json>;
  required?: string[];
  additionalProperties?: boolean | Json;
  items?: Json;
  anyOf?: Json[];
  oneOf?: Json[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
}

/** One field of the reference. */
export interface Row {
  field: string;
  type: string;
  default: string;
  description: string;
}

const code = (v: unknown) => `\`${JSON.stringify(v)}\``;
/** One line per field: a description never breaks the list. */
const oneLine = (s: string) => s.replace(/\s*\n\s*/g, " ");
const variantsOf = (s: Json) => s.oneOf ?? s.anyOf;
/** The property whose `const` tells a union's object variants apart (`kind`, `type`). */
const discriminatorOf = (v: Json) => Object.entries(v.properties ?? {}).find(([, p]) => p.const !== undefined);
/** More allowed values than fit a line are left to the description, which names where they are kept. */
const MAX_LISTED = 8;

/** The largest integer a JSON number holds exactly: zod's bound for an integer with no maximum. */
const NO_MAXIMUM = Number.MAX_SAFE_INTEGER;

function typeOf(s: Json): string {
  if (s.const !== undefined) return code(s.const);
  if (s.enum) return s.enum.length > MAX_LISTED ? `string (${s.enum.length} values)` : s.enum.map(code).join(" | ");
  const variants = variantsOf(s);
  if (variants) {
    return variants
      .map((v) => {
        const d = discriminatorOf(v);
        return d ? `{ ${d[0]}: ${code(d[1].const)}, … }` : typeOf(v);
      })
      .join(" | ");
  }
  if (s.type === "array") {
    const item = s.items ? typeOf(s.items) : "any";
    return item.includes(" ") ? `(${item})[]` : `${item}[]`;
  }
  if (s.type === "object") return s.properties ? "object" : `map of ${typeof s.additionalProperties === "object" ? typeOf(s.additionalProperties) : "any"}`;
  if (s.type === "integer" || s.type === "number") {
    const min = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : undefined);
    if (min === undefined) return s.type;
    return s.maximum === undefined || s.maximum >= NO_MAXIMUM ? `${s.type} ≥ ${min}` : `${s.type} ${min}–${s.maximum}`;
  }
  return s.type ?? "any";
}

function defaultOf(s: Json, required: boolean): string {
  if (s.default !== undefined) return code(s.default);
  return required ? "required" : "optional";
}

/** The fields of an object's properties, or of the object variants of a union, one row each. */
function fieldsOf(s: Json, path: string, rows: Row[]): void {
  const at = (key: string) => (path ? `${path}.${key}` : key);
  for (const [key, prop] of Object.entries(s.properties ?? {})) rowsOf(prop, at(key), (s.required ?? []).includes(key), rows);
  if (s.type === "array" && s.items) fieldsOf(s.items, `${path}[]`, rows);
  const objects = (variantsOf(s) ?? []).filter((v) => v.properties);
  if (objects.length === 0) return;
  const discriminator = objects.every((v) => discriminatorOf(v)) ? discriminatorOf(objects[0])![0] : undefined;
  const fields = new Map<string, { prop: Json; required: boolean; in: unknown[] }>();
  for (const v of objects) {
    for (const [key, prop] of Object.entries(v.properties!)) {
      const seen = fields.get(key);
      const required = (v.required ?? []).includes(key);
      const tag = discriminator ? v.properties![discriminator].const : undefined;
      if (seen) {
        seen.required &&= required;
        seen.in.push(tag);
      } else fields.set(key, { prop, required, in: [tag] });
    }
  }
  for (const [key, f] of fields) {
    if (key === discriminator) {
      const consts = objects.map((v) => v.properties![key].const);
      rows.push({ field: `\`${at(key)}\``, type: consts.map(code).join(" | "), default: "required", description: "Selects the variant." });
      continue;
    }
    const note = discriminator && f.in.length < objects.length ? `With \`${discriminator}: ${f.in.map((t) => JSON.stringify(t)).join(" or ")}\`. ` : "";
    rowsOf(f.prop, at(key), f.required, rows, note);
  }
}

/** One row per field, depth first: the field, then the fields of its value. */
function rowsOf(s: Json, path: string, required: boolean, rows: Row[], note = ""): Row[] {
  rows.push({ field: `\`${path}\``, type: typeOf(s), default: defaultOf(s, required), description: `${note}${s.description ?? ""}`.trim() });
  fieldsOf(s, path, rows);
  return rows;
}

/** One row per field of an environment file, in the schema's order, from its JSON Schema (zod's own rendering). */
export function configReferenceRows(): Row[] {
  const rows: Row[] = [];
  fieldsOf(z.toJSONSchema(environmentSchema, { io: "input" }) as Json, "", rows);
  return rows;
}

/**
 * The configuration reference: a Markdown list, one line per field (a table would be padded by
 * prettier to its longest description on every row).
 */
export function renderConfigReference(): string {
  const when = (d: string) => (d === "required" || d === "optional" ? d : `default ${d}`);
  return configReferenceRows()
    .map((r) => oneLine(`- ${r.field}: ${r.type}, ${when(r.default)}. ${r.description}`).trimEnd())
    .join("\n")
    .concat("\n");
}

/** The branch whose every push delivers to the `delivery: "push"` environment. */
export const DELIVERY_BRANCH = "main";

/** A YAML scalar: plain where YAML reads it back as the same string, JSON-quoted (JSON is YAML) where not. */
const yamlScalar = (s: string) =>
  /^[a-z0-9$][a-z0-9._${}|' -]*$/i.test(s) && !/^(true|false|yes|no|on|off|null|~|[0-9.e+-]+)$/i.test(s) && !/: | #|\s$/.test(s) ? s : JSON.stringify(s);
/** A string inside a single-quoted GitHub Actions expression literal. */
const expressionLiteral = (s: string) => `'${s.replace(/'/g, "''")}'`;

function targetsOf(app: AppConfig) {
  const { targets, problems } = deliveryTargets(app);
  if (problems.length > 0) throw new Error(`environments/app.ts: the deploy workflow cannot be derived:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  return targets;
}

/** The GitHub environment the deploy job runs in: a push's, or the one a dispatch chose. */
function deployEnvironment(app: AppConfig): string {
  const { onPush, onDispatch } = targetsOf(app);
  if (onDispatch.length === 0) return onPush!;
  return onPush ? `\${{ inputs.environment || ${expressionLiteral(onPush)} }}` : "${{ inputs.environment }}";
}

/** deploy.yml's triggers and concurrency: a push to main delivers to one environment, a dispatch to any other. */
export function renderDeployTriggers(app: AppConfig = APP): string {
  const { onPush, onDispatch } = targetsOf(app);
  const lines = ["on:"];
  if (onPush) lines.push("  push:", `    branches: [${DELIVERY_BRANCH}]`);
  if (onDispatch.length > 0)
    lines.push(
      "  workflow_dispatch:",
      "    inputs:",
      "      environment:",
      "        description: Environment to deliver to",
      "        type: choice",
      `        options: [${onDispatch.map(yamlScalar).join(", ")}]`,
      "        required: true",
    );
  lines.push("", "concurrency:", `  group: ${yamlScalar(`deploy-${deployEnvironment(app)}`)}`, "  cancel-in-progress: false");
  return `${lines.join("\n")}\n`;
}

/** deploy.yml's job: the environment it runs in, and one matrix entry per service with the variable naming its repository. */
export function renderDeployTargets(app: AppConfig = APP): string {
  const lines = [`environment: ${yamlScalar(deployEnvironment(app))}`, "strategy:", "  matrix:", "    include:"];
  for (const service of app.services) lines.push(`      - { service: ${yamlScalar(service.name)}, variable: ${repositoryVariableName(service.name)} }`);
  return `${lines.join("\n")}\n`;
}

/** The example application workflow: one service (the first) delivered to the environment every push reaches. */
export function renderAppImageTarget(app: AppConfig = APP): string {
  const { onPush, onDispatch } = targetsOf(app);
  return [`environment: ${yamlScalar(onPush ?? onDispatch[0])}`, "env:", `  REPOSITORY: \${{ vars.${repositoryVariableName(app.services[0].name)} }}`, ""].join(
    "\n",
  );
}

export const SECTIONS: readonly GeneratedSection[] = [
  { file: "docs/configuration.md", name: "config-reference", render: renderConfigReference },
  { file: ".github/workflows/deploy.yml", name: "deploy-triggers", render: () => renderDeployTriggers() },
  { file: ".github/workflows/deploy.yml", name: "deploy-targets", render: () => renderDeployTargets() },
  { file: "examples/github-actions/app-image.yml", name: "app-image-target", render: () => renderAppImageTarget() },
];

const isYaml = (file: string) => [".yml", ".yaml"].includes(extname(file));

/** Markdown sections sit between HTML comments, YAML sections between comment lines indented like their text. */
const markers = (section: GeneratedSection) =>
  isYaml(section.file)
    ? ([`# generated:${section.name} start (npm run generate)`, `# generated:${section.name} end`] as const)
    : ([`<!-- generated:${section.name} start (npm run generate) -->`, `<!-- generated:${section.name} end -->`] as const);

/** Where the section's text starts and ends in `text`, and the indentation of its start marker (YAML). */
function bounds(text: string, section: GeneratedSection): { from: number; to: number; indent: string } {
  const [start, end] = markers(section);
  const at = text.indexOf(start);
  const endAt = text.indexOf(end, at);
  if (at < 0 || endAt < 0) throw new Error(`${section.file}: markers '${start}' ... '${end}' not found`);
  if (!isYaml(section.file)) return { from: at + start.length, to: endAt, indent: "" };
  const lineStart = (i: number) => text.lastIndexOf("\n", i - 1) + 1;
  return { from: text.indexOf("\n", at) + 1, to: lineStart(endAt), indent: text.slice(lineStart(at), at) };
}

/** The section's rendering as it stands in its file: YAML indented like its markers. */
function rendered(section: GeneratedSection, indent: string): string {
  const text = section.render();
  if (!isYaml(section.file)) return `\n\n${text}\n`;
  return text
    .split("\n")
    .map((line) => (line === "" ? "" : `${indent}${line}`))
    .join("\n");
}

/** `text` with the section's text replaced by its rendering (not yet formatted). */
export function replaceSection(text: string, section: GeneratedSection): string {
  const { from, to, indent } = bounds(text, section);
  return `${text.slice(0, from)}${rendered(section, indent)}${text.slice(to)}`;
}

/** Whether the section in `text` says something other than what the code renders now. */
export function isStale(text: string, section: GeneratedSection): boolean {
  const { from, to, indent } = bounds(text, section);
  return text.slice(from, to).trim() !== rendered(section, indent).trim();
}

/** The committed files whose generated section is stale. */
export function staleSections(root = PROJECT_ROOT): string[] {
  return [...new Set(SECTIONS.filter((section) => isStale(readFileSync(join(root, section.file), "utf8"), section)).map((s) => s.file))];
}

/** Formatted by the project's prettier, as `prettier --check` expects (loaded here only: a development tool). */
async function formatted(text: string, file: string): Promise<string> {
  const prettier = await import("prettier");
  return prettier.format(text, { ...((await prettier.resolveConfig(file)) ?? {}), filepath: file });
}

export async function main(argv: readonly string[]): Promise<number> {
  if (argv.some((a) => a !== "--check")) {
    process.stderr.write("usage: npm run generate [-- --check]\n");
    return 2;
  }
  if (argv.includes("--check")) {
    const stale = staleSections();
    for (const f of stale) process.stderr.write(`${f}: stale; run npm run generate\n`);
    return stale.length > 0 ? 1 : 0;
  }
  for (const section of SECTIONS) {
    const file = join(PROJECT_ROOT, section.file);
    const before = readFileSync(file, "utf8");
    const after = await formatted(replaceSection(before, section), file);
    if (after !== before) writeFileSync(file, after);
    process.stdout.write(`${section.file}: ${after === before ? "up to date" : "regenerated"}\n`);
  }
  return 0;
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
