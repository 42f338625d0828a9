/**
 * The main job as a sandbox: `local.sh up` leaves the emulator and the
 * deployed environment running and writes the exports; the AWS SDK, the
 * online doctor and every command the banner offers work against it with
 * them; `down` leaves nothing running. The sandbox is the one the other
 * sharing suites use (support/shared-sandbox.ts): this suite runs last, and
 * takes it down once they have released it.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { DescribeRepositoriesCommand, ECRClient } from "@aws-sdk/client-ecr";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { Agent } from "node:https";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { ecrUserName, repositoryName } from "../../environments/naming";
import { localEnvironment } from "../../scripts/lib/local-run";
import { PROJECT_ROOT } from "../../scripts/lib/toolchain";
import { plainText } from "../support/cli-text";
import { othersReleased, sharedSandbox, type SharedSandbox } from "../support/shared-sandbox";

const env = localEnvironment();
let sandbox: SharedSandbox;
let dir: string;
/** `bash scripts/local.sh <args>`, as typed (the script the README names). */
const node = (args: string[], extraEnv: Record<string, string> = {}) =>
  spawnSync("bash", [join(PROJECT_ROOT, "scripts", "local.sh"), ...args], {
    env: { ...process.env, PLATFORM_SANDBOX_DIR: dir, ...extraEnv },
    encoding: "utf8",
    timeout: 280_000,
  });

let up: SharedSandbox["up"];
let exported: Record<string, string>;

beforeAll(async () => {
  sandbox = await sharedSandbox({ allowFailedUp: true });
  ({ dir, up, exported } = sandbox);
}, 660_000);

describe("bash scripts/local.sh up", () => {
  it("deploys, leaves the emulator running and says what to source, printing no secret", () => {
    expect({ status: up.status, tail: up.status === 0 ? "" : up.stderr.slice(-2000) }).toEqual({ status: 0, tail: "" });
    expect(up.stdout).toMatch(/The sandbox is up \(emulator pid \d+\)/);
    expect(up.stdout).toContain(`source ${join(dir, "sandbox.env")}`);
    expect(up.stderr).toMatch(/\[local\] bootstrap apply: [\d.]+ s/);
    expect(up.stderr).toMatch(/\[local\] bootstrap state moved into s3:\/\//);
    expect(up.stdout + up.stderr).not.toMatch(/\[ERROR\]|NodeVersionSupportWarning/);
    expect(exported.AWS_SECRET_ACCESS_KEY).toMatch(/^\S{20,}$/);
    expect(up.stdout + up.stderr).not.toContain(exported.AWS_SECRET_ACCESS_KEY);
    expect(statSync(join(dir, "sandbox.env")).mode & 0o077).toBe(0);
    // Any OCI client can push there: the registry stand-in's host:port, and the proxy for the real registry host.
    expect(exported.ECR_REGISTRY_ENDPOINT).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(exported.HTTPS_PROXY).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  const sdk = () => ({
    region: exported.AWS_REGION,
    endpoint: exported.AWS_ENDPOINT_URL,
    credentials: { accessKeyId: exported.AWS_ACCESS_KEY_ID, secretAccessKey: exported.AWS_SECRET_ACCESS_KEY },
    requestHandler: new NodeHttpHandler({ httpsAgent: new Agent({ ca: readFileSync(exported.AWS_CA_BUNDLE, "utf8") }) }),
  });

  it("the exports authenticate as the chosen identity, which sees its repositories", async () => {
    expect((await new STSClient(sdk()).send(new GetCallerIdentityCommand({}))).Arn).toBe(`arn:aws:iam::${env.accountId}:user/${ecrUserName(env)}`);
    const names = env.services.map((s) => repositoryName(env, s));
    const { repositories } = await new ECRClient(sdk()).send(new DescribeRepositoriesCommand({ repositoryNames: names }));
    expect(repositories!.map((r) => r.repositoryName).sort()).toEqual(names.sort());
  });

  it("the online doctor passes with nothing but the exports", () => {
    const doctor = spawnSync(process.execPath, [join(PROJECT_ROOT, "dist", "scripts", "doctor.js"), env.name, "--online"], {
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...exported },
      encoding: "utf8",
    });
    expect({ status: doctor.status, out: doctor.status === 0 ? "" : doctor.stdout }).toEqual({ status: 0, out: "" });
    expect(doctor.stdout).toMatch(/dry push step .*\s+ok\s+allowed/);
  });

  it("every command the banner offers works as printed, with nothing but the exports (cdktf diff: no changes)", () => {
    const banner = up.stdout.split("\n");
    const hints = banner
      .slice(
        banner.indexOf("then, as against AWS:") + 1,
        banner.findIndex((l) => l.startsWith("Stop it with:")),
      )
      .map((l) => l.trim());
    expect(hints.length).toBeGreaterThanOrEqual(4);
    for (const hint of hints) {
      const run = spawnSync("bash", ["-c", hint], {
        cwd: PROJECT_ROOT,
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...exported },
        encoding: "utf8",
      });
      expect({ hint, status: run.status, out: run.status === 0 ? "" : `${run.stdout}${run.stderr}`.slice(-3000) }).toEqual({ hint, status: 0, out: "" });
      const printed = plainText(`${run.stdout}${run.stderr}`);
      expect(printed).not.toMatch(/\[ERROR\]|Warning:/);
      expect(printed).not.toContain(exported.AWS_SECRET_ACCESS_KEY);
      if (hint.startsWith("npx cdktf diff")) expect(printed).toMatch(/No changes\. Your infrastructure matches the configuration/);
    }
  });

  it("down stops the emulator and removes the sandbox; a second down is a no-op", async () => {
    await othersReleased("sandbox.test.ts");
    const { pid } = JSON.parse(readFileSync(join(dir, "sandbox.json"), "utf8")) as { pid: number };
    expect(node(["down"]).status).toBe(0);
    expect(() => process.kill(pid, 0)).toThrow();
    expect(existsSync(join(dir, "sandbox.json"))).toBe(false);
    const again = node(["down"]);
    expect([again.status, again.stderr]).toEqual([0, expect.stringContaining("no sandbox is running")]);
  }, 660_000);

  it("refuses bad usage with exit 2", () => {
    for (const args of [["sideways"], ["up", "--as", "root"], ["down", "now"]]) expect(node(args).status).toBe(2);
  });
});
