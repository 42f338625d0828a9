/**
 * The real OCI clients of the registry tests (podman, skopeo), each run the
 * way a team runs it: the registry's real host name, reached through
 * HTTPS_PROXY, its certificate in a certs.d-style directory, logins in an
 * auth file of each identity's own. Nothing is printed from a token.
 */
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

export function run(cmd: string, args: readonly string[], opts: { env?: Record<string, string>; stdin?: string; cwd?: string } = {}): Promise<Run> {
  const began = Date.now();
  return new Promise((done) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...opts.env }, cwd: opts.cwd, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", (e) => done({ code: 127, stdout, stderr: stderr + String(e), ms: Date.now() - began }));
    child.on("close", (code) => done({ code, stdout, stderr, ms: Date.now() - began }));
    child.stdin.end(opts.stdin ?? "");
  });
}

export interface OciWorkspace {
  readonly dir: string;
  /** Directory holding the registry's ca.crt (podman/skopeo --cert-dir, like certs.d/<host>/). */
  readonly certDir: string;
  readonly env: Record<string, string>;
  /** podman with rootful vfs storage of this workspace. */
  podman(args: readonly string[], as?: string, stdin?: string): Promise<Run>;
  skopeo(args: readonly string[], as?: string): Promise<Run>;
  /** A `FROM scratch` build context whose single file makes the image unique. */
  context(name: string, content: string): string;
  authFile(as: string): string;
}

export function ociWorkspace(dir: string, registry: { proxyUrl: string; registryCaFile: string }): OciWorkspace {
  const certDir = join(dir, "certs");
  mkdirSync(certDir, { recursive: true });
  copyFileSync(registry.registryCaFile, join(certDir, "ca.crt"));
  const env = { HTTPS_PROXY: registry.proxyUrl, https_proxy: registry.proxyUrl, NO_PROXY: "127.0.0.1,localhost", no_proxy: "127.0.0.1,localhost" };
  /** Each identity's own auth file, empty until it logs in (podman refuses a missing one). */
  const authFile = (as: string) => {
    const file = join(dir, `auth-${as}.json`);
    if (!existsSync(file)) writeFileSync(file, JSON.stringify({ auths: {} }), { mode: 0o600 });
    return file;
  };
  const storage = ["--storage-driver", "vfs", "--root", join(dir, "storage"), "--runroot", join(dir, "runroot")];
  return {
    dir,
    certDir,
    env,
    authFile,
    podman: (args, as = "nobody", stdin) => run("podman", [...storage, ...args], { env: { ...env, REGISTRY_AUTH_FILE: authFile(as) }, stdin }),
    skopeo: (args, as = "nobody") => run("skopeo", args, { env: { ...env, REGISTRY_AUTH_FILE: authFile(as) } }),
    context(name, content) {
      const ctx = join(dir, "contexts", name);
      mkdirSync(ctx, { recursive: true });
      writeFileSync(join(ctx, "content.txt"), content);
      writeFileSync(join(ctx, "Containerfile"), "FROM scratch\nCOPY content.txt /\n");
      return ctx;
    },
  };
}
