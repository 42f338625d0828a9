/**
 * scripts/ecr-deploy.sh against recording stand-ins for docker, aws and tofu
 * on PATH (no Docker engine runs here). The stand-ins log their arguments and
 * what they read on stdin, and answer like the real tools.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const SCRIPT = resolve(__dirname, "..", "..", "scripts", "ecr-deploy.sh");
const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY";
const KEY_ID = "AKIAEXAMPLEECRUSER01";
const URL = "111111111111.dkr.ecr.us-east-1.amazonaws.com/shop-api-dev";

interface Setup {
  outputs?: Record<string, string>;
  failDocker?: "login" | "build" | "push";
  failAws?: boolean;
  without?: string[];
}

function run(setup: Setup, args = ["dev", "api"], env: Record<string, string> = {}) {
  const root = mkdtempSync(join(tmpdir(), "ecr-deploy-"));
  const bin = join(root, "bin");
  const log = join(root, "calls.log");
  mkdirSync(bin);
  mkdirSync(join(root, "cdktf.out", "stacks", "dev"), { recursive: true });
  mkdirSync(join(root, "app"));
  const outputs = setup.outputs ?? {
    api_repository_url: URL,
    region: "us-east-1",
    ecr_registry: "111111111111.dkr.ecr.us-east-1.amazonaws.com",
    image_tag_mutability: "MUTABLE",
    ecr_aws_access_key_id: KEY_ID,
    ecr_aws_secret_access_key: SECRET,
  };
  const tool = (name: string, body: string) => {
    if (setup.without?.includes(name)) return;
    writeFileSync(join(bin, name), `#!/usr/bin/env bash\necho "${name} $*" >> "${log}"\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  // Keys are outputs of the credentials stack only, as in the synthesized stacks; everything else of the environment's.
  const fromStack = (k: string) => (/_aws_(access_key_id|secret_access_key)$/.test(k) ? "*/dev-credentials" : "*/dev");
  const cases = Object.entries(outputs)
    .map(([k, v]) => `  ${k}) [[ "$1" == ${fromStack(k)} ]] || exit 1; printf '%s' '${v}';;`)
    .join("\n");
  tool("tofu", `[ "$2" = output ] || exit 1\ncase "$4" in\n${cases}\n  *) echo "Output not found" >&2; exit 1;;\nesac`);
  tool(
    "aws",
    `echo "aws env key=$AWS_ACCESS_KEY_ID secret-set=$([ "$AWS_SECRET_ACCESS_KEY" = "${SECRET}" ] && echo yes || echo no)" >> "${log}"\n${setup.failAws ? "echo 'An error occurred (AccessDeniedException)' >&2; exit 255" : "printf 'ecr-token-xyz'"}`,
  );
  for (const cli of ["docker", "podman"]) {
    tool(
      cli,
      `if [ "$1" = login ] || [ "$2" = login ]; then echo "${cli} stdin=$(cat)" >> "${log}"; ${setup.failDocker === "login" ? "echo 'dial tcp: lookup registry: no such host' >&2; exit 1" : "exit 0"}; fi\n[ "$1" = "${setup.failDocker ?? "none"}" ] && { echo "denied: 403 Forbidden" >&2; exit 1; }\nexit 0`,
    );
  }
  for (const t of ["bash", "env", "cat", "tr", "printf", "git", "dirname"]) {
    const found = spawnSync("bash", ["-c", `command -v ${t}`], { encoding: "utf8" }).stdout.trim();
    if (found && !existsSync(join(bin, t))) {
      writeFileSync(join(bin, t), `#!/bin/sh\nexec ${found} "$@"\n`);
      chmodSync(join(bin, t), 0o755);
    }
  }
  const result = spawnSync("bash", [SCRIPT, ...args], {
    cwd: root,
    encoding: "utf8",
    env: { PATH: bin, HOME: root, IMAGE_TAG: "abc1234", TF_BINARY: setup.without?.includes("tofu") ? "" : join(bin, "tofu"), ...env },
  });
  const calls = existsSync(log) ? readFileSync(log, "utf8").trim().split("\n") : [];
  return { code: result.status, out: result.stdout + result.stderr, calls };
}

describe("ecr-deploy.sh", () => {
  it("logs in with the ECR user's keys, builds with the commit and latest tags, pushes both", () => {
    const { code, out, calls } = run({});
    expect(code).toBe(0);
    expect(calls).toContain(`aws env key=${KEY_ID} secret-set=yes`);
    expect(calls).toContain("aws ecr get-login-password --region us-east-1");
    expect(calls).toContain("docker login --username AWS --password-stdin 111111111111.dkr.ecr.us-east-1.amazonaws.com");
    expect(calls).toContain("docker stdin=ecr-token-xyz");
    expect(calls).toContain(`docker build -t ${URL}:abc1234 -t ${URL}:latest .`);
    expect(calls.filter((c) => c.startsWith("docker push"))).toEqual([`docker push ${URL}:abc1234`, `docker push ${URL}:latest`]);
    expect(out).toContain("done:");
  });

  it("never prints the secret nor passes it on a command line", () => {
    const { out, calls } = run({});
    expect(out).not.toContain(SECRET);
    expect(calls.join("\n")).not.toContain(SECRET);
  });

  it("pushes no latest tag where tags are immutable", () => {
    const { code, out, calls } = run({
      outputs: {
        api_repository_url: URL,
        region: "eu-west-1",
        ecr_registry: "r",
        image_tag_mutability: "IMMUTABLE",
        ecr_aws_access_key_id: KEY_ID,
        ecr_aws_secret_access_key: SECRET,
      },
    });
    expect(code).toBe(0);
    expect(out).toContain("tags are immutable in dev: pushing abc1234 only, not latest");
    expect(calls.filter((c) => c.startsWith("docker push"))).toEqual([`docker push ${URL}:abc1234`]);
    expect(calls.some((c) => c.includes(":latest"))).toBe(false);
  });

  it("uses this shell's credentials when asked (OIDC in CI)", () => {
    const { code, calls } = run({}, ["dev", "api"], { ECR_USE_AMBIENT_CREDENTIALS: "1", AWS_ACCESS_KEY_ID: "ASIAROLESESSION" });
    expect(code).toBe(0);
    expect(calls).toContain("aws env key=ASIAROLESESSION secret-set=no");
    expect(calls.some((c) => c.includes("output -raw ecr_aws_secret_access_key"))).toBe(false);
  });

  it.each([
    [{ without: ["docker", "podman"] }, 3, /missing dependencies: docker/],
    [{ without: ["aws", "docker"] }, 3, /missing dependencies: aws docker/],
    [{ outputs: { region: "us-east-1" } }, 4, /no output api_repository_url .* is the environment deployed/],
    [{ failAws: true }, 6, /ecr:GetAuthorizationToken failed \(aws ecr get-login-password\).*npm run doctor -- explain dev/],
    [
      { failDocker: "login" as const },
      6,
      /docker login to 111111111111\.dkr\.ecr\.us-east-1\.amazonaws\.com failed after the token was issued \(ecr:GetAuthorizationToken succeeded\)/,
    ],
    [{ failDocker: "build" as const }, 7, /docker build failed/],
    [{ failDocker: "push" as const }, 8, /docker push of .*:abc1234 failed: 403 means the policy or the repository/],
  ])("fails clearly: %p -> exit %p", (setup, code, message) => {
    const r = run(setup);
    expect(r.code).toBe(code);
    expect(r.out).toMatch(message);
    expect(r.out).not.toContain(SECRET);
  });

  it("a login that fails after the token was issued names the login, not the token", () => {
    const { out } = run({ failDocker: "login" });
    expect(out).toContain("dial tcp: lookup registry: no such host");
    expect(out).not.toMatch(/may not get a registry token/);
  });

  it("takes the container CLI: --cli podman (or CONTAINER_CLI) runs podman for login, build and push", () => {
    const podman = run({ without: ["docker"] }, ["--cli", "podman", "dev", "api"], {
      CONTAINER_CLI_ARGS: "--storage-driver vfs",
      CONTAINER_CERT_DIR: "/certs",
    });
    expect(podman.code).toBe(0);
    expect(podman.calls).toContain(
      "podman --storage-driver vfs login --cert-dir /certs --username AWS --password-stdin 111111111111.dkr.ecr.us-east-1.amazonaws.com",
    );
    expect(podman.calls).toContain(`podman --storage-driver vfs build -t ${URL}:abc1234 -t ${URL}:latest .`);
    expect(podman.calls).toContain(`podman --storage-driver vfs push --cert-dir /certs ${URL}:abc1234`);
    expect(podman.calls.some((c) => c.startsWith("docker"))).toBe(false);
    expect(run({ without: ["docker"] }, ["dev", "api"], { CONTAINER_CLI: "podman" }).code).toBe(0);
    expect(run({}, ["--cli", "nerdctl", "dev", "api"]).code).toBe(2);
  });

  it("refuses an unknown environment and bad usage", () => {
    expect(run({}, ["qa", "api"]).out).toMatch(/no synthesized stack at cdktf.out\/stacks\/qa/);
    const usage = run({}, ["dev"]);
    expect(usage.code).toBe(2);
    expect(usage.out).toMatch(/usage: scripts\/ecr-deploy.sh \[--cli docker\|podman\] <env> <service>/);
  });
});
