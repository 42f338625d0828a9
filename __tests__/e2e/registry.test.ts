/**
 * Images pushed and pulled for real: the `local` environment deployed into
 * the emulator, the ECR registry stand-in before Debian's docker-registry,
 * podman and skopeo as the clients, each identity with its own ECR token.
 * Every registry request is decided by the stand-in from what is deployed;
 * the scenarios assert the allow or deny of each, and the doctor explains
 * each failure from the exact text the client printed.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateRepositoryCommand,
  DescribeImagesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  ListImagesCommand,
  PutLifecyclePolicyCommand,
} from "@aws-sdk/client-ecr";
import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GetRoleCommand,
  IAMClient,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from "@aws-sdk/client-iam";
import { renderLifecyclePolicy, standardLifecycleRules } from "../../constructs/lifecycle-policy";
import { ENVIRONMENTS, loadEnvironments } from "../../environments";
import { runLifecyclePreview } from "../../scripts/lifecycle-preview";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { AssumeRoleCommand, AssumeRoleWithWebIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { githubSubject } from "../../constructs/github-oidc";
import { ECR_AUTH_ACTIONS, ECR_PULL_ACTIONS, ECR_PUSH_ACTIONS } from "../../constructs/ecr-actions";
import {
  credentialsStackName,
  deployRoleArn,
  ecrUserName,
  GITHUB_OIDC_AUDIENCE,
  githubOidcProviderArn,
  githubRepositoryRef,
  keyParameterLeaves,
  registryHost,
  repositoryArn,
  repositoryName,
  runtimePullRoleName,
  s3UserName,
  ssmPath,
} from "../../environments/naming";
import { runExplainDoctor } from "../../scripts/doctor";
import { startRegistry, type Registry, type RegistryDecision } from "../../scripts/emulator/registry";
import { simulateWebIdentity } from "../../scripts/lib/simulator";
import { PROJECT_ROOT } from "../../scripts/lib/toolchain";
import { prepareStackWorkdir } from "../../scripts/lib/tofu";
import { testEngine } from "../support/test-engine";
import { emulatorAwsEnv } from "../../scripts/lib/local-run";
import { sharedSandbox, type SharedSandbox } from "../support/shared-sandbox";
import { ociWorkspace, run, type OciWorkspace } from "../support/oci-clients";

type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

let local: SharedSandbox;
let registry: Registry;
let oci: OciWorkspace;
let work: string;
/** The stand-in's clock runs this far ahead of the real one (token expiry). */
let clockAhead = 0;
const tokens: Record<string, string> = {};
const credentials: Record<string, Credentials> = {};
const figures: { scenario: string; allowed: number; denied: number; challenged: number; pushSeconds?: Record<string, number> }[] = [];

/** Refusals of the stand-in, leaving out the unauthenticated first ping every client makes (401 with the Basic challenge). */
const denials = (ds: readonly RegistryDecision[]) => ds.filter((d) => !d.allowed && d.action !== "challenge");

const env = () => local.env;
const host = () => registryHost(env());
const ref = (service: string, tag: string) =>
  `${host()}/${repositoryName(
    env(),
    env().services.find((s) => s.name === service)!,
  )}:${tag}`;
const repoOf = (service: string) =>
  repositoryName(
    env(),
    env().services.find((s) => s.name === service)!,
  );
const sdkAs = (c: Credentials) => ({ ...local.sdk, credentials: c });

/** Decisions made while `fn` ran, and their counts, recorded under the scenario's name. */
async function scenario<T>(name: string, fn: () => Promise<T>): Promise<{ result: T; decisions: RegistryDecision[] }> {
  const from = registry.decisions.length;
  const result = await fn();
  const decisions = registry.decisions.slice(from);
  const challenged = decisions.filter((d) => d.action === "challenge").length;
  const denied = denials(decisions).length;
  figures.push({ scenario: name, allowed: decisions.length - denied - challenged, denied, challenged });
  return { result, decisions };
}

/** The ECR token of an identity, as `aws ecr get-login-password` prints it (AWS CLI v1 against the emulator). */
async function loginPassword(c: Credentials) {
  return run("aws", ["ecr", "get-login-password", "--endpoint-url", local.emulator.endpoint, "--region", env().region], {
    env: {
      AWS_ACCESS_KEY_ID: c.accessKeyId,
      AWS_SECRET_ACCESS_KEY: c.secretAccessKey,
      AWS_SESSION_TOKEN: c.sessionToken ?? "",
      AWS_CA_BUNDLE: registry.caFile,
      AWS_CONFIG_FILE: "/dev/null",
      AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    },
  });
}

async function podmanLogin(as: string) {
  const r = await oci.podman(["login", "--cert-dir", oci.certDir, "--username", "AWS", "--password-stdin", host()], as, tokens[as]);
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
}

async function build(tag: string, content: string) {
  const r = await oci.podman(["build", "--quiet", "--tag", tag, oci.context(tag.replace(/[^a-z0-9]/g, "-"), content)]);
  expect({ code: r.code, stderr: r.stderr.split("\n").filter((l) => /error/i.test(l)) }).toEqual({ code: 0, stderr: [] });
}

const push = (as: string, image: string, digestFile?: string) =>
  oci.podman(["push", "--cert-dir", oci.certDir, ...(digestFile ? ["--digestfile", digestFile] : []), image], as);
const pull = (as: string, image: string) => oci.podman(["pull", "--cert-dir", oci.certDir, image], as);

function doctorExplain(text: string): { code: number; text: string } {
  let out = "";
  const code = runExplainDoctor([env().name, text], (s) => (out += s));
  return { code, text: out };
}

const actionsOf = (ds: readonly RegistryDecision[], allowed: boolean) =>
  [...new Set((allowed ? ds.filter((d) => d.allowed) : denials(ds)).map((d) => d.action))].sort();

beforeAll(async () => {
  local = await sharedSandbox();
  // The operator commands see the emulator's `local` environment when this names the emulator, as in the sandbox.
  process.env.PLATFORM_EMULATOR_ENDPOINT = local.emulator.endpoint;
  registry = await startRegistry({ emulator: local.emulator, region: local.env.region, clock: () => Date.now() + clockAhead });
  work = mkdtempSync(join(tmpdir(), "registry-clients-"));
  oci = ociWorkspace(work, registry);
  const ssm = new SSMClient(local.sdk);
  const keys = async (user: "ecr" | "s3") => {
    const leaves = keyParameterLeaves(user);
    const read = async (leaf: string) => (await ssm.send(new GetParameterCommand({ Name: ssmPath(env(), leaf), WithDecryption: true }))).Parameter!.Value!;
    return { accessKeyId: await read(leaves.accessKeyId), secretAccessKey: await read(leaves.secretAccessKey) };
  };
  credentials.ecr = await keys("ecr");
  credentials.s3 = await keys("s3");
}, 660_000);

afterAll(async () => {
  delete process.env.PLATFORM_EMULATOR_ENDPOINT;
  await registry?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
  const report = join(PROJECT_ROOT, ".e2e");
  mkdirSync(report, { recursive: true });
  writeFileSync(join(report, "registry.json"), JSON.stringify({ deploySeconds: local?.up.seconds, scenarios: figures }, null, 2));
  process.stderr.write(
    `registry scenarios: ${figures.map((f) => `${f.scenario}: ${f.allowed} allowed, ${f.denied} denied, ${f.challenged} challenged${f.pushSeconds ? ` ${JSON.stringify(f.pushSeconds)}` : ""}`).join("; ")}\n`,
  );
}, 120_000);

describe("ECR's authentication against the stand-in", () => {
  it("get-login-password (CLI and SDK) gives the ECR user a 12-hour token bound to it", async () => {
    const cli = await loginPassword(credentials.ecr);
    expect({ code: cli.code, stderr: cli.stderr }).toEqual({ code: 0, stderr: "" });
    tokens.ecr = cli.stdout.trim();
    const sdk = await new ECRClient(sdkAs(credentials.ecr)).send(new GetAuthorizationTokenCommand({}));
    const data = sdk.authorizationData![0];
    expect((data.expiresAt!.getTime() - Date.now()) / 3_600_000).toBeCloseTo(12, 1);
    expect(data.proxyEndpoint).toBe(`https://${host()}`);
    const [user, password] = Buffer.from(data.authorizationToken!, "base64").toString().split(":");
    expect(user).toBe("AWS");
    const claims = JSON.parse(Buffer.from(password.split(".")[0], "base64url").toString());
    expect(claims.p).toBe(`arn:aws:iam::${env().accountId}:user/${ecrUserName(env())}`);
  });

  it("the S3 user's get-login-password is refused with ECR's AccessDeniedException, and the doctor names the mix-up", async () => {
    const r = await loginPassword(credentials.s3);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(
      `An error occurred (AccessDeniedException) when calling the GetAuthorizationToken operation: User: arn:aws:iam::${env().accountId}:user/${s3UserName(env())} is not authorized to perform: ecr:GetAuthorizationToken on resource: * because no identity-based policy allows the ecr:GetAuthorizationToken action`,
    );
    const doctor = doctorExplain(r.stderr);
    expect(doctor.code).toBe(0);
    expect(doctor.text).toContain(`identity: local's s3-user (${s3UserName(env())})`);
    expect(doctor.text).toMatch(/cause: .*may not call ecr:GetAuthorizationToken.*S3 user's keys/);
    expect(doctor.text).toMatch(/fix: .*ECR user's keys/);
    // Without a token the S3 user's push never reaches a repository: the registry refuses it unauthenticated.
    const { result: pushed, decisions } = await scenario("s3-user push without a login", async () => {
      await build(ref("api", "s3-user"), "s3 user");
      return push("s3", ref("api", "s3-user"));
    });
    expect(pushed.code).not.toBe(0);
    expect(decisions.length).toBeGreaterThan(0);
    expect(decisions.filter((d) => d.allowed || d.status !== 401)).toEqual([]);
    expect(doctorExplain(pushed.stderr).text).toMatch(/cause: .*no valid ECR login/);
  });

  it("a token from another issuer is refused with 401 before any repository is looked at", async () => {
    const forged = Buffer.from(
      `AWS:${Buffer.from(JSON.stringify({ p: "arn:aws:iam::123456789012:root", a: "123456789012", exp: 4e9 })).toString("base64url")}.AAAA`,
    ).toString("base64");
    const r = await run("curl", [
      "-sS",
      "-o",
      "/dev/null",
      "-w",
      "%{http_code}",
      "--cacert",
      registry.registryCaFile,
      "-H",
      `Authorization: Basic ${forged}`,
      `${registry.endpoint}/v2/`,
    ]);
    expect(r.stdout).toBe("401");
  });
});

describe("pushes and pulls by identity", () => {
  it("the ECR user pushes api and worker with podman; every request allowed; describe-images and list-images show them", async () => {
    await podmanLogin("ecr");
    const pushSeconds: Record<string, number> = {};
    const { decisions } = await scenario("ecr-user podman push api+worker", async () => {
      for (const service of ["api", "worker"]) {
        await build(ref(service, "v1"), `${service} v1`);
        const r = await push("ecr", ref(service, "v1"), join(work, `${service}.digest`));
        expect({ code: r.code, stderr: r.stderr.slice(-1500) }).toEqual({ code: 0, stderr: expect.any(String) });
        pushSeconds[service] = r.ms / 1000;
      }
    });
    figures[figures.length - 1].pushSeconds = pushSeconds;
    expect(denials(decisions)).toEqual([]);
    expect(actionsOf(decisions, true)).toEqual(
      expect.arrayContaining(["ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload", "ecr:CompleteLayerUpload", "ecr:PutImage"]),
    );
    const ecr = new ECRClient(local.sdk);
    for (const service of ["api", "worker"]) {
      const { imageDetails } = await ecr.send(new DescribeImagesCommand({ repositoryName: repoOf(service) }));
      const pushed = readFileSync(join(work, `${service}.digest`), "utf8").trim();
      expect(imageDetails!.map((d) => [d.imageDigest, d.imageTags])).toEqual([[pushed, ["v1"]]]);
      const { imageIds } = await ecr.send(new ListImagesCommand({ repositoryName: repoOf(service) }));
      expect(imageIds).toEqual([{ imageDigest: pushed, imageTag: "v1" }]);
    }
  });

  it("skopeo (a second client) pushes and pulls as the ECR user", async () => {
    const archive = join(work, "worker-v2.tar");
    await build(ref("worker", "v2"), "worker v2");
    expect((await oci.podman(["save", "--format", "oci-archive", "-o", archive, ref("worker", "v2")])).code).toBe(0);
    const creds = `AWS:${tokens.ecr}`;
    const { result, decisions } = await scenario("ecr-user skopeo push+pull worker", async () => {
      const pushed = await oci.skopeo([
        "copy",
        "--dest-cert-dir",
        oci.certDir,
        "--dest-creds",
        creds,
        `oci-archive:${archive}`,
        `docker://${ref("worker", "v2")}`,
      ]);
      const pulled = await oci.skopeo([
        "copy",
        "--src-cert-dir",
        oci.certDir,
        "--src-creds",
        creds,
        `docker://${ref("worker", "v2")}`,
        `oci:${join(work, "pulled")}:v2`,
      ]);
      return { pushed, pulled };
    });
    expect([result.pushed.code, result.pushed.stderr]).toEqual([0, ""]);
    expect([result.pulled.code, result.pulled.stderr]).toEqual([0, ""]);
    expect(denials(decisions)).toEqual([]);
    expect(actionsOf(decisions, true)).toEqual(expect.arrayContaining(["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:PutImage"]));
  });

  it("re-pushing a tag in an IMMUTABLE repository gets ECR's TAG_INVALID, and the doctor says to use a new tag", async () => {
    expect(env().ecr.tagMutability).toBe("IMMUTABLE");
    await build(ref("api", "v1"), "api v1, rebuilt differently");
    const { result, decisions } = await scenario("ecr-user re-push of an immutable tag", () => push("ecr", ref("api", "v1")));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      `tag invalid: The image tag 'v1' already exists in the '${repoOf("api")}' repository and cannot be overwritten because the repository is immutable.`,
    );
    expect(denials(decisions).map((d) => [d.action, d.status, d.code])).toContainEqual(["ecr:PutImage", 400, "TAG_INVALID"]);
    expect(doctorExplain(result.stderr).text).toMatch(/cause: .*tags are immutable[\s\S]*fix: .*new tag/);
  });

  it("the deploy role, assumed with a GitHub-shaped OIDC token carrying the immutable subject, pushes", async () => {
    const sub = githubSubject(
      githubRepositoryRef(env()),
      env().github.deployFrom.kind === "branch"
        ? { kind: "branch", name: env().github.deployFrom.name }
        : { kind: "environment", name: env().github.deployFrom.name },
    );
    expect(sub).toMatch(/^repo:[^/]+@\d+\/[^:]+@\d+:/);
    const iam = new IAMClient(local.sdk);
    const trust = JSON.parse(
      decodeURIComponent((await iam.send(new GetRoleCommand({ RoleName: deployRoleArn(env()).split("/").pop()! }))).Role!.AssumeRolePolicyDocument!),
    );
    // The emulator does not evaluate trust policies; the deployed one is evaluated here with the token's claims.
    expect(
      simulateWebIdentity(trust, deployRoleArn(env()), githubOidcProviderArn(env()), {
        "token.actions.githubusercontent.com:sub": sub,
        "token.actions.githubusercontent.com:aud": GITHUB_OIDC_AUDIENCE,
      }).decision,
    ).toBe("Allowed");
    const jwt = [
      { alg: "RS256", typ: "JWT" },
      { iss: "https://token.actions.githubusercontent.com", sub, aud: GITHUB_OIDC_AUDIENCE, exp: Math.floor(Date.now() / 1000) + 300 },
    ]
      .map((p) => Buffer.from(JSON.stringify(p)).toString("base64url"))
      .concat("signature")
      .join(".");
    const { Credentials: c } = await new STSClient(local.sdk).send(
      new AssumeRoleWithWebIdentityCommand({ RoleArn: deployRoleArn(env()), RoleSessionName: "github-actions", WebIdentityToken: jwt }),
    );
    credentials.deploy = { accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken! };
    const token = await loginPassword(credentials.deploy);
    expect(token.code).toBe(0);
    tokens.deploy = token.stdout.trim();
    await podmanLogin("deploy");
    await build(ref("api", "v2"), "api v2 from CI");
    const { result, decisions } = await scenario("deploy-role podman push api", () => push("deploy", ref("api", "v2")));
    figures[figures.length - 1].pushSeconds = { api: result.ms / 1000 };
    expect([result.code, result.stderr.split("\n").filter((l) => /denied|error/i.test(l))]).toEqual([0, []]);
    expect(denials(decisions)).toEqual([]);
    expect(new Set(decisions.filter((d) => d.action !== "authenticate" && d.action !== "challenge").map((d) => d.principal))).toEqual(
      new Set([`arn:aws:sts::${env().accountId}:assumed-role/${deployRoleArn(env()).split("/").pop()}/github-actions`]),
    );
  });

  it("the runtime pull role pulls; its push is denied with ECR's 403 naming it, and the doctor says it is pull-only", async () => {
    const { Credentials: c } = await new STSClient(local.sdk).send(
      new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${env().accountId}:role/${runtimePullRoleName(env())}`, RoleSessionName: "ecs-task" }),
    );
    credentials.pull = { accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken! };
    tokens.pull = (await loginPassword(credentials.pull)).stdout.trim();
    await podmanLogin("pull");
    await oci.podman(["rmi", ref("api", "v1"), ref("api", "v2")]);
    const { result: pulled, decisions: pullDecisions } = await scenario("runtime-pull-role podman pull api", () => pull("pull", ref("api", "v2")));
    expect([pulled.code, pulled.stderr.split("\n").filter((l) => /denied|error/i.test(l))]).toEqual([0, []]);
    expect(denials(pullDecisions)).toEqual([]);
    await build(ref("api", "from-runtime"), "not allowed");
    const { result: pushed, decisions } = await scenario("runtime-pull-role podman push api", () => push("pull", ref("api", "from-runtime")));
    expect(pushed.code).not.toBe(0);
    const principal = `arn:aws:sts::${env().accountId}:assumed-role/${runtimePullRoleName(env())}/ecs-task`;
    expect(pushed.stderr).toContain(
      `denied: User: ${principal} is not authorized to perform: ecr:InitiateLayerUpload on resource: ${repositoryArn(env(), repoOf("api"))} because no identity-based policy allows the ecr:InitiateLayerUpload action`,
    );
    expect(actionsOf(decisions, false)).toEqual(["ecr:InitiateLayerUpload"]);
    const doctor = doctorExplain(pushed.stderr);
    expect(doctor.text).toContain(`identity: local's runtime-pull-role (${runtimePullRoleName(env())})`);
    expect(doctor.text).toMatch(/cause: .*may pull from .* but never push[\s\S]*fix: .*ECR user's keys or the deploy role/);
  });

  it("the cross-account principal pulls with skopeo through the repository policy; its push is denied", async () => {
    const foreign = env().ecr.crossAccountPullPrincipals[0];
    const sts = new STSClient(local.sdk);
    const admin = (await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${foreign}:role/admin`, RoleSessionName: "setup" }))).Credentials!;
    const adminCreds = { accessKeyId: admin.AccessKeyId!, secretAccessKey: admin.SecretAccessKey!, sessionToken: admin.SessionToken! };
    const iam = new IAMClient(sdkAs(adminCreds));
    // The other account's own side: a role whose identity policy allows pulling from this environment's repositories.
    await iam.send(new CreateRoleCommand({ RoleName: "image-puller", AssumeRolePolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [] }) }));
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: "image-puller",
        PolicyName: "pull-from-partner",
        PolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Action: [...ECR_AUTH_ACTIONS], Resource: "*" },
            {
              Effect: "Allow",
              Action: [...ECR_PULL_ACTIONS, ...ECR_PUSH_ACTIONS],
              Resource: env().services.map((s) => repositoryArn(env(), repositoryName(env(), s))),
            },
          ],
        }),
      }),
    );
    const c = (
      await new STSClient(sdkAs(adminCreds)).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${foreign}:role/image-puller`, RoleSessionName: "partner" }))
    ).Credentials!;
    credentials.foreign = { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
    const token = await loginPassword(credentials.foreign);
    expect([token.code, token.stderr]).toEqual([0, ""]);
    const creds = `AWS:${token.stdout.trim()}`;
    const { result: pulled, decisions: pullDecisions } = await scenario("cross-account skopeo pull api", () =>
      oci.skopeo(["copy", "--src-cert-dir", oci.certDir, "--src-creds", creds, `docker://${ref("api", "v2")}`, `oci:${join(work, "partner")}:v2`]),
    );
    expect([pulled.code, pulled.stderr]).toEqual([0, ""]);
    expect(denials(pullDecisions)).toEqual([]);
    const archive = join(work, "partner.tar");
    await build(ref("api", "partner"), "partner push");
    expect((await oci.podman(["save", "--format", "oci-archive", "-o", archive, ref("api", "partner")])).code).toBe(0);
    const { result: pushed, decisions } = await scenario("cross-account skopeo push api", () =>
      oci.skopeo(["copy", "--dest-cert-dir", oci.certDir, "--dest-creds", creds, `oci-archive:${archive}`, `docker://${ref("api", "partner")}`]),
    );
    expect(pushed.code).not.toBe(0);
    expect(pushed.stderr).toMatch(
      /denied: User: arn:aws:sts::444455556666:assumed-role\/image-puller\/partner is not authorized to perform: ecr:InitiateLayerUpload on resource: \S+ because no resource-based policy allows the ecr:InitiateLayerUpload action/,
    );
    expect(actionsOf(decisions, false)).toEqual(["ecr:InitiateLayerUpload"]);
    const doctor = doctorExplain(pushed.stderr);
    expect(doctor.text).toMatch(/identity: a principal of account 444455556666/);
    expect(doctor.text).toMatch(/cause: .*never push/);
  });

  it("an expired token gets ECR's 'Reauthenticate' answer, and the doctor's first advice is to log in again", async () => {
    clockAhead = 12 * 3_600_000 + 60_000;
    try {
      const { result, decisions } = await scenario("ecr-user pull with a 12-hour-old token", () => pull("ecr", ref("worker", "v1")));
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain("Your authorization token has expired. Reauthenticate and try again.");
      expect(denials(decisions).length).toBeGreaterThan(0);
      expect(denials(decisions).every((d) => d.action === "authenticate" && d.status === 403 && d.code === "expired")).toBe(true);
      const doctor = doctorExplain(result.stderr);
      expect(doctor.text).toMatch(/cause: .*older than 12 hours[\s\S]*fix: +log in again.*get-login-password/);
    } finally {
      clockAhead = 0;
    }
  });

  it("a repository that does not exist gets NAME_UNKNOWN, and the doctor lists the environment's repositories", async () => {
    const missing = `${host()}/${env().app}-${env().name}-billing:v1`;
    await build(missing, "billing");
    const { result, decisions } = await scenario("ecr-user push to a missing repository", () => push("ecr", missing));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      `name unknown: The repository with name '${env().app}-${env().name}-billing' does not exist in the registry with id '${env().accountId}'`,
    );
    expect(denials(decisions).map((d) => d.code)).toContain("NAME_UNKNOWN");
    const doctor = doctorExplain(result.stderr);
    expect(doctor.text).toMatch(/cause: .*does not exist in registry/);
    expect(doctor.text).toContain(`${host()}/${repoOf("api")}`);
  });
});

describe("lifecycle preview of pushed images", () => {
  const SCRATCH = "lifecycle-preview/images";
  const tagged = ["v1", "v2", "v3", "v4", "v5", "v6", "main-1", "main-2", "main-3", "main-4", "release-1", "release-2", "feature-a", "feature-b"];

  it("15 tagged and 2 untagged images: the preview expires exactly what each committed environment's rules say", async () => {
    const ecr = new ECRClient(local.sdk);
    // A MUTABLE scratch repository: re-pushing `latest` is how images become untagged.
    await ecr.send(new CreateRepositoryCommand({ repositoryName: SCRATCH, imageTagMutability: "MUTABLE" }));
    const iam = new IAMClient(local.sdk);
    await iam.send(new CreateUserCommand({ UserName: "lifecycle-pusher" }));
    await iam.send(
      new PutUserPolicyCommand({
        UserName: "lifecycle-pusher",
        PolicyName: "push",
        PolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Action: [...ECR_AUTH_ACTIONS], Resource: "*" },
            { Effect: "Allow", Action: [...ECR_PUSH_ACTIONS], Resource: repositoryArn(env(), SCRATCH) },
          ],
        }),
      }),
    );
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: "lifecycle-pusher" }));
    tokens.lifecycle = (await loginPassword({ accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! })).stdout.trim();
    await podmanLogin("lifecycle");
    const pushSeconds: Record<string, number> = {};
    // ECR orders by push time; the emulator keeps it to the second, so each push gets a second of its own.
    await scenario("lifecycle-pusher podman push 17 images", async () => {
      for (const tag of [...tagged, "latest", "latest", "latest"]) {
        const image = `${host()}/${SCRATCH}:${tag}`;
        await build(image, `${tag} ${Object.keys(pushSeconds).length} ${Math.random()}`);
        const second = Math.floor(Date.now() / 1000);
        const r = await push("lifecycle", image);
        expect([tag, r.code]).toEqual([tag, 0]);
        pushSeconds[Object.hasOwn(pushSeconds, tag) ? `${tag}#${Object.keys(pushSeconds).length}` : tag] = r.ms / 1000;
        while (Math.floor(Date.now() / 1000) === second) await new Promise((r) => setTimeout(r, 50));
      }
    });
    figures[figures.length - 1].pushSeconds = pushSeconds;
    const { imageDetails } = await ecr.send(new DescribeImagesCommand({ repositoryName: SCRATCH }));
    expect(imageDetails!.filter((d) => (d.imageTags ?? []).length > 0)).toHaveLength(15);
    expect(imageDetails!.filter((d) => (d.imageTags ?? []).length === 0)).toHaveLength(2);

    for (const committed of loadEnvironments(ENVIRONMENTS)) {
      const keep = committed.ecr.imageRetentionCount;
      // The expectation is written from the rules' meaning, not computed by the preview's code.
      expect({ env: committed.name, prefixes: committed.ecr.taggedPrefixes, patterns: committed.ecr.taggedPatterns }).toEqual({
        env: committed.name,
        prefixes: expect.arrayContaining(["v", "main", "release"]),
        patterns: [],
      });
      const oldest = (prefix: string, count: number) => tagged.filter((t) => t.startsWith(prefix)).slice(0, Math.max(0, count - keep));
      const expected = ["(untagged)", "(untagged)", ...oldest("v", 6), ...oldest("main-", 4), ...oldest("release-", 2)].sort();
      await ecr.send(
        new PutLifecyclePolicyCommand({
          repositoryName: SCRATCH,
          lifecyclePolicyText: renderLifecyclePolicy(
            standardLifecycleRules({
              taggedPrefixes: committed.ecr.taggedPrefixes,
              taggedPatterns: committed.ecr.taggedPatterns,
              keepLast: keep,
              untaggedExpiryDays: committed.ecr.untaggedExpiryDays,
            }),
          ),
        }),
      );
      const at = new Date(Date.now() + (committed.ecr.untaggedExpiryDays + 1) * 86_400_000).toISOString();
      let out = "";
      const code = await runLifecyclePreview([env().name, "--repository", SCRATCH, "--at", at, "--endpoint", local.emulator.endpoint], (t) => (out += t), {
        credentials: local.sdk.credentials,
        requestHandler: local.sdk.requestHandler,
      });
      expect(code).toBe(0);
      const expiring = out
        .split("\n")
        .filter((l) => / EXPIRE$/.test(l))
        .map((l) => (l.includes("(untagged)") ? "(untagged)" : JSON.parse(`[${/\s("[^\s]+")\s/.exec(l)![1]}]`)[0]))
        .sort();
      expect({ env: committed.name, expiring }).toEqual({ env: committed.name, expiring: expected });
      expect(out).toContain(`${expected.length} of 17 images would expire`);
    }
  });
});

describe("ecr-deploy.sh end to end with podman", () => {
  it("reads the outputs, logs in, builds, tags and pushes", async () => {
    const context = oci.context("ecr-deploy", "deployed by ecr-deploy.sh");
    // The script reads outputs from <STACKS_DIR>/<stack>: a working copy of the deployed stack,
    // initialized on its remote state (the sandbox's own copies are the sandbox suite's to use).
    const stacks = join(work, "stacks");
    const engine = testEngine(local.toolchain, emulatorAwsEnv(local.emulator, env().region), local.toolchain.engineBin);
    for (const stack of [env().name, credentialsStackName(env())]) {
      const init = await engine.run(prepareStackWorkdir(local.outdir, stack, stacks).dir, ["init", "-input=false", "-no-color"]);
      expect({ stack, code: init.code, stderr: init.stderr }).toEqual({ stack, code: 0, stderr: "" });
    }
    const r = await run("bash", [join(PROJECT_ROOT, "scripts", "ecr-deploy.sh"), env().name, "api", context], {
      env: {
        ...oci.env,
        CONTAINER_CLI: "podman",
        CONTAINER_CLI_ARGS: `--storage-driver vfs --root ${join(work, "storage")} --runroot ${join(work, "runroot")}`,
        CONTAINER_CERT_DIR: oci.certDir,
        REGISTRY_AUTH_FILE: oci.authFile("ecr-deploy"),
        STACKS_DIR: stacks,
        TF_BINARY: local.toolchain.engineBin,
        TF_CLI_CONFIG_FILE: local.toolchain.cliConfigFile,
        IMAGE_TAG: "deploy-1",
        AWS_ENDPOINT_URL: local.emulator.endpoint,
        AWS_CA_BUNDLE: registry.caFile,
        AWS_ACCESS_KEY_ID: "testing",
        AWS_SECRET_ACCESS_KEY: "testing",
        AWS_REGION: env().region,
        AWS_DEFAULT_REGION: env().region,
      },
    });
    expect({ code: r.code, stderr: r.stderr.slice(-2000) }).toEqual({ code: 0, stderr: expect.any(String) });
    expect(r.stdout).toContain(`ecr-deploy: done: ${ref("api", "deploy-1")}`);
    const { imageDetails } = await new ECRClient(local.sdk).send(
      new DescribeImagesCommand({ repositoryName: repoOf("api"), imageIds: [{ imageTag: "deploy-1" }] }),
    );
    expect(imageDetails).toHaveLength(1);
    expect(readFileSync(oci.authFile("ecr-deploy"), "utf8")).toContain(host());
  });
});
