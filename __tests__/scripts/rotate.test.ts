import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ENVIRONMENTS, loadEnvironments } from "../../environments";
import { nextRotation, withKeyRotation } from "../../environments/key-rotation";
import { runRotate } from "../../scripts/rotate";

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

describe("the rotation file in config", () => {
  it("reaches the environment it names and only that one", () => {
    const envs = loadEnvironments(withKeyRotation(ENVIRONMENTS, { staging: { s3: { generation: 4, previousKey: "inactive" } } }));
    expect(envs.find((e) => e.name === "staging")!.keyRotation).toEqual({
      ecr: { generation: 1, previousKey: "deleted" },
      s3: { generation: 4, previousKey: "inactive" },
    });
    expect(envs.find((e) => e.name === "dev")!.keyRotation.s3).toEqual({ generation: 1, previousKey: "deleted" });
  });

  it("is validated with the rest of config (an impossible state is refused, naming env and field)", () => {
    expect(() => loadEnvironments(withKeyRotation(ENVIRONMENTS, { dev: { ecr: { generation: 1, previousKey: "active" } } }))).toThrow(
      /key-rotation\.json\.dev\.ecr: generation 1 has no previous key/,
    );
  });
});
