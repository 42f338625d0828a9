import sodium from "libsodium-wrappers";
import { githubDescription, open, seal, startGithubStandin, type GithubStandin } from "./github-standin";

const REPO = { owner: "acme", ownerId: 81234567, name: "shop", id: 912345678 };
const TEAM = 4312001;
const USER = 5550001;
let gh: GithubStandin;

async function api(method: string, path: string, body?: unknown, token: string | null = gh.token) {
  const res = await fetch(`${gh.apiUrl}${path}`, {
    method,
    redirect: "manual",
    headers: {
      accept: "application/vnd.github+json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
    },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
}

beforeAll(async () => {
  gh = await startGithubStandin({
    repositories: [REPO, { owner: "someone", ownerId: 42, ownerType: "User", name: "tool", id: 4242 }],
    reviewers: { teams: [TEAM], users: [USER] },
  });
});
afterAll(() => gh?.stop());

describe("repository and owner", () => {
  it("serves the repository with its numeric id and its owner's, under /api/v3 like GitHub Enterprise Server", async () => {
    expect(gh.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(gh.apiUrl).toBe(`${gh.baseUrl}api/v3`);
    const { status, json } = await api("GET", "/repos/acme/shop");
    expect(status).toBe(200);
    expect({ id: json.id, full_name: json.full_name, owner: { id: json.owner.id, login: json.owner.login, type: json.owner.type } }).toEqual({
      id: REPO.id,
      full_name: "acme/shop",
      owner: { id: REPO.ownerId, login: "acme", type: "Organization" },
    });
    expect((await api("GET", "/repos/ACME/Shop")).json.id).toBe(REPO.id);
    expect((await api("GET", "/repositories/912345678")).json.full_name).toBe("acme/shop");
  });

  it("answers /orgs for an organization and 404 for a user account, as the provider's owner lookup expects", async () => {
    expect((await api("GET", "/orgs/acme")).json).toMatchObject({ login: "acme", id: REPO.ownerId, type: "Organization" });
    expect((await api("GET", "/orgs/someone")).status).toBe(404);
    expect((await api("GET", "/user")).json).toMatchObject({ login: "standin-admin", type: "User" });
    expect((await api("GET", "/rate_limit")).json.resources.core).toMatchObject({ limit: 5000 });
  });

  it("refuses a wrong or missing token with 401 and GitHub's error body", async () => {
    expect(await api("GET", "/repos/acme/shop", undefined, "ghp_wrong")).toMatchObject({ status: 401, json: { message: "Bad credentials" } });
    expect(await api("GET", "/repos/acme/shop", undefined, null)).toMatchObject({ status: 401, json: { message: "Requires authentication" } });
  });

  it("a missing repository is a 404 with GitHub's error shape", async () => {
    expect(await api("GET", "/repos/acme/nope")).toEqual(
      expect.objectContaining({ status: 404, json: { message: "Not Found", documentation_url: expect.any(String), status: "404" } }),
    );
  });
});

describe("environments and their protection", () => {
  it("creates, reads back and updates an environment with reviewers, branch policy, wait timer, self-review and admin bypass", async () => {
    const put = await api("PUT", "/repos/acme/shop/environments/prod", {
      wait_timer: 30,
      prevent_self_review: true,
      can_admins_bypass: false,
      reviewers: [
        { type: "Team", id: TEAM },
        { type: "User", id: USER },
      ],
      deployment_branch_policy: { protected_branches: false, custom_branch_policies: true },
    });
    expect(put.status).toBe(200);
    const { json } = await api("GET", "/repos/acme/shop/environments/prod");
    expect(json.can_admins_bypass).toBe(false);
    expect(json.deployment_branch_policy).toEqual({ protected_branches: false, custom_branch_policies: true });
    const rules = Object.fromEntries(json.protection_rules.map((r: { type: string }) => [r.type, r]));
    expect(rules.wait_timer.wait_timer).toBe(30);
    expect(rules.required_reviewers.prevent_self_review).toBe(true);
    expect(rules.required_reviewers.reviewers.map((r: { type: string; reviewer: { id: number } }) => [r.type, r.reviewer.id])).toEqual([
      ["Team", TEAM],
      ["User", USER],
    ]);
    expect(rules.branch_policy).toBeDefined();

    // go-github sends null to clear reviewers and the branch policy.
    await api("PUT", "/repos/acme/shop/environments/prod", {
      wait_timer: 0,
      reviewers: null,
      can_admins_bypass: true,
      deployment_branch_policy: null,
      prevent_self_review: false,
    });
    const env = gh.state().repository("acme/shop").environments.prod;
    expect(env).toMatchObject({
      waitTimer: 0,
      reviewers: { users: [], teams: [] },
      deploymentBranchPolicy: null,
      canAdminsBypass: true,
      preventSelfReview: false,
    });
    expect((await api("GET", "/repos/acme/shop/environments/prod")).json.protection_rules).toEqual([]);
  });

  it("refuses unknown reviewers, both or neither branch policy kinds, and a wait timer out of range (422)", async () => {
    expect((await api("PUT", "/repos/acme/shop/environments/x", { reviewers: [{ type: "Team", id: 999 }] })).status).toBe(422);
    expect(
      (await api("PUT", "/repos/acme/shop/environments/x", { deployment_branch_policy: { protected_branches: true, custom_branch_policies: true } })).status,
    ).toBe(422);
    expect((await api("PUT", "/repos/acme/shop/environments/x", { wait_timer: 50_000 })).status).toBe(422);
    expect(gh.state().repository("acme/shop").environments.x).toBeUndefined();
  });

  it("deployment branch and tag policies exist only under custom branch policies", async () => {
    const base = "/repos/acme/shop/environments/staging";
    await api("PUT", base, { deployment_branch_policy: { protected_branches: true, custom_branch_policies: false } });
    expect((await api("POST", `${base}/deployment-branch-policies`, { name: "main", type: "branch" })).status).toBe(404);
    await api("PUT", base, { deployment_branch_policy: { protected_branches: false, custom_branch_policies: true } });
    const main = await api("POST", `${base}/deployment-branch-policies`, { name: "main", type: "branch" });
    const tags = await api("POST", `${base}/deployment-branch-policies`, { name: "v*", type: "tag" });
    expect([main.status, main.json.type, tags.json.type]).toEqual([200, "branch", "tag"]);
    const again = await api("POST", `${base}/deployment-branch-policies`, { name: "main", type: "branch" });
    expect([again.status, again.headers.get("location")]).toEqual([303, `${gh.apiUrl}${base}/deployment-branch-policies/${main.json.id}`]);
    expect((await api("GET", `${base}/deployment-branch-policies/${tags.json.id}`)).json).toEqual(tags.json);
    expect((await api("PUT", `${base}/deployment-branch-policies/${tags.json.id}`, { name: "release-*" })).json.name).toBe("release-*");
    expect((await api("GET", `${base}/deployment-branch-policies`)).json.total_count).toBe(2);
    expect((await api("DELETE", `${base}/deployment-branch-policies/${main.json.id}`)).status).toBe(204);
    expect(gh.state().repository("acme/shop").environments.staging.deploymentBranchPolicies).toEqual([{ name: "release-*", type: "tag" }]);
    expect((await api("DELETE", base)).status).toBe(204);
    expect((await api("GET", base)).status).toBe(404);
  });
});

describe("variables", () => {
  it.each([
    ["repository", "/repos/acme/shop/actions/variables", () => gh.state().repository("acme/shop").variables],
    ["environment", "/repos/acme/shop/environments/dev/variables", () => gh.state().repository("acme/shop").environments.dev.variables],
  ])("%s variables: create, conflict, read, update, list, delete", async (_scope, base, view) => {
    await api("PUT", "/repos/acme/shop/environments/dev", {});
    expect((await api("POST", base, { name: "AWS_REGION", value: "us-east-1" })).status).toBe(201);
    expect((await api("POST", base, { name: "AWS_REGION", value: "eu-west-1" })).status).toBe(409);
    expect((await api("POST", base, { name: "GITHUB_X", value: "v" })).status).toBe(422);
    expect((await api("GET", `${base}/AWS_REGION`)).json).toMatchObject({ name: "AWS_REGION", value: "us-east-1" });
    expect((await api("PATCH", `${base}/AWS_REGION`, { name: "AWS_REGION", value: "eu-west-1" })).status).toBe(204);
    expect(view()).toEqual({ AWS_REGION: "eu-west-1" });
    expect((await api("GET", base)).json).toMatchObject({ total_count: 1, variables: [{ name: "AWS_REGION", value: "eu-west-1" }] });
    expect((await api("DELETE", `${base}/AWS_REGION`)).status).toBe(204);
    expect((await api("GET", `${base}/AWS_REGION`)).status).toBe(404);
  });
});

describe("secrets: libsodium sealed boxes, decrypted by the stand-in", () => {
  it("round trip: seal with the repository's public key, PUT, and the stand-in holds the plaintext; an update answers 204", async () => {
    const key = (await api("GET", "/repos/acme/shop/actions/secrets/public-key")).json;
    expect(key.key_id).toMatch(/^\d+$/);
    expect(Buffer.from(key.key, "base64")).toHaveLength(32);
    const put = await api("PUT", "/repos/acme/shop/actions/secrets/ECR_AWS_SECRET_ACCESS_KEY", {
      encrypted_value: seal("s3cr3t/+=", key.key),
      key_id: key.key_id,
    });
    expect(put.status).toBe(201);
    expect(gh.state().repository("acme/shop").secrets.ECR_AWS_SECRET_ACCESS_KEY).toMatchObject({ value: "s3cr3t/+=", keyId: key.key_id });
    const before = (await api("GET", "/repos/acme/shop/actions/secrets/ECR_AWS_SECRET_ACCESS_KEY")).json;
    expect(Object.keys(before).sort()).toEqual(["created_at", "name", "updated_at"]); // never the value
    const update = await api("PUT", "/repos/acme/shop/actions/secrets/ECR_AWS_SECRET_ACCESS_KEY", {
      encrypted_value: seal("rotated", key.key),
      key_id: key.key_id,
    });
    expect(update.status).toBe(204);
    const after = (await api("GET", "/repos/acme/shop/actions/secrets/ECR_AWS_SECRET_ACCESS_KEY")).json;
    expect(after.updated_at > before.updated_at).toBe(true);
    expect(gh.state().repository("acme/shop").secrets.ECR_AWS_SECRET_ACCESS_KEY.value).toBe("rotated");
  });

  it("the sealed box is the real libsodium construction: the stand-in's open() reads what libsodium sealed, and only with the right key", async () => {
    await sodium.ready;
    const kp = sodium.crypto_box_keypair();
    const pk = Buffer.from(kp.publicKey).toString("base64");
    const sealed = Buffer.from(sodium.crypto_box_seal(Buffer.from("value"), kp.publicKey)).toString("base64");
    expect(open(sealed, { keyId: "1", publicKey: pk, publicKeyBytes: kp.publicKey, privateKey: kp.privateKey })).toBe("value");
    const other = sodium.crypto_box_keypair();
    expect(open(sealed, { keyId: "1", publicKey: pk, publicKeyBytes: other.publicKey, privateKey: other.privateKey })).toBeUndefined();
    expect(Buffer.from(sodium.crypto_box_seal_open(Buffer.from(seal("back", pk), "base64"), kp.publicKey, kp.privateKey)).toString()).toBe("back");
  });

  it("each environment has its own key pair; a secret sealed with the repository's key_id, or with the right key_id but another key, is refused (422)", async () => {
    await api("PUT", "/repos/acme/shop/environments/prod", {});
    await api("PUT", "/repos/acme/shop/environments/dev", {});
    const repoKey = (await api("GET", "/repos/acme/shop/actions/secrets/public-key")).json;
    const prodKey = (await api("GET", "/repos/acme/shop/environments/prod/secrets/public-key")).json;
    const devKey = (await api("GET", "/repos/acme/shop/environments/dev/secrets/public-key")).json;
    expect(new Set([repoKey.key_id, prodKey.key_id, devKey.key_id]).size).toBe(3);
    expect(new Set([repoKey.key, prodKey.key, devKey.key]).size).toBe(3);

    const path = "/repos/acme/shop/environments/prod/secrets/TOKEN";
    const wrongKeyId = await api("PUT", path, { encrypted_value: seal("x", repoKey.key), key_id: repoKey.key_id });
    expect(wrongKeyId).toMatchObject({ status: 422, json: { message: expect.stringContaining("key_id") } });
    const wrongKey = await api("PUT", path, { encrypted_value: seal("x", devKey.key), key_id: prodKey.key_id });
    expect(wrongKey).toMatchObject({ status: 422, json: { message: expect.stringContaining("sealed box") } });
    expect(gh.state().repository("acme/shop").environments.prod.secrets).toEqual({});

    expect((await api("PUT", path, { encrypted_value: seal("prod-only", prodKey.key), key_id: prodKey.key_id })).status).toBe(201);
    expect(gh.state().repository("acme/shop").environments.prod.secrets.TOKEN).toMatchObject({ value: "prod-only", keyId: prodKey.key_id });
  });

  it("environment secrets by repository id (/repositories/{id}/…, what go-github 67 calls) reach the same environment", async () => {
    const key = (await api("GET", "/repositories/912345678/environments/prod/secrets/public-key")).json;
    expect(key.key_id).toBe(gh.state().repository("acme/shop").environments.prod.secretKeyId);
    expect(
      (await api("PUT", "/repositories/912345678/environments/prod/secrets/OTHER", { encrypted_value: seal("o", key.key), key_id: key.key_id })).status,
    ).toBe(201);
    expect((await api("GET", "/repositories/912345678/environments/prod/secrets/OTHER")).json.name).toBe("OTHER");
    expect((await api("DELETE", "/repositories/912345678/environments/prod/secrets/OTHER")).status).toBe(204);
  });

  it("editEnvironmentBehindTerraform changes protection as GitHub's settings page does", async () => {
    await api("PUT", "/repos/acme/shop/environments/edited", {
      reviewers: [{ type: "Team", id: TEAM }],
      deployment_branch_policy: { protected_branches: false, custom_branch_policies: true },
    });
    gh.editEnvironmentBehindTerraform(
      { repository: "acme/shop", name: "edited" },
      { reviewers: {}, canAdminsBypass: false, addBranchPolicies: [{ name: "*", type: "branch" }] },
    );
    expect(gh.state().repository("acme/shop").environments.edited).toMatchObject({
      reviewers: { users: [], teams: [] },
      canAdminsBypass: false,
      deploymentBranchPolicies: [{ name: "*", type: "branch" }],
    });
    expect((await api("GET", "/repos/acme/shop/environments/edited/deployment-branch-policies")).json.branch_policies).toEqual([
      expect.objectContaining({ name: "*", type: "branch" }),
    ]);
    expect((await api("DELETE", "/repos/acme/shop/environments/edited")).status).toBe(204);
  });

  it("setSecretBehindTerraform changes the value and moves updated_at, as an edit in GitHub's UI does", async () => {
    const before = (await api("GET", "/repos/acme/shop/environments/prod/secrets/TOKEN")).json;
    gh.setSecretBehindTerraform({ repository: "acme/shop", environment: "prod", name: "TOKEN", value: "edited by hand" });
    const after = (await api("GET", "/repos/acme/shop/environments/prod/secrets/TOKEN")).json;
    expect(after.updated_at > before.updated_at).toBe(true);
    expect(gh.state().repository("acme/shop").environments.prod.secrets.TOKEN.value).toBe("edited by hand");
  });

  it("deleteSecretBehindTerraform removes the secret as `gh secret delete` does: the API answers 404 for it", async () => {
    gh.setSecretBehindTerraform({ repository: "acme/shop", name: "DOOMED", value: "x" });
    expect((await api("GET", "/repos/acme/shop/actions/secrets/DOOMED")).status).toBe(200);
    gh.deleteSecretBehindTerraform({ repository: "acme/shop", name: "DOOMED" });
    expect((await api("GET", "/repos/acme/shop/actions/secrets/DOOMED")).status).toBe(404);
    expect(() => gh.deleteSecretBehindTerraform({ repository: "acme/shop", name: "DOOMED" })).toThrow(/has no secret DOOMED/);
  });
});

describe("protocol checks against GitHub's OpenAPI description", () => {
  it("are quiet for everything above: no violation, no unexpected call", () => {
    expect(gh.violations).toEqual([]);
    expect(gh.unexpectedCalls).toEqual([]);
    expect(gh.calls.length).toBeGreaterThan(50);
  });

  it("catch a wrong request body: recorded, and answered 422 as GitHub does", async () => {
    const n = gh.violations.length;
    const res = await api("PUT", "/repos/acme/shop/environments/prod", { wait_timer: "soon", colour: "red" });
    expect(res.status).toBe(422);
    const secret = await api("PUT", "/repos/acme/shop/actions/secrets/X", { encrypted_value: "not base64!" });
    expect(secret.status).toBe(422);
    expect(gh.violations.slice(n)).toEqual([
      expect.objectContaining({
        where: "request",
        method: "PUT",
        template: "/repos/{owner}/{repo}/environments/{environment_name}",
        errors: expect.arrayContaining([expect.stringContaining("/wait_timer must be integer")]),
      }),
      expect.objectContaining({
        where: "request",
        template: "/repos/{owner}/{repo}/actions/secrets/{secret_name}",
        errors: expect.arrayContaining([expect.stringContaining("key_id"), expect.stringContaining("/encrypted_value must match pattern")]),
      }),
    ]);
    expect(String(gh.violations[n].errors)).toContain("additionalProperty");
  });

  it("catch a wrong path or query parameter", async () => {
    const n = gh.violations.length;
    await api("PUT", "/repos/acme/shop/environments/params", { deployment_branch_policy: { protected_branches: false, custom_branch_policies: true } });
    expect((await api("GET", "/repos/acme/shop/environments/params/deployment-branch-policies/latest")).status).toBe(404);
    expect((await api("GET", "/repos/acme/shop/actions/variables?per_page=many")).status).toBe(404);
    expect((await api("GET", "/repos/acme/shop/actions/variables?per_page=2&page=1")).status).toBe(200);
    expect(gh.violations.slice(n)).toEqual([
      expect.objectContaining({ where: "request", errors: [expect.stringMatching(/^path parameter branch_policy_id="latest" must be integer/)] }),
      expect.objectContaining({ where: "request", errors: [expect.stringMatching(/^query parameter per_page="many" must be integer/)] }),
    ]);
  });

  it("accept can_admins_bypass, which GitHub applies although its description leaves it out of the request schema, and report each use", async () => {
    const gaps = gh.descriptionGaps.length;
    const violations = gh.violations.length;
    expect((await api("PUT", "/repos/acme/shop/environments/gaps", { can_admins_bypass: false })).status).toBe(200);
    expect(gh.state().repository("acme/shop").environments.gaps.canAdminsBypass).toBe(false);
    expect(gh.descriptionGaps.slice(gaps)).toEqual([
      expect.objectContaining({ method: "PUT", path: "/repos/acme/shop/environments/gaps", gap: expect.objectContaining({ property: "can_admins_bypass" }) }),
    ]);
    expect(gh.violations.length).toBe(violations);
    expect((await api("PUT", "/repos/acme/shop/environments/gaps", { can_admins_bypass: "no" })).status).toBe(422);
    expect(gh.violations.slice(violations)).toEqual([expect.objectContaining({ where: "request", errors: [expect.stringContaining("/can_admins_bypass")] })]);
  });

  it("catch a wrong response: missing required fields, wrong types, an undeclared status", () => {
    const d = githubDescription();
    expect(d.validateResponse("GET", "/repos/{owner}/{repo}", 200, { id: "912345678", name: "shop" })).toEqual(
      expect.arrayContaining([expect.stringContaining("must have required property 'owner'"), expect.stringContaining("/id must be integer")]),
    );
    expect(
      d.validateResponse("GET", "/repos/{owner}/{repo}/actions/variables/{name}", 200, {
        name: "A",
        value: "b",
        created_at: "yesterday",
        updated_at: "2024-01-01T00:00:00Z",
      }),
    ).toEqual([expect.stringContaining('/created_at must match format "date-time"')]);
    expect(d.validateResponse("DELETE", "/repos/{owner}/{repo}/actions/variables/{name}", 204, { unexpected: true })).toEqual([
      expect.stringContaining("declared without a body"),
    ]);
    expect(d.validateResponse("GET", "/repos/{owner}/{repo}", 500, { message: "boom" })).toEqual([expect.stringContaining("status 500 is not declared")]);
    expect(
      d.validateResponse("GET", "/repos/{owner}/{repo}/environments/{environment_name}", 404, { message: "Not Found", documentation_url: "x", status: "404" }),
    ).toEqual([]);
  });

  it("record calls outside what the stand-in implements, answered 404", async () => {
    const n = gh.unexpectedCalls.length;
    expect((await api("GET", "/repos/acme/shop/branches")).status).toBe(404);
    expect((await api("GET", "/no/such/endpoint")).status).toBe(404);
    expect((await api("POST", "/repos/acme/shop")).status).toBe(404);
    expect(gh.unexpectedCalls.slice(n)).toEqual([
      { method: "GET", path: "/repos/acme/shop/branches", reason: "repos/list-branches is not implemented by the stand-in" },
      { method: "GET", path: "/no/such/endpoint", reason: "not a path of GitHub's REST description" },
      { method: "POST", path: "/repos/acme/shop", reason: "POST is not an operation of /repos/{owner}/{repo}" },
    ]);
  });
});
