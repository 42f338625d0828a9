/**
 * Deployment branch and tag patterns, judged by GitHub's own matching rule
 * (Ruby File.fnmatch with FNM_PATHNAME) evaluated against sample refs, not by
 * a list of spellings: a pattern is refused exactly when it matches refs that
 * do not start with its literal leading text.
 */
import { ConfigError, loadEnvironments } from "../../environments";
import { literalPrefix, refPatternMatches, refPatternProblem } from "../../environments/ref-pattern";
import { envInput, TEST_REPOSITORY } from "../helpers";

describe("GitHub's matching rule (File.fnmatch, FNM_PATHNAME)", () => {
  it.each<[string, string, boolean]>([
    ["main", "main", true],
    ["main", "main2", false],
    ["release/*", "release/1.0", true],
    ["release/*", "release/1.0/hotfix", false], // `*` never crosses '/'
    ["release/*/*", "release/1.0/hotfix", true],
    ["release/**/fix", "release/fix", true], // `**/` spans zero segments
    ["release/**/fix", "release/a/b/fix", true],
    ["release/**", "release/a/b", false], // a trailing `**` is an ordinary `*`
    ["release/**", "release/a", true],
    ["v*", "v1.2.3", true],
    ["v*", "x1.2.3", false],
    ["v?", "v1", true],
    ["v?", "v/", false], // `?` never matches '/'
    ["v[0-9]*", "v7-beta", true],
    ["v[0-9]*", "va", false],
    ["v[!0-9]", "va", true],
    ["v[^0-9]", "v1", false],
    ["v[/]x", "v/x", false], // a bracket never matches '/'
    ["v\\*", "v*", true], // an escaped wildcard is literal
    ["v\\*", "v1", false],
    ["?*", "attacker-branch", true],
    ["?*", "a/b", false],
    ["[a-z]*", "evil", true],
    ["*", "anything", true],
    ["*", "feature/x", false],
    ["*/*", "feature/x", true],
    ["**/*", "a/b/c", true],
    ["rel{ease,x}", "release", false], // no FNM_EXTGLOB: braces are literal
    ["rel{ease,x}", "rel{ease,x}", true],
  ])("%p matches %p: %p", (pattern, ref, expected) => {
    expect(refPatternMatches(pattern, ref)).toBe(expected);
  });
});

/** Refs an attacker with push access could create, in many namespaces and depths. */
const SAMPLE_REFS = [
  "main",
  "attacker",
  "a",
  "Z9",
  "evil-main",
  "release",
  "release-candidate",
  "release/1.0",
  "release/1.0/hotfix",
  "releasex/1",
  "v1",
  "v1.2.3",
  "x/v1",
  "feature/login",
  "deps/bump/foo",
  "1.0",
  "-dash",
  "_under",
  "attacker-release",
];

describe("which patterns open an environment too wide", () => {
  it.each([
    // refused: the first character already matches freely
    ["?*", true],
    ["?", true],
    ["[a-z]*", true],
    ["[!x]*", true],
    ["*", true],
    ["**", true],
    ["*/*", true],
    ["**/*", true],
    ["*-release", true],
    ["\\*", true],
    ["{main,x}", true],
    ["/main", true],
    // accepted: literal leading text
    ["main", false],
    ["release/*", false],
    ["release/**/*", false],
    ["v*", false],
    ["v[0-9]*", false],
    ["releases/v?.*", false],
  ])("%p refused: %p", (pattern, refused) => {
    expect(refPatternProblem(pattern) !== undefined).toBe(refused);
    const prefix = literalPrefix(pattern);
    const beyond = SAMPLE_REFS.filter((ref) => refPatternMatches(pattern, ref) && !ref.startsWith(prefix === "" ? "\0" : prefix));
    // An accepted pattern matches no sample ref outside its literal text; a refused one (bar those matching nothing here) does.
    if (!refused) expect(beyond).toEqual([]);
    else if (!["\\*", "{main,x}", "/main"].includes(pattern)) expect(beyond.length).toBeGreaterThan(0);
  });

  it.each(["?*", "[a-z]*", "[!.]*", "**/*"])("config refuses %p as a branch or tag pattern, naming the field", (pattern) => {
    for (const kind of ["branches", "tags"] as const) {
      const input = envInput({
        github: {
          ...TEST_REPOSITORY,
          deployFrom: { kind: "environment", name: "qa", protection: { deploymentRefs: { branches: ["main"], [kind]: [pattern] } } },
        },
      });
      let problems: readonly string[] = [];
      try {
        loadEnvironments([input]);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        problems = err.problems;
      }
      expect(problems).toEqual([
        expect.stringMatching(new RegExp(`^qa\\.github\\.deployFrom\\.protection\\.deploymentRefs\\.${kind}\\[0\\]: must start with a literal name part`)),
      ]);
    }
  });
});
