/** `node dist/scripts/doctor.js <env> --online` against an emulator, with nothing but the given keys. */
import { spawn } from "node:child_process";
import { join } from "node:path";
import type { EnvironmentConfig } from "../../environments";
import type { Emulator } from "../../scripts/lib/emulator";
import { PROJECT_ROOT } from "../../scripts/lib/toolchain";

export function doctorOnline(
  env: EnvironmentConfig,
  emulator: Pick<Emulator, "endpoint" | "caFile">,
  keys: { accessKeyId: string; secretAccessKey: string },
): Promise<{ code: number | null; stdout: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [join(PROJECT_ROOT, "dist", "scripts", "doctor.js"), env.name, "--online", "--endpoint", emulator.endpoint], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_EXTRA_CA_CERTS: emulator.caFile,
        PLATFORM_EMULATOR_ENDPOINT: emulator.endpoint,
        AWS_ACCESS_KEY_ID: keys.accessKeyId,
        AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
        AWS_REGION: env.region,
      },
    });
    let stdout = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.on("close", (code) => done({ code, stdout }));
  });
}
