import { readFileSync } from "node:fs";
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";

/**
 * GitHub's published REST description (@octokit/openapi, api.github.com) as
 * a router and a validator: which operation a request is, and whether a
 * request body or a response conforms to it.
 */

type Json = unknown;
interface MediaType {
  readonly schema?: Json;
}
interface ResponseObject {
  readonly $ref?: string;
  readonly content?: Record<string, MediaType>;
}
interface ParameterObject {
  readonly $ref?: string;
  readonly name: string;
  readonly in: "path" | "query" | "header" | "cookie";
  readonly required?: boolean;
  readonly schema?: { readonly type?: string };
}
interface OperationObject {
  readonly operationId: string;
  readonly parameters?: readonly ParameterObject[];
  readonly requestBody?: { readonly required?: boolean; readonly content?: Record<string, MediaType> };
  readonly responses: Record<string, ResponseObject>;
}
interface Description {
  readonly info: { readonly version: string };
  readonly paths: Record<string, Record<string, OperationObject | unknown>>;
  readonly components: { readonly responses: Record<string, ResponseObject>; readonly parameters: Record<string, ParameterObject> } & Record<string, unknown>;
}

export interface Operation {
  readonly method: string;
  /** Path template as the description spells it, e.g. `/repos/{owner}/{repo}`. */
  readonly template: string;
  readonly operationId: string;
}

export interface RouteMatch extends Operation {
  readonly params: Readonly<Record<string, string>>;
}

export interface ValidationProblem {
  readonly where: "request" | "response";
  readonly method: string;
  readonly template: string;
  readonly status?: number;
  readonly errors: readonly string[];
}

const METHODS = ["get", "put", "post", "patch", "delete", "head", "options"];

/**
 * Statuses GitHub returns from any endpoint although the description lists
 * them for only some (an environment that does not exist is a 404; a wrong
 * token is a 401; a name clash is a 409; bad input a 422). An undeclared
 * status is accepted only among these, and only with GitHub's error body.
 */
const UNIVERSAL_ERROR_STATUSES = new Set([401, 403, 404, 409, 422]);

/**
 * Where GitHub's description is narrower than GitHub: a request property
 * GitHub accepts although the description's schema forbids it. Each is
 * checked against its own schema, stripped, and the rest of the body
 * validated as usual; the server reports each use separately from violations.
 */
export interface DescriptionGap {
  readonly operationId: string;
  readonly property: string;
  readonly schema: object;
  readonly evidence: string;
}
export const DESCRIPTION_GAPS: readonly DescriptionGap[] = [
  {
    operationId: "repos/create-or-update-environment",
    property: "can_admins_bypass",
    schema: { type: "boolean" },
    // The response schema has it; the request schema (additionalProperties: false) does not, yet GitHub applies it.
    evidence: "https://github.com/google/go-github/issues/2725 (not documented for the request, but functional)",
  },
];

const refName = (ref: string) => ref.slice(ref.lastIndexOf("/") + 1);
const notDescribed = (method: string, template: string) => [`${method.toUpperCase()} ${template} is not in the description`];

const pointer = (...segments: string[]) => "#/" + segments.map((s) => encodeURIComponent(s.replace(/~/g, "~0").replace(/\//g, "~1"))).join("/");

interface CompiledTemplate {
  readonly template: string;
  readonly regex: RegExp;
  readonly names: readonly string[];
  /** Literal segments rank before parameters: `/secrets/public-key` wins over `/secrets/{secret_name}`, as on GitHub. */
  readonly rank: string;
}

export class GithubDescription {
  readonly version: string;
  private readonly spec: Description;
  private readonly ajv: Ajv;
  private readonly templates: CompiledTemplate[];
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(file = require.resolve("@octokit/openapi/generated/api.github.com.json")) {
    this.spec = JSON.parse(readFileSync(file, "utf8")) as Description;
    this.version = this.spec.info.version;
    // strict off: the description uses OpenAPI keywords (example, discriminator, x-github) that are not JSON Schema.
    this.ajv = new Ajv({ strict: false, allErrors: true, logger: false });
    addFormats(this.ajv);
    this.ajv.addSchema(this.spec as object, "github");
    this.templates = Object.keys(this.spec.paths)
      .map((template) => {
        const names: string[] = [];
        const segments = template.split("/").slice(1);
        const source = segments
          .map((s) => {
            const param = /^\{([^}]+)\}$/.exec(s);
            if (param) {
              names.push(param[1]);
              return "/([^/]+)";
            }
            return "/" + s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
          })
          .join("");
        return { template, regex: new RegExp(`^${source}$`), names, rank: segments.map((s) => (s.startsWith("{") ? "1" : "0")).join("") };
      })
      .sort((a, b) => a.rank.localeCompare(b.rank));
  }

  /** The operation for a method and a path (already stripped of the API prefix), or why there is none. */
  route(method: string, path: string): RouteMatch | { readonly error: "no such path" | "method not allowed"; readonly template?: string } {
    for (const t of this.templates) {
      const m = t.regex.exec(path);
      if (!m) continue;
      const op = this.operation(method, t.template);
      if (!op) return { error: "method not allowed", template: t.template };
      const params = Object.fromEntries(t.names.map((n, i) => [n, decodeURIComponent(m[i + 1])]));
      return { method: method.toUpperCase(), template: t.template, operationId: op.operationId, params };
    }
    return { error: "no such path" };
  }

  has(method: string, template: string): boolean {
    return this.operation(method, template) !== undefined;
  }

  /** Problems with the path parameters and the declared query parameters of a request (values as received, decoded). */
  validateParameters(method: string, template: string, path: Readonly<Record<string, string>>, query: URLSearchParams): string[] {
    const op = this.operation(method, template);
    if (!op) return notDescribed(method, template);
    const shared = (this.spec.paths[template].parameters ?? []) as ParameterObject[];
    const declared = [...shared, ...(op.parameters ?? [])].map((p) => (p.$ref ? this.spec.components.parameters[refName(p.$ref)] : p));
    const problems: string[] = [];
    for (const p of declared) {
      const raw = p.in === "path" ? path[p.name] : p.in === "query" ? (query.get(p.name) ?? undefined) : undefined;
      if (raw === undefined) {
        if (p.required && (p.in === "path" || p.in === "query")) problems.push(`${p.in} parameter ${p.name} is required`);
        continue;
      }
      if (!p.schema) continue;
      // Parameters travel as text: read them as the schema's type before validating.
      const type = p.schema.type;
      const value =
        type === "integer" || type === "number"
          ? /^-?\d+(\.\d+)?$/.test(raw)
            ? Number(raw)
            : raw
          : type === "boolean"
            ? raw === "true"
              ? true
              : raw === "false"
                ? false
                : raw
            : raw;
      if (!this.ajv.validate(p.schema, value))
        problems.push(`${p.in} parameter ${p.name}=${JSON.stringify(raw)} ${this.ajv.errorsText(this.ajv.errors, { dataVar: "" }).trim()}`);
    }
    return problems;
  }

  /** Problems with a request body (JSON already parsed; undefined when there was none), and the description gaps it used. */
  validateRequest(method: string, template: string, body: unknown): string[];
  validateRequest(method: string, template: string, body: unknown, gapsUsed: DescriptionGap[]): string[];
  validateRequest(method: string, template: string, body: unknown, gapsUsed: DescriptionGap[] = []): string[] {
    const op = this.operation(method, template);
    if (!op) return notDescribed(method, template);
    const gaps = DESCRIPTION_GAPS.filter((g) => g.operationId === op.operationId && body && typeof body === "object" && g.property in body);
    if (gaps.length > 0) {
      const rest = { ...(body as Record<string, unknown>) };
      const problems: string[] = [];
      for (const g of gaps) {
        if (!this.ajv.validate(g.schema, rest[g.property])) problems.push(`/${g.property} ${this.ajv.errorsText(this.ajv.errors)}`);
        delete rest[g.property];
        gapsUsed.push(g);
      }
      return problems.concat(this.validateRequest(method, template, rest));
    }
    const rb = op.requestBody;
    if (!rb) return body === undefined ? [] : ["the operation takes no request body, one was sent"];
    if (body === undefined) return rb.required ? ["a request body is required"] : [];
    const media = rb.content?.["application/json"];
    if (!media?.schema) return [];
    return this.check(pointer("paths", template, method.toLowerCase(), "requestBody", "content", "application/json", "schema"), body);
  }

  /** Problems with a response: its status must be declared (or a universal error) and its body match. */
  validateResponse(method: string, template: string, status: number, body: unknown): string[] {
    const op = this.operation(method, template);
    if (!op) return notDescribed(method, template);
    const declared = op.responses[String(status)];
    if (!declared) {
      if (!UNIVERSAL_ERROR_STATUSES.has(status)) return [`status ${status} is not declared (declared: ${Object.keys(op.responses).join(", ")})`];
      return this.check(pointer("components", "schemas", status === 422 ? "validation-error" : "basic-error"), body).concat(
        body && typeof body === "object" && typeof (body as { message?: unknown }).message === "string" ? [] : ["an error body needs a message"],
      );
    }
    const resolved = declared.$ref ? this.spec.components.responses[refName(declared.$ref)] : declared;
    const media = resolved?.content?.["application/json"];
    // An error status declared without a body still carries GitHub's error body on the wire.
    if (!media?.schema && status >= 400 && body !== undefined) return this.check(pointer("components", "schemas", "basic-error"), body);
    if (!media?.schema) return body === undefined ? [] : [`status ${status} is declared without a body, one was sent`];
    if (body === undefined) return [`status ${status} needs a JSON body`];
    const base = declared.$ref
      ? pointer("components", "responses", refName(declared.$ref), "content", "application/json", "schema")
      : pointer("paths", template, method.toLowerCase(), "responses", String(status), "content", "application/json", "schema");
    return this.check(base, body);
  }

  private operation(method: string, template: string): OperationObject | undefined {
    const m = method.toLowerCase();
    if (!METHODS.includes(m)) return undefined;
    return this.spec.paths[template]?.[m] as OperationObject | undefined;
  }

  private check(ref: string, value: unknown): string[] {
    let validate = this.compiled.get(ref);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `github${ref}` });
      this.compiled.set(ref, validate);
    }
    if (validate(value)) return [];
    return (validate.errors ?? [])
      .slice(0, 200)
      .map(
        (e: ErrorObject) =>
          `${e.instancePath || "(body)"} ${e.message ?? e.keyword}${e.params && Object.keys(e.params).length ? " " + JSON.stringify(e.params) : ""}`,
      );
  }
}

let shared: GithubDescription | undefined;
/** One parsed description per process: it is 13 MB of JSON. */
export function githubDescription(): GithubDescription {
  return (shared ??= new GithubDescription());
}
