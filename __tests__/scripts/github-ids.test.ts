import { createServer } from "node:net";
import { runGithubIds } from "../../scripts/github-ids";
import { startGithubStandin, type GithubStandin } from "../support/github-standin";

let gh: GithubStandin;

async function ids(args: string[], env: Record<string, string | undefined> = { GITHUB_TOKEN: gh.token, GITHUB_API_URL: gh.apiUrl }) {
  let out = "";
  let err = "";
  const code = await runGithubIds(args, { env, out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

beforeAll(async () => {
  gh = await startGithubStandin({ repositories: [{ owner: "acme", ownerId: 81234567, name: "shop", id: 912345678 }] });
});
afterAll(() => gh?.stop());

describe("github-ids", () => {
  it("prints the owner's and the repository's ids and the immutable subject prefix, ready to paste", async () => {
    const r = await ids(["acme/shop"]);
    expect(r).toEqual({
      code: 0,
      err: "",
      out: [
        "// acme/shop: paste into the `github` block of environments/app.ts",
        'repository: "acme/shop",',
        "ownerId: 81234567,",
        "repositoryId: 912345678,",
        "// OIDC subject prefix (immutable): repo:acme@81234567/shop@912345678",
        "",
      ].join("\n"),
    });
  });

  it("uses GitHub's spelling of the names, and says so when the argument differs", async () => {
    const r = await ids(["ACME/Shop"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("GitHub spells it acme/shop");
    expect(r.out).toContain('repository: "acme/shop",');
  });

  it("accepts GITHUB_API_URL with a trailing slash", async () => {
    expect((await ids(["acme/shop"], { GITHUB_TOKEN: gh.token, GITHUB_API_URL: gh.apiUrl + "/" })).code).toBe(0);
  });

  it("exits 1 with a clear message for an unknown repository (404)", async () => {
    const r = await ids(["acme/nope"]);
    expect(r).toMatchObject({ code: 1, out: "" });
    expect(r.err).toMatch(/acme\/nope not found at http:\/\/127\.0\.0\.1:\d+\/api\/v3: check the spelling, or the token cannot see it/);
  });

  it("exits 1 for a rejected token (401) and never prints the token", async () => {
    const secret = "ghp_thisIsNotTheRightToken0123456789";
    const r = await ids(["acme/shop"], { GITHUB_TOKEN: secret, GITHUB_API_URL: gh.apiUrl });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/GitHub refused the token \(401 Bad credentials\)/);
    expect(r.out + r.err).not.toContain(secret);
    const good = await ids(["acme/shop"]);
    expect(good.out + good.err).not.toContain(gh.token);
  });

  it("exits 1 without a token, before any request", async () => {
    const before = gh.calls.length;
    const r = await ids(["acme/shop"], { GITHUB_API_URL: gh.apiUrl });
    expect(r).toMatchObject({ code: 1, out: "" });
    expect(r.err).toMatch(/GITHUB_TOKEN is not set/);
    expect(gh.calls.length).toBe(before);
  });

  it("exits 1 when the API cannot be reached", async () => {
    const port = await new Promise<number>((done) => {
      const s = createServer().listen(0, "127.0.0.1", () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => done(p));
      });
    });
    const r = await ids(["acme/shop"], { GITHUB_TOKEN: "x", GITHUB_API_URL: `http://127.0.0.1:${port}` });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/cannot reach http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
  });

  it.each([[[]], [["acme"]], [["acme/shop", "extra"]], [["acme/*"]], [["https://github.com/acme/shop"]]])("exits 2 on bad usage %p", async (args) => {
    const r = await ids(args);
    expect(r.code).toBe(2);
    expect(r.err).toContain("usage: GITHUB_TOKEN=<token> node dist/scripts/github-ids.js <owner>/<repository>");
  });

  it.each([
    ["acme/..", /the repository name cannot be '\.\.'/],
    ["acme/.", /the repository name cannot be '\.'/],
    ["acme/shop.git", /cannot end in '\.git'/],
    ["-acme/shop", /the owner must be/],
    ["acme-/shop", /the owner must be/],
    ["ac--me/shop", /the owner must be/],
    ["acme/sh op", /the repository name must be/],
    ["acme/shop/extra", /must be 'owner\/name'/],
    ["acme/shop\nline", /the repository name must be/],
    ["/", /the owner must be/],
  ])("refuses %p as GitHub would (exit 2), before any request", async (arg, problem) => {
    const before = gh.calls.length;
    const r = await ids([arg]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(problem);
    expect(r.err).toContain(JSON.stringify(arg));
    expect(r.err.split("\n").length).toBe(2);
    expect(gh.calls.length).toBe(before);
  });

  it.each([
    ["a line feed at the end (a token read from a file)", "\n"],
    ["a line feed inside", "\nX-Injected: 1"],
    ["a space", " "],
    ["a carriage return", "\r"],
  ])("refuses a token with %s (exit 1), never printing it, before any request", async (_what, extra) => {
    const before = gh.calls.length;
    const token = `${gh.token}${extra}`;
    const r = await ids(["acme/shop"], { GITHUB_TOKEN: token, GITHUB_API_URL: gh.apiUrl });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/GITHUB_TOKEN has \d+ characters, some of them white space.*the token is not shown/);
    expect(r.out + r.err).not.toContain(gh.token);
    expect(gh.calls.length).toBe(before);
  });

  it("exits 2 on a GITHUB_API_URL that is not a URL", async () => {
    expect((await ids(["acme/shop"], { GITHUB_TOKEN: "x", GITHUB_API_URL: "api.github.com" })).code).toBe(2);
  });

  it("speaks GitHub's protocol: every request and response conformed to the description", () => {
    expect(gh.calls.filter((c) => c.operationId === "repos/get").length).toBeGreaterThanOrEqual(5);
    expect(gh.violations).toEqual([]);
    expect(gh.unexpectedCalls).toEqual([]);
  });

  it("refuses to send the token over plain http to anything but loopback", async () => {
    const r = await ids(["acme/shop"], { GITHUB_TOKEN: gh.token, GITHUB_API_URL: "http://github.example.com" });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/must be an https URL \(plain http only on loopback\)/);
    expect(r.err).not.toContain(gh.token);
  });
});
