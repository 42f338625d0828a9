/**
 * Regenerates what is derived from the code, in place:
 *   npm run generate            rewrite every generated section
 *   npm run generate -- --check exit 1, naming the file, when a section is stale
 * Today: the configuration reference in docs/configuration.md, rendered from the
 * zod schema's own descriptions (environments/schema.ts), so the reference cannot
 * drift from what config accepts. __tests__/scripts/generate.test.ts fails when the
 * committed section is stale.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
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

export const SECTIONS: readonly GeneratedSection[] = [{ file: "docs/configuration.md", name: "config-reference", render: renderConfigReference }];

const markers = (name: string) => [`<!-- generated:${name} start (npm run generate) -->`, `<!-- generated:${name} end -->`] as const;

function bounds(text: string, section: GeneratedSection): [number, number] {
  const [start, end] = markers(section.name);
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${section.file}: markers '${start}' ... '${end}' not found`);
  return [from + start.length, to];
}

/** `text` with the section's text replaced by its rendering (not yet formatted). */
export function replaceSection(text: string, section: GeneratedSection): string {
  const [from, to] = bounds(text, section);
  return `${text.slice(0, from)}\n\n${section.render()}\n${text.slice(to)}`;
}

/** Whether the section in `text` says something other than what the code renders now. */
export function isStale(text: string, section: GeneratedSection): boolean {
  const [from, to] = bounds(text, section);
  return text.slice(from, to).trim() !== section.render().trim();
}

/** The committed files whose generated section is stale. */
export function staleSections(root = PROJECT_ROOT): string[] {
  return SECTIONS.filter((section) => isStale(readFileSync(join(root, section.file), "utf8"), section)).map((s) => s.file);
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
