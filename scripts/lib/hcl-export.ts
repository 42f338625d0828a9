/**
 * Reading, checking and narrowly repairing what `cdktf synth --hcl` (CLI
 * 0.21.0) writes, against the JSON the same app synthesizes (cdk.tf.json).
 *
 * cdktf is archived; its exit path is HCL export then plain OpenTofu or
 * Terraform. Its HCL renderer (node_modules/cdktf/lib/hcl/render.js) guesses
 * types where a value carries no provider schema, and has known bugs. This
 * module parses the subset of HCL that renderer emits (blocks, attributes,
 * quoted strings with templates, heredocs, numbers, booleans, null, lists,
 * objects, bare references and calls kept as raw text) into positions and
 * values, compares it with the JSON meaning (Terraform's JSON syntax is the
 * reference: strings in both are template sources), and repairs exactly
 * three renderer faults, each only where the comparison proves the repair
 * restores the JSON's meaning in native syntax:
 *
 *  1. number-for-string: a string without schema (outputs, backend and
 *     required_providers values, overrides) that looks like an integer is
 *     written unquoted (renderFuzzyJsonExpression's parseInt test), e.g.
 *     `output "account_id" { value = 123456789012 }`: the output becomes a
 *     number. The literal is quoted again.
 *  2. quoted references: `depends_on = ["aws_x.y"]` is JSON syntax; in native
 *     syntax OpenTofu and Terraform warn "Quoted references are deprecated"
 *     (to be removed). The quotes are removed where the string is exactly a
 *     resource, data or module address.
 *  3. condition blocks as attributes: `lifecycle { postcondition = [{ condition
 *     = ..., error_message = ... }] }` (the renderer writes the lifecycle
 *     meta-block with renderSimpleAttributes): OpenTofu refuses it
 *     ("Unsupported argument"; precondition and postcondition are blocks).
 *     Each list element becomes a block, its values copied verbatim. The same
 *     for `precondition` directly in an output block.
 *
 * Anything else that differs is reported, not repaired: the export fails.
 * That includes hashicorp/terraform-cdk#3911 (a `${...}` token inside a
 * JSON-encoded string: the renderer leaves its quotes unescaped, which no
 * longer parses) and cdk-terrain#313 (extra `terraform {}` keys rendered as
 * `0 = "key"`).
 */
import { prepareStackWorkdir, type StackWorkdir } from "./tofu";

export type HclNode =
  | { t: "string"; v: string; s: number; e: number }
  | { t: "number"; v: number; raw: string; s: number; e: number }
  | { t: "bool"; v: boolean; s: number; e: number }
  | { t: "null"; s: number; e: number }
  | { t: "list"; items: HclNode[]; s: number; e: number }
  | { t: "object"; entries: [string, HclNode][]; s: number; e: number }
  /** A bare traversal, e.g. `aws_s3_bucket.b` in depends_on. */
  | { t: "ref"; v: string; s: number; e: number }
  /** Any other expression (function call, ...), kept as source text. */
  | { t: "raw"; v: string; s: number; e: number };

export interface HclBlock {
  readonly type: string;
  readonly labels: string[];
  readonly body: HclBody;
  readonly s: number;
}

export interface HclBody {
  readonly attrs: Map<string, HclNode>;
  /** Offset of each attribute's name. */
  readonly starts: Map<string, number>;
  readonly blocks: HclBlock[];
}

export class HclSyntaxError extends Error {}

/** 1-based line and column of an offset, for messages. */
export function lineCol(text: string, offset: number): string {
  const before = text.slice(0, offset).split("\n");
  return `${before.length}:${before[before.length - 1].length + 1}`;
}

const IDENT_START = /[A-Za-z_]/;
const IDENT = /[A-Za-z0-9_-]/;

/** Parses a cdk.tf as cdktf's HCL renderer writes it. Throws HclSyntaxError with line:column. */
export function parseHcl(text: string): HclBody {
  let i = 0;
  const fail = (what: string): never => {
    throw new HclSyntaxError(`${lineCol(text, i)}: ${what} (near ${JSON.stringify(text.slice(i, i + 40))})`);
  };
  const skip = () => {
    for (;;) {
      const c = text[i];
      if (c === " " || c === "\t" || c === "\r" || c === "\n") i++;
      else if (c === "#" || (c === "/" && text[i + 1] === "/")) while (i < text.length && text[i] !== "\n") i++;
      else if (c === "/" && text[i + 1] === "*") {
        const end = text.indexOf("*/", i + 2);
        if (end < 0) fail("unterminated comment");
        i = end + 2;
      } else return;
    }
  };
  const ident = (allowDigitStart = false): string => {
    const start = i;
    if (!(IDENT_START.test(text[i] ?? "") || (allowDigitStart && /[0-9]/.test(text[i] ?? "")))) fail("expected an identifier");
    i++;
    while (i < text.length && IDENT.test(text[i])) i++;
    return text.slice(start, i);
  };
  /** Skips an interpolation or directive body from just after `${`/`%{` to just after its `}`. */
  const skipTemplateExpr = () => {
    let depth = 1;
    while (depth > 0) {
      const c = text[i];
      if (c === undefined) fail("unterminated template interpolation");
      if (c === '"') {
        quoted();
        continue;
      }
      if (c === "{") depth++;
      if (c === "}") depth--;
      i++;
    }
  };
  /** A quoted template; returns its source with HCL escapes decoded (`$${`, `%%{` and interpolations kept verbatim). */
  const quoted = (allowTemplates = true): string => {
    if (text[i] !== '"') fail("expected a string");
    i++;
    let out = "";
    for (;;) {
      const c = text[i];
      if (c === undefined || c === "\n") fail("unterminated string");
      if (c === '"') {
        i++;
        return out;
      }
      if (c === "\\") {
        const n = text[i + 1];
        const simple: Record<string, string> = { n: "\n", r: "\r", t: "\t", '"': '"', "\\": "\\" };
        if (n in simple) {
          out += simple[n];
          i += 2;
        } else if (n === "u" || n === "U") {
          const len = n === "u" ? 4 : 8;
          const hex = text.slice(i + 2, i + 2 + len);
          if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) fail("bad unicode escape");
          out += String.fromCodePoint(parseInt(hex, 16));
          i += 2 + len;
        } else fail(`invalid escape \\${n}`);
        continue;
      }
      if ((c === "$" || c === "%") && text[i + 1] === c && text[i + 2] === "{") {
        out += text.slice(i, i + 3);
        i += 3;
        continue;
      }
      if ((c === "$" || c === "%") && text[i + 1] === "{") {
        if (!allowTemplates) fail("template in a label or key");
        const start = i;
        i += 2;
        skipTemplateExpr();
        out += text.slice(start, i);
        continue;
      }
      out += c;
      i++;
    }
  };
  const heredoc = (): string => {
    i += 2;
    const indent = text[i] === "-";
    if (indent) i++;
    const marker = ident();
    const eol = text.indexOf("\n", i);
    if (eol < 0 || text.slice(i, eol).trim() !== "") fail("heredoc marker must end its line");
    i = eol + 1;
    const lines: string[] = [];
    for (;;) {
      if (i >= text.length) fail(`unterminated heredoc ${marker}`);
      let end = text.indexOf("\n", i);
      if (end < 0) end = text.length;
      const line = text.slice(i, end);
      i = end;
      if (line.trim() === marker) break;
      lines.push(line);
      i++;
    }
    let body = lines;
    if (indent) {
      const widths = lines.filter((l) => l.trim() !== "").map((l) => l.length - l.trimStart().length);
      const cut = widths.length ? Math.min(...widths) : 0;
      body = lines.map((l) => l.slice(cut));
    }
    return body.map((l) => `${l}\n`).join("");
  };
  const expr = (): HclNode => {
    skip();
    const s = i;
    const c = text[i];
    if (c === '"') {
      const v = quoted();
      return { t: "string", v, s, e: i };
    }
    if (c === "<" && text[i + 1] === "<") {
      const v = heredoc();
      return { t: "string", v, s, e: i };
    }
    if (c === "[") {
      i++;
      const items: HclNode[] = [];
      for (;;) {
        skip();
        if (text[i] === "]") break;
        items.push(expr());
        skip();
        if (text[i] === ",") i++;
        else if (text[i] !== "]") fail("expected , or ]");
      }
      i++;
      return { t: "list", items, s, e: i };
    }
    if (c === "{") {
      i++;
      const entries: [string, HclNode][] = [];
      for (;;) {
        skip();
        if (text[i] === "}") break;
        const key = text[i] === '"' ? quoted(false) : ident();
        skip();
        if (text[i] !== "=" && text[i] !== ":") fail("expected = or : in an object");
        i++;
        entries.push([key, expr()]);
        skip();
        if (text[i] === ",") i++;
      }
      i++;
      return { t: "object", entries, s, e: i };
    }
    const num = /^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 64));
    if (num) {
      i += num[0].length;
      return { t: "number", v: Number(num[0]), raw: num[0], s, e: i };
    }
    if (IDENT_START.test(c ?? "")) {
      const name = ident();
      if (name === "true" || name === "false") return { t: "bool", v: name === "true", s, e: i };
      if (name === "null") return { t: "null", s, e: i };
      let raw = false;
      for (;;) {
        if (text[i] === "." && IDENT.test(text[i + 1] ?? "")) {
          i++;
          while (IDENT.test(text[i] ?? "")) i++;
        } else if (text[i] === "[" || text[i] === "(") {
          // index or call: kept as raw source, brackets balanced (strings skipped)
          raw = true;
          const open = text[i];
          const close = open === "[" ? "]" : ")";
          let depth = 0;
          do {
            if (text[i] === undefined) fail(`unbalanced ${open}`);
            if (text[i] === '"') {
              quoted();
              continue;
            }
            if (text[i] === open) depth++;
            if (text[i] === close) depth--;
            i++;
          } while (depth > 0);
        } else break;
      }
      return { t: raw ? "raw" : "ref", v: text.slice(s, i), s, e: i };
    }
    return fail("expected an expression");
  };
  const body = (nested: boolean): HclBody => {
    const attrs = new Map<string, HclNode>();
    const starts = new Map<string, number>();
    const blocks: HclBlock[] = [];
    for (;;) {
      skip();
      if (i >= text.length) {
        if (nested) fail("unexpected end of file, } missing");
        return { attrs, starts, blocks };
      }
      if (text[i] === "}") {
        if (!nested) fail("unexpected }");
        return { attrs, starts, blocks };
      }
      const s = i;
      // Digits are accepted here only to report cdk-terrain#313 (`0 = "key"`) as a difference, not as a parse error.
      const name = ident(true);
      skip();
      if (text[i] === "=") {
        i++;
        if (attrs.has(name)) fail(`attribute ${name} set twice`);
        attrs.set(name, expr());
        starts.set(name, s);
        continue;
      }
      const labels: string[] = [];
      while (text[i] !== "{") {
        labels.push(text[i] === '"' ? quoted(false) : ident());
        skip();
      }
      i++;
      const inner = body(true);
      i++;
      blocks.push({ type: name, labels, body: inner, s });
    }
  };
  return body(false);
}

export interface Edit {
  readonly s: number;
  readonly e: number;
  readonly text: string;
}

export interface Difference {
  /** e.g. `output.account_id.value` */
  readonly path: string;
  readonly message: string;
  /** Offset in the HCL text, for messages. */
  readonly at?: number;
  /** Set for the three known renderer faults: the edit that restores the meaning, and what it does. */
  readonly fix?: Edit;
  readonly repair?: string;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const isObject = (j: unknown): j is Record<string, Json> => typeof j === "object" && j !== null && !Array.isArray(j);
const show = (v: unknown) => {
  const s = JSON.stringify(v);
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
};

function nodeValue(n: HclNode): unknown {
  switch (n.t) {
    case "list":
      return n.items.map(nodeValue);
    case "object":
      return Object.fromEntries(n.entries.map(([k, v]) => [k, nodeValue(v)]));
    case "null":
      return null;
    case "ref":
    case "raw":
      return `(expression ${n.v})`;
    default:
      return n.v;
  }
}

function compareNode(n: HclNode, j: Json, path: string, out: Difference[]): void {
  const differ = (extra?: Partial<Difference>): void =>
    void out.push({ path, message: `HCL ${n.t} ${show(nodeValue(n))}, JSON ${show(j)}`, at: n.s, ...extra });
  switch (n.t) {
    case "string":
      if (j !== n.v) differ();
      return;
    case "number":
      if (typeof j === "string" && j === n.raw) {
        differ({
          message: `HCL number ${n.raw}, JSON string ${show(j)}`,
          fix: { s: n.s, e: n.e, text: JSON.stringify(j) },
          repair: `quoted ${n.raw} again (cdktf's HCL renderer writes an integer-looking string without schema as a number)`,
        });
      } else if (j !== n.v) differ();
      return;
    case "bool":
      if (j !== n.v) differ();
      return;
    case "null":
      if (j !== null) differ();
      return;
    case "ref":
    case "raw":
      // JSON syntax writes references as strings: "aws_x.y" (depends_on) or "${aws_x.y.arn}".
      if (j !== n.v && j !== `\${${n.v}}`) differ();
      return;
    case "list":
      if (!Array.isArray(j) || j.length !== n.items.length) return differ();
      n.items.forEach((item, k) => compareNode(item, j[k], `${path}[${k}]`, out));
      return;
    case "object": {
      if (!isObject(j)) return differ();
      const keys = new Set(n.entries.map(([k]) => k));
      if (keys.size !== n.entries.length) return differ({ message: "HCL object has a key twice" });
      for (const [k, v] of n.entries) {
        if (!(k in j)) out.push({ path: `${path}.${k}`, message: "only in HCL", at: v.s });
        else compareNode(v, j[k], `${path}.${k}`, out);
      }
      for (const k of Object.keys(j)) if (!keys.has(k)) out.push({ path: `${path}.${k}`, message: `only in JSON: ${show(j[k])}`, at: n.s });
      return;
    }
  }
}

function compareBlocks(blocks: HclBlock[], j: Json, path: string, out: Difference[]): void {
  if (blocks[0].labels.length > 0) {
    if (!isObject(j)) return void out.push({ path, message: `HCL labeled blocks, JSON ${show(j)}`, at: blocks[0].s });
    const byLabel = new Map<string, HclBlock[]>();
    for (const b of blocks) byLabel.set(b.labels[0], [...(byLabel.get(b.labels[0]) ?? []), { ...b, labels: b.labels.slice(1) }]);
    for (const [label, inner] of byLabel) {
      if (!(label in j)) out.push({ path: `${path}.${label}`, message: "only in HCL", at: inner[0].s });
      else compareBlocks(inner, j[label], `${path}.${label}`, out);
    }
    for (const k of Object.keys(j)) if (!byLabel.has(k)) out.push({ path: `${path}.${k}`, message: "only in JSON", at: blocks[0].s });
    return;
  }
  // JSON syntax writes a block as an object or as a list of objects.
  const items = Array.isArray(j) ? j : [j];
  if (items.length !== blocks.length) return void out.push({ path, message: `${blocks.length} HCL block(s), ${items.length} in JSON`, at: blocks[0].s });
  blocks.forEach((b, k) => compareBody(b.body, items[k], blocks.length > 1 ? `${path}[${k}]` : path, out));
}

function compareBody(body: HclBody, j: Json, path: string, out: Difference[]): void {
  if (!isObject(j)) return void out.push({ path, message: `HCL block, JSON ${show(j)}` });
  const byType = new Map<string, HclBlock[]>();
  for (const b of body.blocks) byType.set(b.type, [...(byType.get(b.type) ?? []), b]);
  const at = (p: string) => (path ? `${path}.${p}` : p);
  for (const [name, node] of body.attrs) {
    if (byType.has(name)) out.push({ path: at(name), message: "both an attribute and a block in HCL", at: node.s });
    if (!(name in j)) out.push({ path: at(name), message: `only in HCL: ${show(nodeValue(node))}`, at: node.s });
    else compareNode(node, j[name], at(name), out);
  }
  for (const [type, blocks] of byType) {
    if (!(type in j)) out.push({ path: at(type), message: "only in HCL (block)", at: blocks[0].s });
    else compareBlocks(blocks, j[type], at(type), out);
  }
  // "//" holds cdktf's construct metadata; the HCL renderer moves it to metadata.json.
  for (const k of Object.keys(j)) if (k !== "//" && !body.attrs.has(k) && !byType.has(k)) out.push({ path: at(k), message: `only in JSON: ${show(j[k])}` });
}

const ADDRESS = /^(data\.|module\.)?[A-Za-z_][A-Za-z0-9_-]*\.[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * What JSON syntax allows and native syntax does not, as the renderer writes
 * it: quoted references in depends_on (fault 2), precondition/postcondition
 * written as attributes (fault 3). `text` is the source the body was parsed from.
 */
function nativeSyntaxFaults(text: string, body: HclBody): Difference[] {
  const out: Difference[] = [];
  const conditionBlocks = (owner: HclBody, path: string) => {
    for (const name of ["precondition", "postcondition"]) {
      const node = owner.attrs.get(name);
      if (!node) continue;
      const where = `${path}.${name}`;
      const objects = node.t === "list" && node.items.every((i) => i.t === "object") ? (node.items as Extract<HclNode, { t: "object" }>[]) : undefined;
      if (!objects) {
        out.push({ path: where, message: `${name} written as an attribute that is not a list of objects; OpenTofu needs ${name} blocks`, at: node.s });
        continue;
      }
      const start = owner.starts.get(name)!;
      const indent = /[ \t]*$/.exec(text.slice(text.lastIndexOf("\n", start) + 1, start))![0];
      const blocks = objects.map((o) =>
        [`${name} {`, ...o.entries.map(([k, v]) => `  ${k} = ${text.slice(v.s, v.e)}`), "}"].map((line, k) => (k === 0 ? line : `${indent}${line}`)).join("\n"),
      );
      out.push({
        path: where,
        message: `${name} written as an attribute (a list of ${objects.length}); OpenTofu needs ${name} blocks`,
        at: node.s,
        fix: { s: start, e: node.e, text: blocks.join(`\n${indent}`) },
        repair: `rewrote ${objects.length} ${name} element(s) as blocks (cdktf's HCL renderer writes them as an attribute, which OpenTofu refuses)`,
      });
    }
  };
  for (const b of body.blocks) {
    if (!["resource", "data", "module", "output"].includes(b.type)) continue;
    const path = [b.type, ...b.labels].join(".");
    const dep = b.body.attrs.get("depends_on");
    if (dep?.t === "list") {
      dep.items.forEach((item, k) => {
        if (item.t === "string" && ADDRESS.test(item.v)) {
          out.push({
            path: `${path}.depends_on[${k}]`,
            message: `quoted reference ${JSON.stringify(item.v)} (deprecated in native syntax)`,
            at: item.s,
            fix: { s: item.s, e: item.e, text: item.v },
            repair: `unquoted reference ${item.v} (quoted references are deprecated in native syntax)`,
          });
        }
      });
    }
    if (b.type === "output") conditionBlocks(b.body, path);
    for (const lifecycle of b.body.blocks.filter((l) => l.type === "lifecycle")) conditionBlocks(lifecycle.body, `${path}.lifecycle`);
  }
  return out;
}

/**
 * Every difference in meaning between a parsed cdk.tf and the stack's
 * cdk.tf.json, and (given the source text) every native-syntax fault the
 * renderer is known for. Differences with a `fix` are the known faults.
 */
export function compareHclToJson(body: HclBody, json: unknown, text?: string): Difference[] {
  const out: Difference[] = [];
  compareBody(body, json as Json, "", out);
  if (text !== undefined) out.push(...nativeSyntaxFaults(text, body));
  return out;
}

export function applyEdits(text: string, edits: readonly Edit[]): string {
  let out = text;
  for (const edit of [...edits].sort((a, b) => b.s - a.s)) out = out.slice(0, edit.s) + edit.text + out.slice(edit.e);
  return out;
}

export interface RepairResult {
  readonly text: string;
  /** One line per repair made, e.g. `output.account_id.value: quoted 123456789012 again (...)`. */
  readonly repairs: string[];
  /** Differences left after the repairs: the export must not be trusted when this is not empty. */
  readonly differences: Difference[];
}

/**
 * Applies the documented repairs to one exported stack and returns what
 * still differs from its JSON (or is still not native syntax). Throws
 * HclSyntaxError when the HCL does not parse (e.g. terraform-cdk#3911's
 * unescaped quotes).
 */
export function repairStackHcl(text: string, json: unknown): RepairResult {
  const repairs: string[] = [];
  let current = text;
  for (let round = 0; round < 3; round++) {
    const edits: Edit[] = [];
    for (const d of compareHclToJson(parseHcl(current), json, current)) {
      // Non-overlapping edits only; an edit inside a rewritten span waits for the next round.
      if (!d.fix || edits.some((e) => d.fix!.s < e.e && e.s < d.fix!.e)) continue;
      edits.push(d.fix);
      repairs.push(`${d.path}: ${d.repair}`);
    }
    if (edits.length === 0) break;
    current = applyEdits(current, edits);
  }
  return { text: current, repairs, differences: compareHclToJson(parseHcl(current), json, current) };
}

/** Every string attribute of the JSON's resources and data sources that holds a JSON document (policies, patterns), with its path. */
export function jsonDocumentAttributes(json: unknown): { kind: "resource" | "data"; type: string; name: string; attr: string; value: string }[] {
  const found: { kind: "resource" | "data"; type: string; name: string; attr: string; value: string }[] = [];
  const root = json as Record<string, Record<string, Record<string, Record<string, unknown>>>>;
  for (const kind of ["resource", "data"] as const) {
    for (const [type, byName] of Object.entries(root[kind] ?? {})) {
      for (const [name, attrs] of Object.entries(byName)) {
        for (const [attr, value] of Object.entries(attrs)) {
          if (typeof value !== "string" || !/^\s*[[{]/.test(value)) continue;
          try {
            JSON.parse(value);
            found.push({ kind, type, name, attr, value });
          } catch {
            // not a JSON document
          }
        }
      }
    }
  }
  return found;
}

/** The HCL node of `<kind> "<type>" "<name>" { <attr> = ... }`, if any. */
export function findAttribute(body: HclBody, kind: string, type: string, name: string, attr: string): HclNode | undefined {
  return body.blocks.find((b) => b.type === kind && b.labels[0] === type && b.labels[1] === name)?.body.attrs.get(attr);
}

/** Copies one exported stack (cdk.tf), as exported, into its own working directory. */
export const prepareHclStackWorkdir = (hclOutdir: string, stack: string, root: string): StackWorkdir => prepareStackWorkdir(hclOutdir, stack, root, "cdk.tf");
