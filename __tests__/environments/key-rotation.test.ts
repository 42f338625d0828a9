/**
 * The rotation file (environments/key-rotation.json) is checked whole, and a
 * rotation moves one step per commit: a broken file, an entry nobody reads
 * or a jump that deletes the published key without overlap is refused with
 * the file and field named, never a stack trace.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { ConfigError, ENVIRONMENTS, loadEnvironments } from "../../environments";
import {
  parseKeyRotation,
  readKeyRotation,
  rotationTransitionProblem,
  rotationTransitionProblems,
  withKeyRotation,
  type KeyRotationFile,
} from "../../environments/key-rotation";
import { PROJECT_ROOT } from "../../scripts/lib/toolchain";
import { runSynth } from "../../stacks/synthesize";
import { FIXTURE_ENVIRONMENTS } from "../helpers";

/** The fixture app's environments (dev, staging, prod), which the cases below name. */
const NAMES = FIXTURE_ENVIRONMENTS.map((e) => e.name);
/** The committed environments, which the committed rotation file names. */
const COMMITTED_NAMES = ENVIRONMENTS.map((e) => e.name);

describe("the rotation file's content", () => {
  it.each<[string, unknown, RegExp]>([
    ["null", null, /^key-rotation\.json: must be a JSON object of environments \(\{\} when nothing was rotated\), not null$/],
    ["an array", [], /^key-rotation\.json: must be a JSON object .*not an array$/],
    ["a number", 3, /^key-rotation\.json: must be a JSON object .*not number$/],
    ["a string", "dev", /^key-rotation\.json: must be a JSON object .*not string$/],
    [
      "an unknown environment",
      { qa: { ecr: { generation: 2, previousKey: "active" } } },
      /^key-rotation\.json\["qa"\]: no environment is named "qa" \(environments: dev/,
    ],
    [
      "an environment in the wrong case",
      { Dev: { ecr: { generation: 2, previousKey: "active" } } },
      /^key-rotation\.json\["Dev"\]: .*case-sensitive: did you mean "dev"\?/,
    ],
    ["an environment name with a line feed", { "dev\nACCEPTED": {} }, /^key-rotation\.json\["dev\\nACCEPTED"\]: no environment/],
    ["an environment entry that is null", { dev: null }, /^key-rotation\.json\.dev: must be an object .*not null/],
    ["an unknown user", { dev: { ECR: { generation: 2, previousKey: "active" } } }, /^key-rotation\.json\.dev\["ECR"\]: is not a key user/],
    ["a generation of 0", { dev: { ecr: { generation: 0, previousKey: "deleted" } } }, /^key-rotation\.json\.dev\.ecr\.generation: /],
    ["a fractional generation", { dev: { s3: { generation: 2.5, previousKey: "active" } } }, /^key-rotation\.json\.dev\.s3\.generation: /],
    ["a generation as text", { dev: { s3: { generation: "2", previousKey: "active" } } }, /^key-rotation\.json\.dev\.s3\.generation: /],
    ["an unknown previousKey", { dev: { ecr: { generation: 2, previousKey: "gone" } } }, /^key-rotation\.json\.dev\.ecr\.previousKey: /],
    ["a user entry that is null", { dev: { ecr: null } }, /^key-rotation\.json\.dev\.ecr: /],
    ["an extra field", { dev: { ecr: { generation: 2, previousKey: "active", note: "x" } } }, /^key-rotation\.json\.dev\.ecr: /],
    [
      "generation 1 with a previous key",
      { dev: { ecr: { generation: 1, previousKey: "active" } } },
      /^key-rotation\.json\.dev\.ecr: generation 1 has no previous key/,
    ],
  ])("refuses %s", (_what, raw, message) => {
    const { problems } = parseKeyRotation(raw, NAMES);
    expect(problems).toEqual([expect.stringMatching(message)]);
  });

  it("refuses it through config, naming the file, without a stack trace (synth reports ConfigError)", () => {
    for (const raw of [null, { Dev: {} }, { dev: { ecr: { generation: -1 } } }, "garbage"]) {
      let error: unknown;
      try {
        loadEnvironments(withKeyRotation(FIXTURE_ENVIRONMENTS, raw));
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems[0]).toMatch(/^key-rotation\.json/);
    }
  });

  it("accepts the committed file and {}", () => {
    expect(parseKeyRotation({}, NAMES).problems).toEqual([]);
    expect(readKeyRotation(join(PROJECT_ROOT, "environments", "key-rotation.json"), COMMITTED_NAMES).problems).toEqual([]);
    expect(() => loadEnvironments(ENVIRONMENTS)).not.toThrow();
  });
});

describe("one step per commit", () => {
  const r = (generation: number, previousKey: "active" | "inactive" | "deleted") => ({ generation, previousKey });
  it.each([
    // allowed
    [r(1, "deleted"), r(1, "deleted"), true],
    [r(1, "deleted"), r(2, "active"), true],
    [r(2, "active"), r(2, "inactive"), true],
    [r(2, "inactive"), r(2, "deleted"), true],
    [r(2, "deleted"), r(3, "active"), true],
    [r(2, "inactive"), r(2, "active"), true], // undoing a deactivation
    // refused
    [r(1, "deleted"), r(3, "active"), false], // two generations: the published key g1 is deleted at once
    [r(2, "active"), r(4, "active"), false],
    [r(1, "deleted"), r(2, "deleted"), false], // new key, old one deleted in the same apply
    [r(1, "deleted"), r(2, "inactive"), false],
    [r(2, "active"), r(2, "deleted"), false], // skips deactivation
    [r(3, "deleted"), r(2, "active"), false], // a generation going back
    [r(2, "deleted"), r(2, "active"), false], // a deleted key cannot come back
  ])("%p -> %p allowed: %p", (before, after, allowed) => {
    expect(rotationTransitionProblem(before, after) === undefined).toBe(allowed);
  });

  it("names the file, environment and user of a jump", () => {
    expect(rotationTransitionProblems({}, { dev: { ecr: r(3, "active") } })).toEqual([
      expect.stringMatching(
        /^key-rotation\.json\.dev\.ecr: generation 1 \(previous key deleted\) -> generation 3 \(previous key active\) in one commit is more than one step/,
      ),
    ]);
  });

  it("holds for every commit of environments/key-rotation.json and the working copy", () => {
    const git = (...args: string[]) => execFileSync("git", args, { cwd: PROJECT_ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    let commits: string[];
    try {
      commits = git("log", "--format=%H", "--", "environments/key-rotation.json").split("\n").filter(Boolean).reverse();
    } catch {
      // A source tarball without git history: nothing to compare, reported as a skip.
      console.warn("SKIPPED: no git history to check rotation steps against");
      return;
    }
    const at = (rev: string): KeyRotationFile => {
      try {
        return parseKeyRotation(JSON.parse(git("show", `${rev}:environments/key-rotation.json`)), COMMITTED_NAMES).data;
      } catch {
        return {};
      }
    };
    const problems: string[] = [];
    let before: KeyRotationFile = {};
    for (const commit of commits) {
      const after = at(commit);
      problems.push(...rotationTransitionProblems(before, after).map((p) => `${commit.slice(0, 8)} ${p}`));
      before = after;
    }
    const working = readKeyRotation(join(PROJECT_ROOT, "environments", "key-rotation.json"), COMMITTED_NAMES).data;
    problems.push(...rotationTransitionProblems(at("HEAD"), working).map((p) => `working copy ${p}`));
    expect(problems).toEqual([]);
  });
});

describe("the rotation file's problems reach synth", () => {
  it.each([null, "x", { Dev: {} }, { dev: { ecr: { generation: 3, previousKey: "gone" } } }])(
    "%j: runSynth exits 1 naming the file, no stack trace, even after the inputs are copied",
    (raw) => {
      const errors: string[] = [];
      const copied = withKeyRotation(FIXTURE_ENVIRONMENTS, raw).map((e) => ({ ...e }));
      // runSynth's sink is changing from a function to { error, info }: this one serves both.
      const sink = Object.assign((l: string) => void errors.push(l), { error: (l: string) => void errors.push(l) });
      expect(runSynth(copied, sink as unknown as Parameters<typeof runSynth>[1])).toBe(1);
      expect(errors.join("")).toMatch(/^invalid environment configuration:\n {2}- key-rotation\.json/);
      expect(errors.join("")).not.toMatch(/\n\s+at /);
    },
  );
});

describe("inputs that are not environments at all", () => {
  it("are refused as ConfigError naming their index, never a stack trace", () => {
    const junk = [null, 5, "dev", [], {}, { name: "dev\nx" }] as unknown as Parameters<typeof withKeyRotation>[0];
    let error: unknown;
    try {
      loadEnvironments(withKeyRotation(junk, { dev: {} }));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    for (const [i] of junk.entries()) expect(problems.some((p) => p.startsWith(`environments[${i}]`))).toBe(true);
  });
});
