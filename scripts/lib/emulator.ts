import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, openSync, rmSync } from "node:fs";
import { Agent, request } from "node:https";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loopbackCertificate } from "./loopback-tls";
import { PROJECT_ROOT } from "./toolchain";

/** A running AWS API emulator (moto, patched: scripts/emulator) on a loopback port, over TLS. */
export interface Emulator {
  readonly endpoint: string;
  /** PEM of the emulator's self-signed certificate; give it to clients as their CA. */
  readonly caPem: string;
  readonly caFile: string;
  /** Stops the server and removes its certificate. Idempotent. */
  stop(): Promise<void>;
}

async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

function ready(endpoint: string, ca: string): Promise<boolean> {
  return new Promise((resolveReady) => {
    const req = request(`${endpoint}/moto-api/`, { agent: new Agent({ ca }), timeout: 1000 }, (res) => {
      res.resume();
      resolveReady(res.statusCode === 200);
    });
    req.on("error", () => resolveReady(false));
    req.on("timeout", () => req.destroy());
    req.end();
  });
}

const running = new Set<ChildProcess>();
process.on("exit", () => running.forEach((p) => p.kill("SIGKILL")));

/**
 * Starts moto on 127.0.0.1 with a fresh self-signed certificate (the state
 * bucket policy denies non-TLS requests, as it would in AWS). The caller must
 * stop() it; a process exit kills it too, so no server is left running.
 */
export async function startEmulator(motoPython: string, opts: { log?: (line: string) => void; keepIn?: string } = {}): Promise<Emulator & { pid: number }> {
  // keepIn: a sandbox that outlives this process (certificate, log and server stay until `down`).
  const dir = opts.keepIn ?? mkdtempSync(join(tmpdir(), "emulator-"));
  const { certFile: caFile, keyFile, certPem: caPem } = loopbackCertificate(dir);
  const port = await freeLoopbackPort();
  const endpoint = `https://127.0.0.1:${port}`;
  const args = [join(PROJECT_ROOT, "scripts", "emulator", "moto_patched_server.py"), "-H", "127.0.0.1", "-p", String(port), "-c", caFile, "-k", keyFile];
  const logFd = opts.keepIn ? openSync(join(dir, "emulator.log"), "a") : undefined;
  const server = spawn(motoPython, args, { stdio: logFd === undefined ? ["ignore", "pipe", "pipe"] : ["ignore", logFd, logFd], detached: logFd !== undefined });
  if (logFd === undefined) running.add(server);
  else server.unref();
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  server.stdout?.on("data", keep);
  server.stderr?.on("data", keep);

  const stop = async () => {
    if (running.has(server) || opts.keepIn) {
      running.delete(server);
      const exited = new Promise((r) => server.once("exit", r));
      server.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000).unref())]);
      if (server.exitCode === null) server.kill("SIGKILL");
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 30_000;
  while (!(await ready(endpoint, caPem))) {
    if (server.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`the AWS emulator did not start on ${endpoint}:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  opts.log?.(`AWS emulator (moto) listening on ${endpoint}`);
  return { endpoint, caPem, caFile, stop, pid: server.pid! };
}
