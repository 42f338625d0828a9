/**
 * The registry stand-in: an HTTPS front on loopback that authenticates and
 * authorizes every OCI Distribution API request as ECR does, before a real
 * registry (Debian's `docker-registry`, CNCF distribution 2.8) that stores and
 * serves the content on a loopback port of its own.
 *
 *  - authentication: `AWS:<token>` basic auth, the token issued by the
 *    emulator's GetAuthorizationToken (bound to the caller, 12 hours);
 *  - authorization: each request mapped to the ECR action AWS checks
 *    (routes.ts) and decided by the project's IAM simulator from the identity
 *    and repository policies read back from the emulator (aws-view.ts);
 *  - ECR's answers: 401/403 DENIED with AWS's message, NAME_UNKNOWN,
 *    TAG_INVALID for a re-pushed tag in an IMMUTABLE repository;
 *  - every pushed manifest is recorded in the emulator's ECR (PutImage), so
 *    describe-images and list-images show it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer } from "node:https";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { simulate } from "../../lib/simulator";
import { awsView, type AwsView, type Repository } from "./aws-view";
import { startConnectProxy } from "./proxy";
import { routeOf, validReference, type EcrRegistryAction } from "./routes";
import { registryCertificate, registryHostPattern } from "./tls";
import { checkToken, tokenKey } from "./token";

export interface RegistryOptions {
  /** The running emulator: its endpoint and the CA file its TLS certificate is in (the key is beside it as key.pem unless given). */
  readonly emulator: { readonly endpoint: string; readonly caFile: string };
  readonly region: string;
  /** The emulator's TLS key, from which the token key is derived. @default key.pem beside the emulator's CA file */
  readonly emulatorKeyFile?: string;
  /** Milliseconds since the epoch; tests move it to see a token expire. @default Date.now */
  readonly clock?: () => number;
  /** @default `docker-registry` on PATH */
  readonly registryBinary?: string;
  readonly log?: (line: string) => void;
}

/** One authorization decision of the front, in request order. */
export interface RegistryDecision {
  readonly principal: string;
  readonly method: string;
  readonly path: string;
  /** `challenge`: a request without credentials, answered 401 with the Basic challenge, as every client's first ping is. */
  readonly action: EcrRegistryAction | "authenticate" | "challenge";
  readonly repository?: string;
  readonly allowed: boolean;
  readonly status: number;
  readonly code?: string;
}

export interface Registry {
  /** https://127.0.0.1:<port> */
  readonly endpoint: string;
  /** 127.0.0.1:<port>: where any OCI client can push directly (ECR_REGISTRY_ENDPOINT). */
  readonly hostPort: string;
  /** http://127.0.0.1:<port>: HTTPS_PROXY for clients that use the real registry hosts of the region. */
  readonly proxyUrl: string;
  /** The stand-in's certificate alone: `certs.d/<host>/ca.crt` of OCI clients. */
  readonly registryCaFile: string;
  /** The emulator's and the stand-in's certificates in one bundle (AWS_CA_BUNDLE, NODE_EXTRA_CA_CERTS). */
  readonly caFile: string;
  /** Every decision so far; take a slice before and after a scenario to count it. */
  readonly decisions: readonly RegistryDecision[];
  stop(): Promise<void>;
}

async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createNetServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** The Docker Registry HTTP API v2 error body ECR answers with. */
function sendError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  const body = JSON.stringify({ errors: [{ code, message, detail: null }] });
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Docker-Distribution-API-Version": "registry/2.0", ...headers });
  res.end(body);
}

const readBody = (req: IncomingMessage): Promise<Buffer> =>
  new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolveBody(Buffer.concat(chunks)));
    req.on("error", reject);
  });

const ALLOWED_WHY = {
  identity: (action: string) => `because no identity-based policy allows the ${action} action`,
  resource: (action: string) => `because no resource-based policy allows the ${action} action`,
};

async function decide(
  view: AwsView,
  principal: string,
  action: EcrRegistryAction,
  repository: Repository,
): Promise<{ allowed: true } | { allowed: false; message: string }> {
  const [identityPolicies, resourcePolicy] = await Promise.all([view.identityPolicies(principal), view.repositoryPolicy(repository.name)]);
  const principalAccount = principal.split(":")[4];
  const verdict = await simulate({ principal, action, resource: repository.arn, resourceAccount: repository.registryId, identityPolicies, resourcePolicy });
  if (verdict.decision === "Allowed") return { allowed: true };
  let why: string;
  if (verdict.decision === "ExplicitlyDenied") {
    why = verdict.decidedBy.some((s) => s.startsWith("resource-policy"))
      ? "with an explicit deny in a resource-based policy"
      : "with an explicit deny in an identity-based policy";
  } else if (
    principalAccount !== repository.registryId &&
    !(await simulate({ principal, action, resource: repository.arn, resourceAccount: principalAccount, identityPolicies })).decision.startsWith("Implicitly")
  ) {
    why = ALLOWED_WHY.resource(action);
  } else {
    why = ALLOWED_WHY.identity(action);
  }
  return { allowed: false, message: `User: ${principal} is not authorized to perform: ${action} on resource: ${repository.arn} ${why}` };
}

export async function startRegistry(opts: RegistryOptions): Promise<Registry> {
  const key = tokenKey(readFileSync(opts.emulatorKeyFile ?? join(dirname(opts.emulator.caFile), "key.pem")));
  const clock = opts.clock ?? Date.now;
  const view = awsView(opts.emulator.endpoint, opts.emulator.caFile, opts.region);
  const decisions: RegistryDecision[] = [];

  // The storage behind: distribution 2.8 on its own loopback port, plain HTTP, no auth of its own.
  const dir = mkdtempSync(join(tmpdir(), "registry-"));
  mkdirSync(join(dir, "storage"));
  const tls = registryCertificate(dir, opts.region);
  const caFile = join(dir, "ca-bundle.pem");
  writeFileSync(caFile, readFileSync(opts.emulator.caFile, "utf8").trimEnd() + "\n" + tls.certPem);
  const backendPort = await freeLoopbackPort();
  writeFileSync(
    join(dir, "config.yml"),
    [
      "version: 0.1",
      "log:",
      "  level: warn",
      "  accesslog:",
      "    disabled: true",
      "storage:",
      "  filesystem:",
      `    rootdirectory: ${join(dir, "storage")}`,
      "  delete:",
      "    enabled: true",
      "http:",
      `  addr: 127.0.0.1:${backendPort}`,
      `  secret: ${randomBytes(16).toString("hex")}`,
      "",
    ].join("\n"),
  );
  const backend: ChildProcess = spawn(opts.registryBinary ?? "docker-registry", ["serve", join(dir, "config.yml")], { stdio: ["ignore", "pipe", "pipe"] });
  let backendLog = "";
  const keep = (c: Buffer) => (backendLog = (backendLog + c.toString()).slice(-10_000));
  backend.stdout!.on("data", keep);
  backend.stderr!.on("data", keep);
  const killBackend = () => backend.exitCode === null && backend.kill("SIGKILL");
  process.on("exit", killBackend);

  const forward = (req: IncomingMessage, res: ServerResponse, body?: Buffer): Promise<{ status: number; headers: IncomingMessage["headers"] }> =>
    new Promise((done, fail) => {
      const headers = { ...req.headers, "x-forwarded-proto": "https" };
      delete headers.authorization;
      if (body) headers["content-length"] = String(body.length);
      const upstream = httpRequest({ host: "127.0.0.1", port: backendPort, method: req.method, path: req.url, headers }, (up) => {
        if (up.statusCode === 416) {
          // distribution 2.8 declares the whole blob's Content-Length on an unsatisfiable range, then sends less: the client would wait forever.
          const { "content-length": _declared, ...rest } = up.headers;
          void _declared;
          res.writeHead(416, { ...rest, "content-length": "0" });
          res.end();
          up.destroy();
          return done({ status: 416, headers: up.headers });
        }
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
        up.on("end", () => done({ status: up.statusCode ?? 502, headers: up.headers }));
      });
      upstream.on("error", fail);
      if (body) upstream.end(body);
      else req.pipe(upstream);
    });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "https://registry.invalid");
    const method = req.method ?? "GET";
    const route = routeOf(method, url.pathname, url.searchParams);
    const note = (d: Omit<RegistryDecision, "method" | "path">) => decisions.push({ method, path: url.pathname, ...d });
    const hostname = req.headers.host ?? "";
    const token = checkToken(req.headers.authorization, key, clock());
    if (!token.ok) {
      note({
        principal: "(none)",
        action: token.reason === "missing" ? "challenge" : "authenticate",
        allowed: false,
        status: token.reason === "expired" ? 403 : 401,
        code: token.reason,
      });
      req.resume();
      if (token.reason === "expired") return sendError(res, 403, "DENIED", "Your authorization token has expired. Reauthenticate and try again.");
      return sendError(res, 401, "UNAUTHORIZED", token.reason === "missing" ? "Not Authorized" : "Your authorization token is invalid.", {
        "WWW-Authenticate": `Basic realm="https://${hostname}/",service="ecr.amazonaws.com"`,
      });
    }
    const principal = token.claims.principal;
    if (route.kind === "base") {
      note({ principal, action: "authenticate", allowed: true, status: 200 });
      req.resume();
      res.writeHead(200, { "Content-Type": "application/json; charset=utf-8", "Docker-Distribution-API-Version": "registry/2.0" });
      return void res.end("{}");
    }
    if (route.kind === "unsupported") {
      req.resume();
      return sendError(res, 405, "UNSUPPORTED", `The operation ${method} ${url.pathname} is unsupported.`);
    }
    const repository = await view.repository(route.repository);
    if (!repository) {
      note({ principal, action: route.action, repository: route.repository, allowed: false, status: 404, code: "NAME_UNKNOWN" });
      req.resume();
      const registryId = hostname.split(".")[0].match(/^\d{12}$/) ? hostname.split(".")[0] : token.claims.account;
      return sendError(res, 404, "NAME_UNKNOWN", `The repository with name '${route.repository}' does not exist in the registry with id '${registryId}'`);
    }
    const checks: [EcrRegistryAction, Repository][] = [[route.action, repository]];
    if (route.mountFrom) {
      const source = await view.repository(route.mountFrom);
      if (source) checks.push(["ecr:GetDownloadUrlForLayer", source]);
    }
    for (const [action, target] of checks) {
      const verdict = await decide(view, principal, action, target);
      if (!verdict.allowed) {
        note({ principal, action, repository: target.name, allowed: false, status: 403, code: "DENIED" });
        req.resume();
        return sendError(res, 403, "DENIED", verdict.message);
      }
    }
    if (route.reference !== undefined && !validReference(route.reference)) {
      // distribution 2.8 takes such a reference for a tag path and fails with 500; ECR refuses it.
      note({ principal, action: route.action, repository: repository.name, allowed: false, status: 400, code: "DIGEST_INVALID" });
      req.resume();
      return sendError(res, 400, route.reference.includes(":") ? "DIGEST_INVALID" : "TAG_INVALID", `invalid manifest reference '${route.reference}'`);
    }
    const chunked = route.action === "ecr:UploadLayerPart" || route.action === "ecr:CompleteLayerUpload";
    const outOfOrder = chunked ? misplacedChunk(req.headers["content-range"], url.searchParams.get("_state")) : undefined;
    if (outOfOrder) {
      // distribution 2.8 accepts a chunk that does not start where the upload ends; the spec (and ECR) answer 416.
      note({ principal, action: route.action, repository: repository.name, allowed: false, status: 416, code: "BLOB_UPLOAD_INVALID" });
      req.resume();
      return sendError(res, 416, "BLOB_UPLOAD_INVALID", outOfOrder, { Range: `0-${Math.max(0, Number(/\d+/.exec(outOfOrder)![0]) - 1)}` });
    }
    if (route.action !== "ecr:PutImage") {
      note({ principal, action: route.action, repository: repository.name, allowed: true, status: 0 });
      const slot = decisions.length - 1;
      const { status } = await forward(req, res);
      decisions[slot] = { ...decisions[slot], status };
      return;
    }
    const manifest = await readBody(req);
    const digest = `sha256:${createHash("sha256").update(manifest).digest("hex")}`;
    if (route.tag && repository.mutability === "IMMUTABLE") {
      const existing = await view.imageDigestOfTag(repository.name, route.tag);
      if (existing && existing !== digest) {
        note({ principal, action: route.action, repository: repository.name, allowed: false, status: 400, code: "TAG_INVALID" });
        return sendError(
          res,
          400,
          "TAG_INVALID",
          `The image tag '${route.tag}' already exists in the '${repository.name}' repository and cannot be overwritten because the repository is immutable.`,
        );
      }
    }
    const { status } = await forward(req, res, manifest);
    note({ principal, action: route.action, repository: repository.name, allowed: true, status });
    if (status === 201) {
      const mediaType = String(req.headers["content-type"] ?? JSON.parse(manifest.toString("utf8")).mediaType ?? "");
      await view.recordImage(repository.name, manifest.toString("utf8"), mediaType, digest, route.tag);
    }
  };

  const server = createServer({ cert: tls.certPem, key: readFileSync(tls.keyFile) }, (req, res) => {
    handle(req, res).catch((e: unknown) => {
      opts.log?.(`registry front: ${(e as Error).stack ?? String(e)}`);
      if (!res.headersSent) sendError(res, 500, "UNKNOWN", "internal error in the registry stand-in");
      else res.destroy();
    });
  });
  const port = await freeLoopbackPort();
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  const proxy = await startConnectProxy(registryHostPattern(opts.region), { host: "127.0.0.1", port });

  const stop = async () => {
    await proxy.close();
    await new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
    if (backend.exitCode === null) {
      const exited = new Promise((r) => backend.once("exit", r));
      backend.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000).unref())]);
      killBackend();
    }
    process.off("exit", killBackend);
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 20_000;
  while (!(await backendReady(backendPort))) {
    if (backend.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`docker-registry did not start on 127.0.0.1:${backendPort}:\n${backendLog}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const hostPort = `127.0.0.1:${port}`;
  opts.log?.(`registry stand-in on https://${hostPort}, proxy ${proxy.url} for ${registryHostPattern(opts.region)} (distribution on 127.0.0.1:${backendPort})`);
  return { endpoint: `https://${hostPort}`, hostPort, proxyUrl: proxy.url, registryCaFile: tls.certFile, caFile, decisions, stop };
}

/**
 * A chunk whose Content-Range does not start where the upload ends, as the
 * upload's state (distribution's `_state`: a 32-byte MAC, then JSON with the
 * Offset) says; undefined when in order or not decidable.
 */
function misplacedChunk(contentRange: string | undefined, state: string | null): string | undefined {
  const range = /^(?:bytes[= ])?(\d+)-(\d+)$/.exec(contentRange ?? "");
  if (!range || !state) return undefined;
  let offset: unknown;
  try {
    offset = JSON.parse(Buffer.from(state, "base64url").subarray(32).toString("utf8")).Offset;
  } catch {
    return undefined;
  }
  if (typeof offset !== "number" || Number(range[1]) === offset) return undefined;
  return `upload is at ${offset} bytes; a chunk starting at ${range[1]} is out of order`;
}

function backendReady(port: number): Promise<boolean> {
  return new Promise((r) => {
    const req = httpRequest({ host: "127.0.0.1", port, path: "/v2/", timeout: 1000 }, (res) => {
      res.resume();
      r(res.statusCode === 200);
    });
    req.on("error", () => r(false));
    req.on("timeout", () => req.destroy());
    req.end();
  });
}
