/**
 * jest globalSetup and globalTeardown of the end-to-end suites (jest.e2e.config.js): the shared
 * sandbox of shared-sandbox.ts, from the jest parent process. `up` starts here, without being
 * awaited, when a sharing suite is among the files to run; the parent keeps scheduling test files
 * meanwhile. Teardown runs `down` if the sandbox suite did not (and so does an abnormal exit).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { paths, SHARED_DIR_VARIABLE, SHARING_SUITES } from "./shared-sandbox-files";

const LOCAL_SH = resolve(__dirname, "..", "..", "scripts", "local.sh");
const parentKey = Symbol.for("platform.e2e.shared-sandbox");
const plannedKey = Symbol.for("platform.e2e.planned-tests");
interface ParentState {
  readonly dir: string;
  up?: Promise<void>;
}
type GlobalSlots = { [parentKey]?: ParentState; [plannedKey]?: string[] };

const localSh = (args: string[], dir: string) => ({
  args: [LOCAL_SH, ...args],
  env: { ...process.env, PLATFORM_SANDBOX_DIR: paths(dir).sandbox },
});

/** Far longer than `up` takes (75 s idle, 150 s beside the suites): a wedged `up` fails the run instead of hanging it. */
const UP_DEADLINE_MS = 900_000;
let upChild: ChildProcess | undefined;

function bringUp(dir: string): Promise<void> {
  const began = Date.now();
  const { args, env } = localSh(["up", "--as", "ecr-user"], dir);
  return new Promise((done) => {
    // Its own process group, so that a deadline or an interrupt stops the engines it started too.
    const child = spawn("bash", args, { env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    upChild = child;
    const deadline = setTimeout(() => {
      stderr += `\n[e2e] local.sh up did not end within ${UP_DEADLINE_MS / 1000} s: stopped\n`;
      stopGroup(child);
    }, UP_DEADLINE_MS);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    let finished = false;
    const finish = (status: number | null) => {
      if (finished) return;
      finished = true;
      clearTimeout(deadline);
      upChild = undefined;
      writeFileSync(paths(dir).up, JSON.stringify({ status, stdout, stderr, seconds: (Date.now() - began) / 1000 }));
      done();
    };
    child.on("error", (e) => ((stderr += String(e)), finish(127)));
    child.on("close", finish);
  });
}

function stopGroup(child: ChildProcess): void {
  try {
    if (child.pid) process.kill(-child.pid, "SIGTERM");
  } catch {
    // already gone
  }
}

/** Synchronous, so that it also runs on an abnormal exit of the parent process. */
function downIfUp(dir: string): void {
  if (!existsSync(join(paths(dir).sandbox, "sandbox.json"))) return;
  const { args, env } = localSh(["down"], dir);
  spawnSync("bash", args, { env, stdio: "ignore", timeout: 120_000 });
}

export default function globalSetup(): void {
  const slots = globalThis as GlobalSlots;
  const dir = mkdtempSync(join(tmpdir(), "e2e-shared-"));
  process.env[SHARED_DIR_VARIABLE] = dir;
  const planned = slots[plannedKey] ?? [];
  const state: ParentState = { dir };
  slots[parentKey] = state;
  if (planned.some((f) => (SHARING_SUITES as readonly string[]).includes(basename(f)))) state.up = bringUp(dir);
  process.once("exit", () => downIfUp(dir));
  // Ctrl-C or a cancelled CI job: the sandbox's emulator and registry stand-in run detached, so they are stopped here.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      if (upChild) stopGroup(upChild);
      downIfUp(dir);
      process.exit(130);
    });
  }
}

export async function teardown(): Promise<void> {
  const state = (globalThis as GlobalSlots)[parentKey];
  if (!state) return;
  await state.up;
  downIfUp(state.dir);
  rmSync(state.dir, { recursive: true, force: true });
}
