import { runDoctor, runExplainDoctor } from "../../scripts/doctor";

// The doctor reads the app's environments: here the fixture app's, whose names the expectations spell out.
jest.mock("../../environments/app", () => ({ APP: jest.requireActual("../fixtures/app").FIXTURE_APP }));
jest.mock("../../environments/key-rotation.json", () => ({}));
import { explain } from "../../scripts/doctor/online";
import { keyFinding, maskKeyId } from "../../scripts/doctor/keys";

async function doctor(...args: string[]): Promise<{ code: number; text: string }> {
  let text = "";
  const code = await runDoctor(args, (s) => (text += s));
  return { code, text };
}

const row = (text: string, action: string, flow = "push") => text.split("\n").find((l) => l.startsWith(flow) && l.includes(` ${action} `)) ?? "";

describe("doctor, offline", () => {
  it("finds every push and pull step allowed for the ECR user, naming the deciding statements", async () => {
    const { code, text } = await doctor("prod", "--service", "worker");
    expect(code).toBe(0);
    expect(text).toContain("repository shop-worker-prod in 222222222222/eu-west-1");
    expect(row(text, "ecr:GetAuthorizationToken")).toMatch(/allowed\s+shop-prod-ecr-user-least-privilege\/EcrLogin$/);
    expect(row(text, "ecr:PutImage")).toMatch(/allowed\s+shop-prod-ecr-user-least-privilege\/EcrPushPullOwnRepositories$/);
    expect(row(text, "ecr:GetDownloadUrlForLayer", "pull")).toMatch(/allowed/);
    expect(text).toContain("push: every step allowed");
  });

  it("explains why the S3 user's keys get 403: no statement allows the token", async () => {
    const { code, text } = await doctor("dev", "--as", "s3-user");
    expect(code).toBe(1);
    expect(row(text, "ecr:GetAuthorizationToken")).toMatch(/DENIED \(no statement allows\)\s+-$/);
    expect(text).toContain("push: BLOCKED");
  });

  it("shows the plan role can read but never push", async () => {
    const { code, text } = await doctor("staging", "--as", "plan-role");
    expect(code).toBe(1);
    for (const action of ["ecr:InitiateLayerUpload", "ecr:PutImage", "ecr:GetAuthorizationToken"]) expect(row(text, action)).toMatch(/DENIED/);
  });

  it("agrees for the deploy role", async () => {
    const { code, text } = await doctor("dev", "--as", "deploy-role", "--service", "api");
    expect(code).toBe(0);
    expect(row(text, "ecr:UploadLayerPart")).toMatch(/allowed\s+shop-dev-github-deploy-policy\/EcrPushPullOwnRepositories$/);
  });

  it.each([
    [["nope"], /unknown environment 'nope'; known: dev, staging, prod/],
    [["dev", "--service", "billing"], /has no service 'billing'; services: api, worker/],
    [["dev", "--as", "root"], /unknown identity 'root'/],
    [["dev", "--bogus"], /Unknown option '--bogus'/],
  ])("refuses bad usage %p with exit 2", async (args, message) => {
    const { code, text } = await doctor(...args);
    expect(code).toBe(2);
    expect(text).toMatch(message);
  });
});

describe("doctor, online error mapping (the push checklist)", () => {
  const ctx = { action: "ecr:PutImage", repository: "shop-api-dev", region: "us-east-1" };
  it.each([
    [
      { name: "ExpiredTokenException", message: "The security token included in the request is expired" },
      /temporary credentials have expired/,
      /re-run the job/,
    ],
    [{ name: "InvalidClientTokenId", message: "The security token included in the request is invalid." }, /access key is unknown, deleted/, /SSM/],
    [
      { name: "RepositoryNotFoundException", message: "The repository with name 'x' does not exist" },
      /does not exist in us-east-1/,
      /name, region and account/,
    ],
    [
      { name: "AccessDeniedException", message: "User is not authorized to perform: ecr:PutImage" },
      /does not allow ecr:PutImage on shop-api-dev/,
      /repository ARN itself/,
    ],
    [{ name: "CredentialsProviderError", message: "Could not load credentials from any providers" }, /no AWS credentials/, /export AWS_ACCESS_KEY_ID/],
  ])("maps %p to a cause and a fix", (err, cause, fix) => {
    const e = explain(err, ctx);
    expect(e.cause).toMatch(cause);
    expect(e.fix).toMatch(fix);
  });

  it("tells the S3-user mistake apart when the token is refused", () => {
    expect(explain({ name: "AccessDeniedException" }, { ...ctx, action: "ecr:GetAuthorizationToken" }).cause).toMatch(/S3 user's keys/);
  });
});

describe("doctor, key age (iam:ListAccessKeys, iam:GetAccessKeyLastUsed)", () => {
  const now = new Date("2026-11-25T12:00:00Z");
  const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);

  it("reports age and last use, with the key id masked", () => {
    const row = keyFinding(
      "shop-dev-ecr-user",
      { accessKeyId: "AKIAEXAMPLE1234WXYZ", status: "Active", created: daysAgo(12), lastUsed: daysAgo(1), lastService: "ecr" },
      now,
      90,
    );
    expect(row).toEqual({ check: "access key of shop-dev-ecr-user", ok: true, detail: "AKIA…WXYZ Active, 12 days old, last used 2026-11-24 (ecr)" });
  });

  it("warns past maxKeyAgeDays without failing the push check", () => {
    const row = keyFinding("shop-dev-ecr-user", { accessKeyId: "AKIAEXAMPLE1234WXYZ", status: "Active", created: daysAgo(91) }, now, 90);
    expect(row.ok).toBe(true);
    expect(row.detail).toMatch(/91 days old, never used/);
    expect(row.warning).toMatch(/older than maxKeyAgeDays \(90\): rotate it \(npm run rotate/);
  });

  it("does not warn at the limit, nor about an inactive key awaiting deletion", () => {
    expect(keyFinding("u", { accessKeyId: "AKIAEXAMPLE1234WXYZ", status: "Active", created: daysAgo(90) }, now, 90).warning).toBeUndefined();
    expect(keyFinding("u", { accessKeyId: "AKIAEXAMPLE1234WXYZ", status: "Inactive", created: daysAgo(400) }, now, 90).warning).toBeUndefined();
  });

  it("never shows a whole key id", () => {
    expect(maskKeyId("AKIAEXAMPLE1234WXYZ")).toBe("AKIA…WXYZ");
    expect(maskKeyId("short")).toBe("…");
  });
});

describe("doctor explain: the text a failed push or pull printed", () => {
  const explainText = (text: string) => {
    let out = "";
    const code = runExplainDoctor(["staging", text], (s) => (out += s));
    return { code, out };
  };
  const REPO = "arn:aws:ecr:us-east-1:111111111111:repository/shop-api-staging";
  it.each<[string, string, RegExp | null, RegExp, RegExp]>([
    [
      "the S3 user's get-login-password (AWS CLI)",
      "An error occurred (AccessDeniedException) when calling the GetAuthorizationToken operation: User: arn:aws:iam::111111111111:user/shop-staging-s3-user is not authorized to perform: ecr:GetAuthorizationToken on resource: * because no identity-based policy allows the ecr:GetAuthorizationToken action",
      /identity: staging's s3-user \(shop-staging-s3-user\)/,
      /may not call ecr:GetAuthorizationToken/,
      /ECR user's keys/,
    ],
    [
      "a 12-hour-old token (podman)",
      "Error: reading manifest v1 in 111111111111.dkr.ecr.us-east-1.amazonaws.com/shop-worker-staging: denied: Your authorization token has expired. Reauthenticate and try again.",
      null,
      /older than 12 hours/,
      /log in again, then retry: aws ecr get-login-password --region us-east-1 \| <docker\|podman> login/,
    ],
    [
      "the runtime pull role's push (podman)",
      `Error: writing blob: initiating layer upload to /v2/shop-api-staging/blobs/uploads/ in 111111111111.dkr.ecr.us-east-1.amazonaws.com: denied: User: arn:aws:sts::111111111111:assumed-role/shop-staging-ecr-pull/ecs-task is not authorized to perform: ecr:InitiateLayerUpload on resource: ${REPO} because no identity-based policy allows the ecr:InitiateLayerUpload action`,
      /identity: staging's runtime-pull-role \(shop-staging-ecr-pull\)/,
      /may pull from shop-api-staging but never push/,
      /ECR user's keys or the deploy role/,
    ],
    [
      "a foreign account's push (skopeo)",
      `denied: User: arn:aws:sts::444455556666:assumed-role/image-puller/partner is not authorized to perform: ecr:InitiateLayerUpload on resource: ${REPO} because no resource-based policy allows the ecr:InitiateLayerUpload action`,
      /identity: a principal of account 444455556666/,
      /never push/,
      /pull-only/,
    ],
    [
      "the deploy role denied a pull it should have (identity policy)",
      `denied: User: arn:aws:sts::111111111111:assumed-role/shop-staging-github-deploy/gh is not authorized to perform: ecr:BatchGetImage on resource: ${REPO} because no identity-based policy allows the ecr:BatchGetImage action`,
      /identity: staging's deploy-role/,
      /identity policy of .* does not allow ecr:BatchGetImage/,
      /npm run doctor -- staging --as/,
    ],
    [
      "a repository of another environment",
      "denied: User: arn:aws:iam::111111111111:user/shop-staging-ecr-user is not authorized to perform: ecr:PutImage on resource: arn:aws:ecr:us-east-1:111111111111:repository/shop-api-dev because no identity-based policy allows the ecr:PutImage action",
      /identity: staging's ecr-user/,
      /shop-api-dev is not a repository of staging/,
      /111111111111\.dkr\.ecr\.us-east-1\.amazonaws\.com\/shop-api-staging/,
    ],
    [
      "a missing repository (podman)",
      "Error: writing blob: initiating layer upload to /v2/shop-billing-staging/blobs/uploads/ in 111111111111.dkr.ecr.us-east-1.amazonaws.com: name unknown: The repository with name 'shop-billing-staging' does not exist in the registry with id '111111111111'",
      null,
      /repository shop-billing-staging does not exist in registry 111111111111 \(us-east-1\)/,
      /services of environments\/app\.ts/,
    ],
    [
      "an immutable tag pushed again",
      "tag invalid: The image tag 'v1' already exists in the 'shop-api-staging' repository and cannot be overwritten because the repository is immutable.",
      null,
      /tags are immutable/,
      /new tag/,
    ],
    ["no login at all (docker)", "unauthorized: authentication required", null, /no valid ECR login/, /get-login-password/],
    [
      "an unreachable registry after a good token",
      'Error: pinging container registry 111111111111.dkr.ecr.us-east-1.amazonaws.com: Get "https://111111111111.dkr.ecr.us-east-1.amazonaws.com/v2/": dial tcp: lookup 111111111111.dkr.ecr.us-east-1.amazonaws.com: no such host',
      null,
      /could not be reached .* not a permission problem/,
      /HTTPS_PROXY/,
    ],
  ])("%s", (_what, text, identity, cause, fix) => {
    const { code, out } = explainText(text);
    expect(code).toBe(0);
    if (identity) expect(out).toMatch(identity);
    else expect(out).not.toMatch(/^identity:/m);
    expect(out).toMatch(new RegExp(`cause: +.*${cause.source}`));
    expect(out).toMatch(new RegExp(`fix: +.*${fix.source}`));
  });

  it("shows the error escaped, says when it does not recognize it, and refuses bad usage", () => {
    const strange = explainText("\u001b[31mboom\u001b[0m\nsecond line");
    expect(strange.code).toBe(1);
    expect(strange.out).toContain(String.raw`error:    "\u001b[31mboom\u001b[0m\nsecond line"`);
    expect(strange.out).toMatch(/not an error this doctor recognizes/);
    let out = "";
    expect(runExplainDoctor(["nope", "x"], (s) => (out += s))).toBe(2);
    expect(runExplainDoctor(["staging"], (s) => (out += s))).toBe(2);
    expect(out).toMatch(/usage: npm run doctor -- explain <env>/);
    expect(
      runExplainDoctor(
        ["staging", "-"],
        () => undefined,
        () => "tag invalid: x",
      ),
    ).toBe(0);
  });
});

describe("doctor explain: a 403 the client printed without ECR's message", () => {
  const explainIn = (env: string, text: string) => {
    let out = "";
    const code = runExplainDoctor([env, text], (s) => (out += s));
    return { code, out, cause: /^cause: +(.*)$/m.exec(out)?.[1] ?? "", fix: /^fix: +(.*)$/m.exec(out)?.[1] ?? "" };
  };
  const HOST = "111111111111.dkr.ecr.us-east-1.amazonaws.com";
  const BLOB = "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef";
  // What the doctor advises when ECR's message names the identity: the advice for a 403 without it must include it.
  const ecrAdvice = explainIn(
    "staging",
    `denied: User: arn:aws:sts::111111111111:assumed-role/shop-staging-github-deploy/gh is not authorized to perform: ecr:PutImage on resource: arn:aws:ecr:us-east-1:111111111111:repository/shop-api-staging because no identity-based policy allows the ecr:PutImage action`,
  ).fix;

  it.each<[string, string, string, string]>([
    [
      "podman 4.3 and skopeo 1.9 (containers/image 5.23): the blob check of a layer",
      `Getting image source signatures\nCopying blob ${BLOB}\nError: trying to reuse blob ${BLOB} at destination: failed to read from destination repository shop-api-staging: 403 (Forbidden)`,
      "ecr:BatchCheckLayerAvailability on shop-api-staging",
      "api",
    ],
    [
      "podman 4.3: the same check inside the upload",
      "Error: writing blob: failed to read from destination repository shop-worker-staging: 403 (Forbidden)",
      "ecr:BatchCheckLayerAvailability on shop-worker-staging",
      "worker",
    ],
    [
      "skopeo 1.9 without a terminal",
      `time="2026-11-25T12:00:00Z" level=fatal msg="trying to reuse blob ${BLOB} at destination: failed to read from destination repository shop-api-staging: 403 (Forbidden)"`,
      "ecr:BatchCheckLayerAvailability on shop-api-staging",
      "api",
    ],
    [
      "podman 5 (containers/image 5.24 and later): the blob check, naming the registry host",
      `Error: trying to reuse blob ${BLOB} at destination: checking whether a blob ${BLOB} exists in ${HOST}/shop-worker-staging: StatusCode: 403, ""`,
      "ecr:BatchCheckLayerAvailability on shop-worker-staging",
      "worker",
    ],
    [
      "podman 5: the upload's start, with an empty body",
      `Error: writing blob: initiating layer upload to /v2/shop-api-staging/blobs/uploads/ in ${HOST}: StatusCode: 403, ""`,
      "ecr:InitiateLayerUpload on shop-api-staging",
      "api",
    ],
    [
      "podman 4.3: the upload's start refused with the registry's bare DENIED",
      `Error: writing blob: initiating layer upload to /v2/shop-api-staging/blobs/uploads/ in ${HOST}: denied: requested access to the resource is denied`,
      "ecr:InitiateLayerUpload on shop-api-staging",
      "api",
    ],
    [
      "podman 5: the bare DENIED without its code",
      `Error: writing blob: initiating layer upload to /v2/shop-worker-staging/blobs/uploads/ in ${HOST}: requested access to the resource is denied`,
      "ecr:InitiateLayerUpload on shop-worker-staging",
      "worker",
    ],
    [
      "podman 5: the manifest",
      `Error: writing manifest: uploading manifest v2 to ${HOST}/shop-api-staging: StatusCode: 403, ""`,
      "ecr:PutImage on shop-api-staging",
      "api",
    ],
    [
      "crane",
      `Error: HEAD https://${HOST}/v2/shop-api-staging/blobs/${BLOB}: unexpected status code 403 Forbidden (HEAD responses have no body, use GET for details)`,
      "ecr:BatchCheckLayerAvailability on shop-api-staging",
      "api",
    ],
    [
      "docker, which names the repository only",
      `The push refers to repository [${HOST}/shop-api-staging]\n5f70bf18a086: Preparing\nerror parsing HTTP 403 response body: unexpected end of JSON input: ""`,
      "a push step on shop-api-staging",
      "api",
    ],
  ])("%s", (_what, text, refused, service) => {
    const { code, out, cause, fix } = explainIn("staging", text);
    expect(code).toBe(0);
    expect(out).not.toMatch(/^identity:/m);
    expect(cause).toContain(`the registry refused ${refused} (403, and the client printed no ECR message naming the identity)`);
    // A pull identity may check layers: only a refused push-only step points at the pull-only identities.
    expect(cause.endsWith("(runtime and cross-account identities only pull)")).toBe(!refused.startsWith("ecr:BatchCheckLayerAvailability"));
    expect(fix).toContain(`run npm run doctor -- staging --service ${service} --online with the same credentials`);
    expect(ecrAdvice).toMatch(/^run npm run doctor -- staging --as <ecr-user\|deploy-role> to see which statement decides/);
    expect(fix).toContain(ecrAdvice);
  });

  it("names the emulator's repository in the local environment, as the sandbox's podman prints it", () => {
    const saved = process.env.PLATFORM_EMULATOR_ENDPOINT;
    process.env.PLATFORM_EMULATOR_ENDPOINT = "https://127.0.0.1:4566";
    try {
      const { code, cause, fix } = explainIn(
        "local",
        `Error: trying to reuse blob ${BLOB} at destination: failed to read from destination repository shop-api-local: 403 (Forbidden)`,
      );
      expect(code).toBe(0);
      expect(cause).toMatch(/refused ecr:BatchCheckLayerAvailability on shop-api-local .*lack ecr:BatchCheckLayerAvailability there/);
      expect(fix).toMatch(/^run npm run doctor -- local --service api --online .*; then run npm run doctor -- local --as <ecr-user\|deploy-role>/);
    } finally {
      if (saved === undefined) delete process.env.PLATFORM_EMULATOR_ENDPOINT;
      else process.env.PLATFORM_EMULATOR_ENDPOINT = saved;
    }
  });

  it("says so when the repository is another environment's, as when ECR's message names it", () => {
    const { cause, fix } = explainIn("staging", "Error: writing blob: failed to read from destination repository shop-api-dev: 403 (Forbidden)");
    expect(cause).toBe("shop-api-dev is not a repository of staging; its identities may act on shop-api-staging, shop-worker-staging only");
    expect(fix).toMatch(/^tag the image for one of 111111111111\.dkr\.ecr\.us-east-1\.amazonaws\.com\/shop-api-staging,/);
  });

  it("tells a refused pull apart from a refused push", () => {
    const { cause, fix } = explainIn(
      "staging",
      `Error: initializing source docker://${HOST}/shop-api-staging:v1: reading manifest v1 in ${HOST}/shop-api-staging: StatusCode: 403, ""`,
    );
    expect(cause).toMatch(/refused ecr:BatchGetImage on shop-api-staging .*may not pull there$/);
    expect(fix).toMatch(/--service api --online .*crossAccountPullPrincipals of environments\/app\.ts/);
  });
});

describe("doctor --online says which identity each part checks", () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it("without credentials: the header names the --as identity for the offline part, the key rows are skipped, not ok", async () => {
    for (const k of [
      "AWS_ACCESS_KEY_ID",
      "AWS_SECRET_ACCESS_KEY",
      "AWS_SESSION_TOKEN",
      "AWS_PROFILE",
      "AWS_WEB_IDENTITY_TOKEN_FILE",
      "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    ])
      delete process.env[k];
    Object.assign(process.env, { AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null", AWS_EC2_METADATA_DISABLED: "true" });
    const { code, text } = await doctor("staging", "--online", "--endpoint", "https://127.0.0.1:9");
    expect(code).toBe(1);
    expect(text).toMatch(/^ECR doctor: staging, repository shop-api-staging in 111111111111\/us-east-1$/m);
    expect(text).toMatch(/^Offline: the ecr-user \(arn:aws:iam::111111111111:user\/shop-staging-ecr-user, chosen with --as\)/m);
    expect(text).toMatch(/^Online: this shell's own credentials, which did not identify/m);
    expect(text).toMatch(/who am I \(sts:GetCallerIdentity\)\s+FAILED\s+CredentialsProviderError/);
    expect(text).toMatch(/access keys of shop-staging-ecr-user\s+skipped\s+not checked: no identity answered/);
    expect(text).not.toMatch(/^access keys of .*\s+ok\s+/m);
  });
});
