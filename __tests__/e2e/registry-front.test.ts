/**
 * The registry stand-in's two pure decisions, without a registry running:
 * which ECR action AWS checks for each OCI Distribution request, and which
 * tokens it accepts (kept with the e2e suites: the stand-in is test machinery
 * of the main job's emulator).
 */
import { checkToken, issueTokenForTest, tokenKey } from "../../scripts/emulator/registry/token";
import { routeOf, validReference } from "../../scripts/emulator/registry/routes";

const D = `sha256:${"a".repeat(64)}`;

describe("each registry request is the ECR action AWS checks for it", () => {
  it.each([
    ["GET", "/v2/", "", { kind: "base" }],
    ["HEAD", `/v2/shop-api-dev/blobs/${D}`, "", { kind: "repository", repository: "shop-api-dev", action: "ecr:BatchCheckLayerAvailability" }],
    ["GET", `/v2/shop-api-dev/blobs/${D}`, "", { kind: "repository", repository: "shop-api-dev", action: "ecr:GetDownloadUrlForLayer" }],
    ["POST", "/v2/team/app/blobs/uploads/", "", { kind: "repository", repository: "team/app", action: "ecr:InitiateLayerUpload" }],
    [
      "POST",
      "/v2/app/blobs/uploads/",
      `mount=${D}&from=other`,
      { kind: "repository", repository: "app", action: "ecr:InitiateLayerUpload", mountFrom: "other" },
    ],
    ["PATCH", "/v2/app/blobs/uploads/5f0c", "", { kind: "repository", repository: "app", action: "ecr:UploadLayerPart" }],
    ["PUT", "/v2/app/blobs/uploads/5f0c", `digest=${D}`, { kind: "repository", repository: "app", action: "ecr:CompleteLayerUpload" }],
    ["PUT", "/v2/app/manifests/v1", "", { kind: "repository", repository: "app", action: "ecr:PutImage", tag: "v1", reference: "v1" }],
    ["PUT", `/v2/app/manifests/${D}`, "", { kind: "repository", repository: "app", action: "ecr:PutImage", reference: D }],
    ["GET", "/v2/app/manifests/v1", "", { kind: "repository", repository: "app", action: "ecr:BatchGetImage", reference: "v1" }],
    ["HEAD", `/v2/a/b/c/manifests/${D}`, "", { kind: "repository", repository: "a/b/c", action: "ecr:BatchGetImage", reference: D }],
    ["DELETE", `/v2/app/manifests/${D}`, "", { kind: "repository", repository: "app", action: "ecr:BatchDeleteImage", reference: D }],
    ["GET", "/v2/app/tags/list", "", { kind: "repository", repository: "app", action: "ecr:ListImages" }],
    ["DELETE", `/v2/app/blobs/${D}`, "", { kind: "unsupported" }],
    ["GET", "/v2/_catalog", "", { kind: "unsupported" }],
  ])("%s %s?%s", (method, path, query, route) => {
    expect(routeOf(method, path, new URLSearchParams(query))).toEqual(route);
  });

  it.each([
    ["v1", true],
    ["release-2026.11_30", true],
    [D, true],
    ["sha256:baddigeststring", false],
    [`sha512:${"a".repeat(128)}`, false],
    [".hidden", false],
    ["x".repeat(129), false],
  ])("reference %s is one ECR accepts: %s", (ref, ok) => expect(validReference(ref)).toBe(ok));
});

describe("ECR tokens", () => {
  const key = tokenKey(Buffer.from("-----BEGIN PRIVATE KEY-----\nemulator\n-----END PRIVATE KEY-----\n"));
  const now = Date.parse("2026-11-30T12:00:00Z");
  const basic = (password: string, user = "AWS") => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
  const user = "arn:aws:iam::123456789012:user/shop-dev-ecr-user";
  const valid = issueTokenForTest(key, user, "123456789012", new Date(now + 12 * 3_600_000));

  it("accepts the emulator's token for 12 hours and names its identity", () => {
    expect(checkToken(basic(valid), key, now)).toEqual({
      ok: true,
      claims: { principal: user, account: "123456789012", expiresAt: new Date(now + 12 * 3_600_000) },
    });
    expect(checkToken(basic(valid), key, now + 12 * 3_600_000)).toEqual({ ok: false, reason: "expired" });
  });

  it.each([
    ["no header", undefined, "missing"],
    ["a bearer token", "Bearer abc", "missing"],
    ["another user name", basic(valid, "admin"), "invalid"],
    [
      "a token of another emulator (another key)",
      basic(issueTokenForTest(tokenKey(Buffer.from("other")), user, "123456789012", new Date(now + 3_600_000))),
      "invalid",
    ],
    [
      "a token whose identity was changed",
      basic(
        `${Buffer.from(JSON.stringify({ p: "arn:aws:iam::123456789012:root", a: "123456789012", exp: now / 1000 + 60 })).toString("base64url")}.${valid.split(".")[1]}`,
      ),
      "invalid",
    ],
    ["moto's constant token", basic("123456789012-auth-token"), "invalid"],
  ])("refuses %s", (_what, header, reason) => {
    expect(checkToken(header, key, now)).toEqual({ ok: false, reason });
  });
});
