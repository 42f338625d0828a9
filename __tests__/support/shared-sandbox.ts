/**
 * One deployment per end-to-end run, shared: the main job's sandbox, brought up as a user brings
 * it up (`bash scripts/local.sh up --as ecr-user`: emulator, bootstrap, `cdktf deploy local
 * local-credentials`, registry stand-in). The suites that only read what is deployed, plan
 * against it or push images to it use it instead of deploying their own, each in working
 * directories and with names of its own:
 *   - sandbox.test.ts       checks `up` itself, walks the operator's cdktf diff/output on it,
 *                           and, once the others have released it, cdktf destroy and `down`
 *   - registry.test.ts      pushes and pulls images (ECR images are not Terraform state)
 *   - hcl-export.test.ts    plans the exported HCL against the deployed state (no lock)
 *   - plan-role-calls.test  plans as a pull request does, through its own recording proxy
 * The suites that need an account of their own keep their own emulator:
 * operator-bootstrap (`npm run bootstrap` from nothing, the order between stacks),
 * faults-and-rotation (an interrupted apply needs an environment not yet deployed; rotating
 * keys would pull them from under the suites using them) and registry-conformance (creates
 * repositories and a user of its own, re-pushes tags).
 *
 * The jest parent process starts `up` in its global setup when a sharing suite is among the
 * files to run (e2e-sequencer.js records them) and runs `down` in its global teardown if the
 * sandbox suite did not; the suites find it through PLATFORM_E2E_SHARED_DIR, and e2e-reporter.js
 * marks when each suite starts and ends, which is when the sandbox suite may take it down.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { EnvironmentConfig } from "../../environments";
import type { Emulator } from "../../scripts/lib/emulator";
import { emulatorSdkConfig, localEnvironment } from "../../scripts/lib/local-run";
import { ensureToolchain, type Toolchain } from "../../scripts/lib/toolchain";
import { paths, SHARED_DIR_VARIABLE, SHARING_SUITES, type SharingSuite, type UpResult } from "./shared-sandbox-files";

const UP_TIMEOUT_MS = 600_000;

const sharedDir = () => {
  const dir = process.env[SHARED_DIR_VARIABLE];
  if (!dir) throw new Error(`${SHARED_DIR_VARIABLE} is not set: run the end-to-end suites with jest -c jest.e2e.config.js`);
  return dir;
};

export interface SharedSandbox {
  readonly env: EnvironmentConfig;
  /** PLATFORM_SANDBOX_DIR of the sandbox: sandbox.env, sandbox.json, the emulator's certificate. */
  readonly dir: string;
  readonly up: UpResult;
  /** What `source sandbox.env` exports, read the way bash reads it. */
  readonly exported: Record<string, string>;
  /** The emulator as the project's helpers take it (its own certificate); stop() is `down`'s, a no-op here. */
  readonly emulator: Emulator;
  /** AWS SDK options with the emulator's administrator credentials. */
  readonly sdk: ReturnType<typeof emulatorSdkConfig>;
  readonly toolchain: Toolchain;
  /** The app synthesized for this emulator by the main job (every stack's cdk.tf.json). */
  readonly outdir: string;
}

/** Reads a sandbox.env as bash would (`set -a; . file`). */
function sourced(file: string): Record<string, string> {
  const out = spawnSync("bash", ["-c", `set -a; . '${file}'; env -0`], { encoding: "utf8", env: { PATH: process.env.PATH ?? "" } }).stdout;
  return Object.fromEntries(
    out
      .split("\0")
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
}

/**
 * The shared sandbox once `up` has ended. Throws when `up` failed (with its output), so each
 * sharing suite fails in its setup, naming the cause, rather than testing nothing.
 */
export async function sharedSandbox(opts: { allowFailedUp?: boolean } = {}): Promise<SharedSandbox> {
  const p = paths(sharedDir());
  const deadline = Date.now() + UP_TIMEOUT_MS;
  while (!existsSync(p.up)) {
    if (Date.now() > deadline) throw new Error(`the shared sandbox did not come up within ${UP_TIMEOUT_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const up = JSON.parse(readFileSync(p.up, "utf8")) as UpResult;
  if (up.status !== 0 && !opts.allowFailedUp) throw new Error(`bash scripts/local.sh up failed (exit ${up.status}):\n${up.stderr.slice(-4000)}`);
  const envFile = join(p.sandbox, "sandbox.env");
  const exported = existsSync(envFile) ? sourced(envFile) : {};
  const caFile = join(p.sandbox, "cert.pem");
  const caPem = existsSync(caFile) ? readFileSync(caFile, "utf8") : "";
  const endpoint = exported.PLATFORM_EMULATOR_ENDPOINT ?? "";
  const emulator: Emulator = { endpoint, caPem, caFile, stop: async () => undefined };
  const env = localEnvironment(endpoint || undefined);
  return {
    env,
    dir: p.sandbox,
    up,
    exported,
    emulator,
    sdk: emulatorSdkConfig(emulator, env.region),
    toolchain: ensureToolchain("test"),
    outdir: join(p.sandbox, "bootstrap.out"),
  };
}

/**
 * Waits until every other sharing suite that has started has ended (e2e-reporter.js marks both
 * from the parent process, so a suite that fails to load, has no test left after a `-t` filter or
 * crashes still counts as ended). The sequencer dispatches every other sharing suite before the
 * sandbox suite (e2e-sequencer.js), so by then each of them has started.
 */
export async function othersReleased(self: SharingSuite, timeoutMs = UP_TIMEOUT_MS): Promise<void> {
  const p = paths(sharedDir());
  const others = SHARING_SUITES.filter((s) => s !== self);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const waiting = others.filter((s) => existsSync(p.started(s)) && !existsSync(p.finished(s)));
    if (waiting.length === 0) return;
    if (Date.now() > deadline) throw new Error(`still using the shared sandbox after ${timeoutMs / 1000} s: ${waiting.join(", ")}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
