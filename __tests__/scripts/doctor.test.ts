import { runDoctor } from "../../scripts/doctor";
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
    [["nope"], /unknown environment 'nope'; known: dev, staging, prod, local/],
    [["dev", "--service", "billing"], /has no service 'billing'; services: api, worker/],
    [["dev", "--as", "root"], /unknown identity 'root'/],
    [["dev", "--bogus"], /Unknown option '--bogus'/],
  ])("refuses bad usage %p with exit 2", async (args, message) => {
    const { code, text } = await doctor(...args);
    expect(code).toBe(2);
    expect(text).toMatch(message);
  });
});

describe("doctor, online error mapping (seed 003's checklist)", () => {
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
