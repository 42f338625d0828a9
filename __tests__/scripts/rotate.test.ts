import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadEnvironments } from "../../environments";
import { envInput, FIXTURE_ENVIRONMENTS, TEST_REPOSITORY } from "../helpers";
import { nextRotation, withKeyRotation, type KeyRotationFile } from "../../environments/key-rotation";
import { runRotate } from "../../scripts/rotate";

// The command reads the app's environments: here the fixture app's (dev, staging, prod), which the expectations name.
jest.mock("../../environments/app", () => ({ APP: jest.requireActual("../fixtures/app").FIXTURE_APP }));
jest.mock("../../environments/key-rotation.json", () => ({}));

function rotationFile(content: object = {}) {
  const file = join(mkdtempSync(join(tmpdir(), "rotate-")), "key-rotation.json");
  writeFileSync(file, JSON.stringify(content));
  return file;
}

function run(args: string[], file: string) {
  const lines: string[] = [];
  const code = runRotate(args, file, (l) => lines.push(l));
  return { code, out: lines.join(""), data: JSON.parse(readFileSync(file, "utf8")) };
}

describe("nextRotation", () => {
  it("walks rotate -> retire (deactivate) -> retire (delete) -> rotate", () => {
    let r = { generation: 1, previousKey: "deleted" } as const as Parameters<typeof nextRotation>[0];
    const seen: string[] = [];
    for (const step of ["rotate", "retire", "retire", "rotate"] as const) {
      r = nextRotation(r, step);
      seen.push(`${r.generation}:${r.previousKey}`);
    }
    expect(seen).toEqual(["2:active", "2:inactive", "2:deleted", "3:active"]);
  });

  it("refuses a second rotation while a previous key exists (two slots)", () => {
    expect(() => nextRotation({ generation: 2, previousKey: "inactive" }, "rotate")).toThrow(/previous key is still inactive: retire it first/);
  });

  it("refuses to retire when there is nothing to retire", () => {
    expect(() => nextRotation({ generation: 1, previousKey: "deleted" }, "retire")).toThrow(/no previous key/);
  });
});

describe("npm run rotate", () => {
  it("rotates one user of one environment and writes nothing else", () => {
    const { code, out, data } = run(["dev", "ecr"], rotationFile());
    expect(code).toBe(0);
    expect(data).toEqual({ dev: { ecr: { generation: 2, previousKey: "active" } } });
    expect(out).toMatch(/dev ecr: generation 2: a new key becomes the published one/);
    expect(out).toMatch(/npx cdktf deploy dev-credentials/);
  });

  it("with keys published to GitHub, prints one command that deploys the credentials, then the GitHub stack, one at a time", () => {
    const qa = loadEnvironments([envInput({ github: { ...TEST_REPOSITORY, deployFrom: { kind: "environment", name: "qa" }, publishStaticEcrKeys: true } })]);
    const lines: string[] = [];
    expect(runRotate(["qa", "ecr"], rotationFile(), (l) => lines.push(l), { environments: () => qa })).toBe(0);
    expect(lines.join("")).toMatch(/commit it, then: npx cdktf deploy qa-credentials qa-github --parallelism 1\n$/);
  });

  it("retires in two steps, keeping other users' entries", () => {
    const file = rotationFile({ dev: { ecr: { generation: 2, previousKey: "active" }, s3: { generation: 5, previousKey: "deleted" } } });
    expect(run(["dev", "ecr", "--retire"], file).data.dev).toEqual({
      ecr: { generation: 2, previousKey: "inactive" },
      s3: { generation: 5, previousKey: "deleted" },
    });
    expect(run(["dev", "ecr", "--retire"], file).data.dev.ecr).toEqual({ generation: 2, previousKey: "deleted" });
  });

  it("refuses (exit 1) and writes nothing when a step would stack rotations", () => {
    const content = { prod: { s3: { generation: 2, previousKey: "active" } } };
    const file = rotationFile(content);
    const { code, out, data } = run(["prod", "s3"], file);
    expect(code).toBe(1);
    expect(out).toMatch(/prod s3: the previous key is still active: retire it first.*nothing written/);
    expect(data).toEqual(content);
  });

  it.each([[[]], [["dev"]], [["dev", "github"]], [["dev", "ecr", "--force"]], [["nope", "ecr"]]])("exits 2 on bad usage %p", (args) => {
    const file = rotationFile();
    const { code, out, data } = run(args, file);
    expect(code).toBe(2);
    expect(out).toMatch(/usage: npm run rotate -- <environment> <ecr\|s3> \[--retire\]/);
    expect(data).toEqual({});
  });
});

describe("npm run rotate refuses a rotation file it cannot trust, and writes nothing", () => {
  const raw = (text: string | undefined) => {
    const file = join(mkdtempSync(join(tmpdir(), "rotate-")), "key-rotation.json");
    if (text !== undefined) writeFileSync(file, text);
    return file;
  };
  it.each<[string, string | undefined, RegExp]>([
    ["missing", undefined, /^key-rotation\.json: .*key-rotation\.json is missing: restore it from git/],
    ["empty", "", /^key-rotation\.json: is not valid JSON/],
    ["corrupt", '{"dev": {"ecr": ', /^key-rotation\.json: is not valid JSON/],
    ["null", "null", /^key-rotation\.json: must be a JSON object of environments .*not null/],
    ["an array", "[]", /^key-rotation\.json: must be a JSON object/],
    ["an unknown environment", '{"qa": {}}', /^key-rotation\.json\["qa"\]: no environment is named "qa"/],
    ["an environment in the wrong case", '{"DEV": {"ecr": {"generation": 2, "previousKey": "active"}}}', /did you mean "dev"\?/],
    ["a bad generation", '{"dev": {"ecr": {"generation": "two", "previousKey": "active"}}}', /^key-rotation\.json\.dev\.ecr\.generation: /],
    ["a bad previousKey", '{"dev": {"s3": {"generation": 2, "previousKey": "maybe"}}}', /^key-rotation\.json\.dev\.s3\.previousKey: /],
    ["a user in the wrong case", '{"dev": {"S3": {"generation": 2, "previousKey": "active"}}}', /^key-rotation\.json\.dev\["S3"\]: is not a key user/],
  ])("%s", (_what, text, message) => {
    const file = raw(text);
    const lines: string[] = [];
    const code = runRotate(["dev", "ecr"], file, (l) => lines.push(l), { baseline: () => undefined });
    const out = lines.join("");
    expect(code).toBe(1);
    expect(out).toMatch(message);
    expect(out).toMatch(/nothing written\n$/);
    expect(out).not.toMatch(/\n\s+at /);
    expect(text === undefined ? existsSync(file) : readFileSync(file, "utf8")).toBe(text === undefined ? false : text);
  });

  it.each<[string, KeyRotationFile, KeyRotationFile, string[]]>([
    [
      "a second step before the first is committed (rotate, then retire)",
      {},
      { dev: { ecr: { generation: 2, previousKey: "active" } } },
      ["dev", "ecr", "--retire"],
    ],
    ["a rotation on top of a hand edit that already jumped", {}, { dev: { ecr: { generation: 2, previousKey: "deleted" } } }, ["dev", "ecr"]],
  ])("refuses %s", (_what, committed, working, args) => {
    const file = rotationFile(working);
    const lines: string[] = [];
    const code = runRotate(args, file, (l) => lines.push(l), { baseline: () => committed });
    expect(code).toBe(1);
    expect(lines.join("")).toMatch(/^dev ecr: generation 1 \(previous key deleted\) -> .* in one commit is more than one step.*nothing written/);
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual(working);
  });

  it("takes the next step once the previous one is committed", () => {
    const working: KeyRotationFile = { dev: { ecr: { generation: 2, previousKey: "active" } } };
    const file = rotationFile(working);
    expect(runRotate(["dev", "ecr", "--retire"], file, () => undefined, { baseline: () => working })).toBe(0);
    expect(JSON.parse(readFileSync(file, "utf8")).dev.ecr).toEqual({ generation: 2, previousKey: "inactive" });
  });
});

describe("the rotation file in config", () => {
  it("reaches the environment it names and only that one", () => {
    const envs = loadEnvironments(withKeyRotation(FIXTURE_ENVIRONMENTS, { staging: { s3: { generation: 4, previousKey: "inactive" } } }));
    expect(envs.find((e) => e.name === "staging")!.keyRotation).toEqual({
      ecr: { generation: 1, previousKey: "deleted" },
      s3: { generation: 4, previousKey: "inactive" },
    });
    expect(envs.find((e) => e.name === "dev")!.keyRotation.s3).toEqual({ generation: 1, previousKey: "deleted" });
  });

  it("is validated with the rest of config (an impossible state is refused, naming env and field)", () => {
    expect(() => loadEnvironments(withKeyRotation(FIXTURE_ENVIRONMENTS, { dev: { ecr: { generation: 1, previousKey: "active" } } }))).toThrow(
      /key-rotation\.json\.dev\.ecr: generation 1 has no previous key/,
    );
  });
});
