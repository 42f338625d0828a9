/**
 * No command argument produces a stack trace: bad argv for rotate, doctor
 * trust and github-ids ends in a usage line or a refusal naming the argument,
 * escaped, with exit 2 (usage) or 1 (refused), and nothing written.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runRotate } from "../../scripts/rotate";
import { runTrustCommand } from "../../scripts/doctor/trust";
import { runGithubIds } from "../../scripts/github-ids";
import { githubRepositoryProblem } from "../../environments/github-names";

const STACK_FRAME = /\n\s+at .+:\d+:\d+/;
const HOSTILE = [
  "",
  " ",
  "-",
  "--",
  "-h",
  "\n",
  "dev\nACCEPTED",
  "\u0000",
  "\u001b[31mred",
  "x".repeat(10_000),
  "--sub",
  "--retire=yes",
  "../../etc/passwd",
  "é",
  "\u2028",
];

function rotate(args: string[]) {
  const file = join(mkdtempSync(join(tmpdir(), "bad-args-")), "key-rotation.json");
  writeFileSync(file, "{}\n");
  let out = "";
  const code = runRotate(args, file, (l) => (out += l), { baseline: () => undefined });
  return { code, out, after: readFileSync(file, "utf8") };
}

describe("rotate", () => {
  it.each([
    [[]],
    [["dev"]],
    [["dev", "ecr", "s3"]],
    [["dev", "github"]],
    [["dev", "ECR"]],
    [["Dev", "ecr"]],
    [["dev", "ecr", "--retire", "--retire"]],
    [["dev", "ecr", "-r"]],
    [["dev", "ecr", "--force"]],
    ...HOSTILE.map((h) => [[h, "ecr"]]),
    ...HOSTILE.map((h) => [["dev", h]]),
  ])("%j: exit 1 or 2, a message, no stack trace, nothing written", (args) => {
    const r = rotate(args as string[]);
    expect([1, 2]).toContain(r.code);
    expect(r.out).not.toMatch(STACK_FRAME);
    expect(r.out).toMatch(/usage: npm run rotate|nothing written/);
    expect(r.after).toBe("{}\n");
    for (const line of r.out.split("\n")) expect(line).not.toMatch(/^ACCEPTED/);
  });
});

describe("doctor trust", () => {
  it.each([
    [[]],
    [["dev"]],
    [["dev", "--sub"]],
    [["dev", "--sub", ""]],
    [["dev", "--sub", "   "]],
    [["--sub", "repo:acme/shop:environment:dev"]],
    [["dev", "extra", "--sub", "x"]],
    [["dev", "--sub", "x", "--aud"]],
    [["dev", "--bogus"]],
    [["dev", "--sub=x", "--sub=y", "--what"]],
    ...HOSTILE.map((h) => [[h, "--sub", "repo:acme/shop:environment:dev"]]),
    ...HOSTILE.map((h) => [["dev", "--sub", h]]),
    ...HOSTILE.map((h) => [["dev", "--sub", "repo:acme/shop:environment:dev", "--aud", h]]),
  ])("%j: a verdict or usage, no stack trace, no forged line", (args) => {
    let out = "";
    const code = runTrustCommand(args as string[], (s) => (out += s));
    expect([0, 1, 2]).toContain(code);
    expect(out).not.toMatch(STACK_FRAME);
    const lines = out.split("\n");
    for (const line of lines) expect(line).toMatch(/^[\x20-\x7e]*$/);
    expect(lines.filter((l) => l.startsWith("ACCEPTED")).length).toBeLessThanOrEqual(code === 0 ? 1 : 0);
  });
});

describe("github-ids", () => {
  const token = "ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
  it.each([
    [[]],
    [["acme"]],
    [["acme/shop", "x"]],
    [["acme/.."]],
    [["acme/."]],
    [["../acme"]],
    [["acme/shop?x=1"]],
    [["acme/shop#x"]],
    [["acme/%2e%2e"]],
    ...HOSTILE.map((h) => [[h]]),
    ...HOSTILE.map((h) => [[`acme/${h}`]]),
  ])("%j: usage (2) before any request, or a name GitHub allows, looked up (1 here); no stack trace, token never shown", async (args) => {
    let text = "";
    const code = await runGithubIds(args as string[], {
      // An address nothing listens on: a request would fail, and must not happen.
      env: { GITHUB_TOKEN: token, GITHUB_API_URL: "http://127.0.0.1:9" },
      out: (t) => (text += t),
      err: (t) => (text += t),
    });
    const [arg] = args as string[];
    const allowedByGithub = (args as string[]).length === 1 && githubRepositoryProblem(arg) === undefined;
    expect(code).toBe(arg === "-h" ? 0 : allowedByGithub ? 1 : 2);
    if (code === 1) expect(text).toMatch(/^cannot reach http:\/\/127\.0\.0\.1:9: /);
    expect(text).not.toMatch(STACK_FRAME);
    expect(text).not.toContain(token);
    for (const line of text.split("\n")) expect(line).toMatch(/^[\x20-\x7e]*$/);
  });

  it.each([
    ["GITHUB_API_URL not a URL", { GITHUB_TOKEN: token, GITHUB_API_URL: "not a url\nX" }, 2],
    ["GITHUB_API_URL plain http elsewhere", { GITHUB_TOKEN: token, GITHUB_API_URL: "http://evil.example" }, 2],
    ["a token with a line feed", { GITHUB_TOKEN: `${token}\n`, GITHUB_API_URL: "http://127.0.0.1:9" }, 1],
    ["a token with a NUL", { GITHUB_TOKEN: `${token}\u0000`, GITHUB_API_URL: "http://127.0.0.1:9" }, 1],
  ])("%s: refused, token never shown", async (_what, env, expected) => {
    let text = "";
    const code = await runGithubIds(["acme/shop"], { env, out: (t) => (text += t), err: (t) => (text += t) });
    expect(code).toBe(expected);
    expect(text).not.toMatch(STACK_FRAME);
    expect(text).not.toContain(token);
    for (const line of text.split("\n")) expect(line).toMatch(/^[\x20-\x7e]*$/);
  });
});
