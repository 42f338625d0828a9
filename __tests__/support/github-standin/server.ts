import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { error, HANDLERS, invalid, notFound, type Github, type Reply } from "./handlers";
import { GithubJson, GithubState, rateLimit, type EditsBehindTerraform, type RepositorySeed, type StateSnapshot } from "./model";
import { githubDescription, type DescriptionGap, type GithubDescription, type RouteMatch, type ValidationProblem } from "./openapi";
import { sodiumReady } from "./sealed-box";

/**
 * A GitHub REST API stand-in on loopback: the operations the
 * integrations/github provider uses for Actions variables and secrets and
 * for deployment environments, answered from memory (model.ts) by one handler
 * per operation (handlers.ts). This file is the wire: it checks the token,
 * routes each request through GitHub's published OpenAPI description
 * (openapi.ts), checks the request and the response against it, and records
 * every call, so that a test learns when the provider asks for something the
 * stand-in or GitHub would not answer that way.
 *
 * Served under `/api/v3/` like GitHub Enterprise Server, because the
 * provider (go-github's enterprise URLs) appends `api/v3/` to any base_url
 * whose host is not api.github.com.
 */

export const API_PREFIX = "/api/v3";

export interface StandinOptions {
  readonly repositories: readonly RepositorySeed[];
  /**
   * Accounts that exist and may be required reviewers of an environment.
   * Any other id is refused with 422, as GitHub refuses unknown reviewers.
   * @default none
   */
  readonly reviewers?: { readonly users?: readonly number[]; readonly teams?: readonly number[] };
  /** @default a random token */
  readonly token?: string;
  /** Login of the token's user (GET /user). @default "standin-admin" */
  readonly login?: string;
}

export interface RecordedCall {
  readonly method: string;
  /** Path as received, without the API prefix and query. */
  readonly path: string;
  /** The description's template, when the path is one. */
  readonly template?: string;
  readonly operationId?: string;
  readonly status: number;
}

export interface UnexpectedCall {
  readonly method: string;
  readonly path: string;
  readonly reason: string;
}

export interface GithubStandin extends EditsBehindTerraform {
  /** The provider's base_url (GITHUB_BASE_URL): the host root; it appends api/v3/ itself. */
  readonly baseUrl: string;
  /** The REST root (GITHUB_API_URL for other clients). */
  readonly apiUrl: string;
  readonly token: string;
  /** A frozen snapshot, decrypted secret values included. */
  state(): StateSnapshot;
  /** Requests or responses that do not conform to GitHub's description. */
  readonly violations: readonly ValidationProblem[];
  /** Requests that used a property GitHub accepts but its description omits (see DESCRIPTION_GAPS). */
  readonly descriptionGaps: readonly { readonly method: string; readonly path: string; readonly gap: DescriptionGap }[];
  /** Requests for anything the stand-in does not implement (answered 404). */
  readonly unexpectedCalls: readonly UnexpectedCall[];
  readonly calls: readonly RecordedCall[];
  stop(): Promise<void>;
}

interface Records {
  readonly violations: ValidationProblem[];
  readonly descriptionGaps: { method: string; path: string; gap: DescriptionGap }[];
  readonly unexpectedCalls: UnexpectedCall[];
  readonly calls: RecordedCall[];
}

interface Serving {
  readonly description: GithubDescription;
  readonly github: Github;
  readonly token: string;
  readonly records: Records;
}

/** A request under the API root. */
interface ApiCall {
  readonly method: string;
  /** Without the API prefix and query. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: string;
  readonly authorization: string | undefined;
}

/** The route travels with the reply so that the response is validated against the same operation. */
type RoutedReply = Reply & { readonly route?: RouteMatch };

export async function startGithubStandin(options: StandinOptions): Promise<GithubStandin> {
  await sodiumReady();
  const description = githubDescription();
  const state = new GithubState(options.repositories, options.reviewers ?? {}, options.login ?? "standin-admin");
  const token = options.token ?? `ghs_standin${randomBytes(16).toString("hex")}`;
  const records: Records = { violations: [], descriptionGaps: [], unexpectedCalls: [], calls: [] };

  const server = createServer();
  await new Promise<void>((resolveListen, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolveListen());
  });
  const port = (server.address() as AddressInfo).port;
  // The JSON's URLs point at the port, known only now; no request can arrive before anyone knows it.
  const apiUrl = `http://127.0.0.1:${port}${API_PREFIX}`;
  const serving: Serving = { description, github: { state, json: new GithubJson(apiUrl) }, token, records };
  server.on("request", (req: IncomingMessage, res: ServerResponse) => receive(serving, req, res));

  return {
    baseUrl: `http://127.0.0.1:${port}/`,
    apiUrl,
    token,
    state: () => state.snapshot(),
    violations: records.violations,
    descriptionGaps: records.descriptionGaps,
    unexpectedCalls: records.unexpectedCalls,
    calls: records.calls,
    setSecretBehindTerraform: (target) => state.setSecretBehindTerraform(target),
    deleteSecretBehindTerraform: (target) => state.deleteSecretBehindTerraform(target),
    setVariableBehindTerraform: (target) => state.setVariableBehindTerraform(target),
    createEnvironmentBehindTerraform: (target) => state.createEnvironmentBehindTerraform(target),
    editEnvironmentBehindTerraform: (target, change) => state.editEnvironmentBehindTerraform(target, change),
    stop: () => new Promise<void>((done) => server.close(() => done())),
  };
}

function receive(serving: Serving, req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const { description, records } = serving;
    const method = (req.method ?? "GET").toUpperCase();
    const url = new URL(req.url ?? "/", "http://stand-in");
    let reply: RoutedReply;
    let path = url.pathname;
    if (path === API_PREFIX || path.startsWith(API_PREFIX + "/")) {
      path = path.slice(API_PREFIX.length) || "/";
      try {
        reply = answer(serving, {
          method,
          path,
          query: url.searchParams,
          body: Buffer.concat(chunks).toString("utf8"),
          authorization: req.headers.authorization,
        });
      } catch (err) {
        reply = error(500, `stand-in failure: ${err instanceof Error ? err.message : String(err)}`);
        records.unexpectedCalls.push({ method, path, reason: `the stand-in failed: ${err instanceof Error ? err.stack : String(err)}` });
      }
    } else {
      records.unexpectedCalls.push({ method, path, reason: `outside the API root ${API_PREFIX}` });
      reply = notFound();
    }
    if (reply.route) {
      const problems = description.validateResponse(method, reply.route.template, reply.status, reply.body);
      if (problems.length > 0) records.violations.push({ where: "response", method, template: reply.route.template, status: reply.status, errors: problems });
    }
    records.calls.push({ method, path, template: reply.route?.template, operationId: reply.route?.operationId, status: reply.status });
    send(res, reply);
  });
}

function send(res: ServerResponse, reply: Reply): void {
  const payload = reply.body === undefined ? "" : JSON.stringify(reply.body);
  const limit = rateLimit();
  res.writeHead(reply.status, {
    ...(payload ? { "content-type": "application/json; charset=utf-8" } : {}),
    "x-github-media-type": "github.v3; format=json",
    "x-github-api-version-selected": "2022-11-28",
    "x-ratelimit-limit": String(limit.limit),
    "x-ratelimit-remaining": String(limit.remaining),
    "x-ratelimit-reset": String(limit.reset),
    "x-ratelimit-resource": "core",
    ...reply.headers,
  });
  res.end(payload);
}

/** Routes, authenticates and validates a call, then hands it to its operation's handler. */
function answer({ description, github, token, records }: Serving, call: ApiCall): RoutedReply {
  const { method, query } = call;
  const path = canonicalPath(github.state, call.path);
  const route = path === undefined ? undefined : description.route(method, path);
  if (!presentsToken(call.authorization, token)) {
    const reply = call.authorization ? error(401, "Bad credentials") : error(401, "Requires authentication");
    return route && !("error" in route) ? { ...reply, route } : reply;
  }
  if (!route) return notFound();
  if ("error" in route) {
    records.unexpectedCalls.push({
      method,
      path: call.path,
      reason: route.error === "no such path" ? "not a path of GitHub's REST description" : `${method} is not an operation of ${route.template}`,
    });
    return notFound();
  }
  const refuseRequest = (errors: readonly string[]) => records.violations.push({ where: "request", method, template: route.template, errors });
  const parameterProblems = description.validateParameters(method, route.template, route.params, query);
  if (parameterProblems.length > 0) {
    refuseRequest(parameterProblems);
    return { ...notFound(), route };
  }
  let body: unknown;
  if (call.body.length > 0) {
    try {
      body = JSON.parse(call.body);
    } catch {
      refuseRequest(["body is not JSON"]);
      return { ...error(400, "Problems parsing JSON"), route };
    }
  }
  const gapsUsed: DescriptionGap[] = [];
  const problems = description.validateRequest(method, route.template, body, gapsUsed);
  gapsUsed.forEach((gap) => records.descriptionGaps.push({ method, path: call.path, gap }));
  if (problems.length > 0) {
    refuseRequest(problems);
    return { ...invalid(`Invalid request.\n\n${problems.join("\n")}`), route };
  }
  const handler = HANDLERS[route.operationId];
  if (!handler) {
    records.unexpectedCalls.push({ method, path: call.path, reason: `${route.operationId} is not implemented by the stand-in` });
    return { ...notFound(), route };
  }
  return { ...handler(github, { params: route.params, body, query }), route };
}

/** GitHub takes the token under either scheme. */
function presentsToken(authorization: string | undefined, token: string): boolean {
  return /^(?:bearer|token)\s+(\S+)$/i.exec(authorization ?? "")?.[1] === token;
}

/**
 * GitHub serves every /repos/{owner}/{repo}/… route also as /repositories/{id}/…
 * (go-github 67 calls environment secrets that way); the description lists
 * only the /repos form, so such a path is routed and validated as that form.
 */
function canonicalPath(state: GithubState, path: string): string | undefined {
  const m = /^\/repositories\/(\d+)(\/.*)?$/.exec(path);
  if (!m) return path;
  const repo = state.repositoryById(Number(m[1]));
  return repo ? `/repos/${repo.owner}/${repo.name}${m[2] ?? ""}` : undefined;
}
