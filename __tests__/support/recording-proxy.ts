import { loopbackCertificate } from "../../scripts/lib/loopback-tls";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { Agent, createServer, request, type Server } from "node:https";
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** One HTTP exchange as the client sent it and the upstream answered it. */
export interface RecordedRequest {
  readonly seq: number;
  /** The phase set by the test when the request arrived (e.g. "init", "plan"); undefined when not recording. */
  readonly phase?: string;
  readonly method: string;
  /** Path and query string, undecoded. */
  readonly url: string;
  /** Header names in lower case. */
  readonly headers: Record<string, string>;
  /** Request body as UTF-8, cut at BODY_LIMIT characters (enough for JSON and query-protocol parameters). */
  readonly body: string;
  readonly status: number;
  /** For error answers (>= 400): the start of the response body (the error code). */
  readonly errorSnippet?: string;
  readonly ms: number;
}

/**
 * A recording HTTPS reverse proxy on loopback in front of the AWS emulator.
 * Clients (OpenTofu, its providers, the S3 backend) are pointed at `endpoint`
 * and trust `caFile`; every request is forwarded unchanged to the emulator
 * (trusted through the emulator's own CA) and, while a phase is set, recorded.
 */
export interface RecordingProxy {
  readonly endpoint: string;
  /** PEM bundle with the proxy's certificate (and the emulator's): give it to clients as AWS_CA_BUNDLE. */
  readonly caFile: string;
  /** Start recording under this phase name; undefined stops recording (requests are still forwarded). */
  setPhase(phase: string | undefined): void;
  /** Every request recorded so far, in arrival order. */
  records(): RecordedRequest[];
  /** Requests that could not be forwarded (upstream errors); each is also answered 502. */
  failures(): string[];
  stop(): Promise<void>;
}

export const BODY_LIMIT = 64 * 1024;
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade"]);

function flatten(headers: IncomingHttpHeaders): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(", ") : String(v ?? "")]));
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolveBody(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

export async function startRecordingProxy(upstream: { endpoint: string; caPem: string }): Promise<RecordingProxy> {
  const dir = mkdtempSync(join(tmpdir(), "recording-proxy-"));
  const { keyFile, certPem: cert } = loopbackCertificate(dir);
  const caFile = join(dir, "ca-bundle.pem");
  writeFileSync(caFile, `${cert.trim()}\n${upstream.caPem.trim()}\n`);

  const target = new URL(upstream.endpoint);
  if (!["127.0.0.1", "localhost", "[::1]"].includes(target.hostname))
    throw new Error(`the recording proxy forwards to loopback only, not ${upstream.endpoint}`);
  const agent = new Agent({ ca: upstream.caPem, keepAlive: true });
  const recorded: RecordedRequest[] = [];
  const failed: string[] = [];
  let phase: string | undefined;
  let seq = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const began = Date.now();
    const at = { seq: ++seq, phase };
    const body = await readBody(req);
    const headers = flatten(req.headers);
    const forwardHeaders: Record<string, string> = {};
    for (const [k, v] of Object.entries(headers)) if (!HOP_BY_HOP.has(k)) forwardHeaders[k] = v;
    forwardHeaders["content-length"] = String(body.length);
    const upstreamReq = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: forwardHeaders, agent },
      (upstreamRes) => {
        const status = upstreamRes.statusCode ?? 0;
        const outHeaders: Record<string, string | string[]> = {};
        for (const [k, v] of Object.entries(upstreamRes.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) outHeaders[k] = v;
        res.writeHead(status, upstreamRes.statusMessage, outHeaders);
        let snippet = "";
        upstreamRes.on("data", (c: Buffer) => {
          if (status >= 400 && snippet.length < 400) snippet += c.toString("utf8");
          res.write(c);
        });
        upstreamRes.on("end", () => {
          res.end();
          if (at.phase !== undefined) {
            recorded.push({
              seq: at.seq,
              phase: at.phase,
              method: req.method ?? "",
              url: req.url ?? "",
              headers,
              body: body.subarray(0, BODY_LIMIT).toString("utf8"),
              status,
              errorSnippet: status >= 400 ? snippet.slice(0, 400) : undefined,
              ms: Date.now() - began,
            });
          }
        });
      },
    );
    upstreamReq.on("error", (e) => {
      failed.push(`${req.method} ${req.url}: ${e.message}`);
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    upstreamReq.end(body);
  };

  const server: Server = createServer({ key: readFileSync(keyFile), cert }, (req, res) => {
    handle(req, res).catch((e: Error) => {
      failed.push(`${req.method} ${req.url}: ${e.message}`);
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolveListen());
  });
  const port = (server.address() as AddressInfo).port;

  let stopped = false;
  return {
    endpoint: `https://127.0.0.1:${port}`,
    caFile,
    setPhase: (p) => {
      phase = p;
    },
    records: () => [...recorded].sort((a, b) => a.seq - b.seq),
    failures: () => [...failed],
    stop: async () => {
      if (stopped) return;
      stopped = true;
      server.closeAllConnections();
      await new Promise((r) => server.close(() => r(undefined)));
      agent.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
