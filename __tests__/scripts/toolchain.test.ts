/**
 * scripts/toolchain.sh decides, per machine, which engine cdktf drives and
 * where providers come from. Each case builds a machine: a PATH with stand-in
 * `tofu`/`terraform` executables that answer `version -json` as the real ones
 * do, a registry that answers (a loopback HTTP server) or not (a closed port),
 * and provider binaries named as releases name them. The script runs as is.
 */
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";

const SCRIPT = join(__dirname, "..", "..", "scripts", "toolchain.sh");
let root: string;
let registry: Server;
let registryUrl: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "toolchain-test-"));
  registry = createServer((_req, res) => res.end('{"providers.v1":"/v1/providers/"}'));
  await new Promise<void>((r) => registry.listen(0, "127.0.0.1", r));
  const address = registry.address();
  registryUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/.well-known/terraform.json`;
});

afterAll(async () => {
  await new Promise((r) => registry.close(r));
  rmSync(root, { recursive: true, force: true });
});

interface Machine {
  /** Engines on PATH: name -> version it reports. */
  readonly engines?: Record<string, string>;
  readonly registry: "answers" | "silent";
  readonly env?: Record<string, string>;
  /** The same machine again (its cache kept). */
  readonly home?: string;
}

let n = 0;
function executable(dir: string, name: string, body: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

function fakeEngine(dir: string, name: string, version: string): string {
  const banner = name === "tofu" ? `OpenTofu v${version}` : `Terraform v${version}`;
  return executable(
    dir,
    name,
    `if [ "$1" = version ] && [ "$2" = -json ]; then echo '{"terraform_version": "${version}", "platform": "linux_amd64"}'; else echo '${banner}'; fi`,
  );
}

/**
 * Runs the script on a machine; returns the toolchain.env it wrote (or its error) and the CLI
 * config. Asynchronous: the stand-in registry answers from this process.
 */
async function decide(machine: Machine): Promise<{ code: number | null; vars: Record<string, string>; log: string; cliConfig: string }> {
  const home = machine.home ?? join(root, `machine-${++n}`);
  const bin = join(home, "bin");
  mkdirSync(bin, { recursive: true });
  for (const [name, version] of Object.entries(machine.engines ?? {})) fakeEngine(bin, name, version);
  const cache = join(home, "cache");
  const child = spawn("bash", [SCRIPT, "engine"], {
    env: {
      // No /usr/local/bin (this machine's terraform) and no Go: only what the case puts there.
      PATH: `${bin}:/usr/bin:/bin`,
      HOME: home,
      PLATFORM_CACHE: cache,
      PLATFORM_REGISTRY_URL: machine.registry === "answers" ? registryUrl : "http://127.0.0.1:9/.well-known/terraform.json",
      ...machine.env,
    },
  });
  let stderr = "";
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  child.stdout.resume();
  const run = { status: await new Promise<number | null>((r) => child.on("close", r)), stderr };
  const envFile = join(cache, "toolchain-engine.env");
  const vars =
    run.status === 0 && existsSync(envFile)
      ? Object.fromEntries(
          readFileSync(envFile, "utf8")
            .split("\n")
            .filter((l) => l.includes("="))
            .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
        )
      : {};
  const cliConfig = vars.TF_CLI_CONFIG_FILE ? readFileSync(vars.TF_CLI_CONFIG_FILE, "utf8") : "";
  return { code: run.status, vars, log: run.stderr, cliConfig };
}

function providerBinary(name: string): string {
  return executable(join(root, "providers"), name, "exit 0");
}

describe("the engine cdktf drives", () => {
  it.each([
    ["tofu and terraform on PATH: OpenTofu", { tofu: "1.11.2", terraform: "1.14.0" }, {}, "tofu", "1.11.2"],
    ["only terraform on PATH: Terraform", { terraform: "1.11.4" }, {}, "terraform", "1.11.4"],
    ["an old tofu is passed over for a current terraform", { tofu: "1.8.0", terraform: "1.11.4" }, {}, "terraform", "1.11.4"],
    [
      "TERRAFORM_BINARY_NAME (cdktf's own variable) wins over PATH order",
      { tofu: "1.11.2", terraform: "1.12.0" },
      { TERRAFORM_BINARY_NAME: "terraform" },
      "terraform",
      "1.12.0",
    ],
  ] as const)("%s", async (_what, engines, env, name, version) => {
    const r = await decide({ engines, registry: "silent", env });
    expect({ code: r.code, name: r.vars.ENGINE_NAME, version: r.vars.ENGINE_VERSION, bin: r.vars.ENGINE_BIN?.endsWith(`/bin/${name}`) }).toEqual({
      code: 0,
      name,
      version,
      bin: true,
    });
  });

  it("an engine older than 1.10 (no S3 lock file) and no Go to build OpenTofu: refused, saying what to install", async () => {
    const r = await decide({ engines: { terraform: "1.9.8" }, registry: "silent" });
    expect(r.code).toBe(1);
    expect(r.log).toMatch(/terraform is version 1\.9\.8; at least 1\.10\.0 is needed/);
    expect(r.log).toMatch(/no Terraform engine: install Terraform or OpenTofu >= 1\.10\.0 \(or Go, to build OpenTofu\)/);
  });

  it("PLATFORM_TF_BINARY naming something that is not an engine is refused by name", async () => {
    const notAnEngine = executable(join(root, "junk"), "terraform", "echo hello");
    const r = await decide({ engines: { tofu: "1.11.2" }, registry: "silent", env: { PLATFORM_TF_BINARY: notAnEngine } });
    expect({ code: r.code, said: /PLATFORM_TF_BINARY=.* does not answer 'version -json'/.test(r.log) }).toEqual({ code: 1, said: true });
  });
});

describe("where providers come from", () => {
  it("the registry answers: the engine installs them itself (no CLI configuration, nothing mirrored)", async () => {
    const r = await decide({ engines: { terraform: "1.11.4" }, registry: "answers" });
    expect({ registry: r.vars.REGISTRY, aws: r.vars.AWS_PROVIDER_VERSION, github: r.vars.GITHUB_PROVIDER_VERSION, config: r.vars.TF_CLI_CONFIG_FILE }).toEqual({
      registry: "reachable",
      aws: "registry",
      github: "registry",
      config: "",
    });
  });

  it("the registry is silent: the hashicorp/aws binary given is mirrored, and nothing is fetched from anywhere else", async () => {
    const aws = providerBinary("terraform-provider-aws_v5.100.0_x5");
    const r = await decide({ engines: { terraform: "1.11.4" }, registry: "silent", env: { PLATFORM_AWS_PROVIDER: aws } });
    expect({ registry: r.vars.REGISTRY, aws: r.vars.AWS_PROVIDER_VERSION, github: r.vars.GITHUB_PROVIDER_VERSION }).toEqual({
      registry: "unreachable",
      aws: "5.100.0",
      github: "",
    });
    expect(r.cliConfig).toContain('include = ["registry.opentofu.org/hashicorp/aws", "registry.terraform.io/hashicorp/aws"]');
    expect(r.cliConfig).toContain('exclude = ["*/*/*"]');
  });

  it("a GitHub provider left in the cache by earlier work is not used; PLATFORM_GITHUB_PROVIDER is", async () => {
    const aws = providerBinary("terraform-provider-aws_v5.100.0_x5");
    const machine = { engines: { terraform: "1.11.4" }, registry: "silent" as const, env: { PLATFORM_AWS_PROVIDER: aws }, home: join(root, "reused") };
    await decide(machine);
    const leftover = join(machine.home, "cache", "providers");
    executable(leftover, "terraform-provider-github_v6.13.0", "exit 0");
    expect((await decide(machine)).vars.GITHUB_PROVIDER_VERSION).toBe("");
    const github = providerBinary("terraform-provider-github_v6.13.0");
    const named = await decide({ ...machine, env: { ...machine.env, PLATFORM_GITHUB_PROVIDER: github } });
    expect(named.vars.GITHUB_PROVIDER_VERSION).toBe("6.13.0");
    expect(named.cliConfig).toContain('"registry.terraform.io/integrations/github"');
    // What an engine copied into the shared plugin cache while the binary was named goes with it.
    const cached = join(machine.home, "cache", "plugin-cache", "registry.terraform.io", "integrations", "github", "6.13.0", "linux_amd64");
    executable(cached, "terraform-provider-github_v6.13.0", "exit 0");
    expect((await decide(machine)).vars.GITHUB_PROVIDER_VERSION).toBe("");
    expect(existsSync(join(machine.home, "cache", "plugin-cache", "registry.terraform.io", "integrations"))).toBe(false);
  });

  it("the registry answers and a GitHub binary is named: only that provider comes from the mirror", async () => {
    const github = providerBinary("terraform-provider-github_v6.13.0");
    const r = await decide({ engines: { tofu: "1.11.2" }, registry: "answers", env: { PLATFORM_GITHUB_PROVIDER: github } });
    expect({ aws: r.vars.AWS_PROVIDER_VERSION, github: r.vars.GITHUB_PROVIDER_VERSION }).toEqual({ aws: "registry", github: "6.13.0" });
    expect(r.cliConfig).toMatch(/direct \{\s+exclude = \["registry\.opentofu\.org\/integrations\/github", "registry\.terraform\.io\/integrations\/github"\]/);
  });
});
