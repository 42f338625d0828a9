/**
 * Where the shared sandbox (shared-sandbox.ts) keeps what the jest parent process and the
 * suites exchange. No project import: jest's global setup loads this before any test module.
 */
import { join } from "node:path";

/** The suites that use the shared sandbox, by file name. */
export const SHARING_SUITES = ["sandbox.test.ts", "registry.test.ts", "hcl-export.test.ts", "plan-role-calls.test.ts"] as const;
export type SharingSuite = (typeof SHARING_SUITES)[number];

export const SHARED_DIR_VARIABLE = "PLATFORM_E2E_SHARED_DIR";

export const paths = (dir: string) => ({
  /** PLATFORM_SANDBOX_DIR of `local.sh up`. */
  sandbox: join(dir, "sandbox"),
  /** `up`'s exit status, output and duration, written when it ends. */
  up: join(dir, "up.json"),
  /** Written by e2e-reporter.js in the parent process when a test file starts and when it ends, whatever happened in it. */
  started: (suite: string) => join(dir, "started", suite),
  finished: (suite: string) => join(dir, "finished", suite),
});

export interface UpResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}
