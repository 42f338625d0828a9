/**
 * Trust policies of the GitHub OIDC roles, evaluated by the IAM simulator
 * with the claims real GitHub Actions tokens carry.
 */
import { Testing } from "cdktf";
import { ENVIRONMENTS, loadEnvironments, type EnvironmentConfig } from "../../environments";
import { githubOidcProviderArn, githubRepositoryRef } from "../../environments/naming";
import { githubSubject, type GithubRepositoryRef, type GithubSubject } from "../../constructs/github-oidc";
import type { GithubOidcRole } from "../../constructs/github-oidc-role";
import { EnvironmentStack } from "../../stacks/environment-stack";
import { identitiesOf } from "../../stacks/identities";
import { simulateWebIdentity } from "../../scripts/lib/simulator";
import { APP_ENVIRONMENTS } from "../helpers";

const committed = loadEnvironments(APP_ENVIRONMENTS);
/** A repository from before 2026-06-18 that has not opted in: its tokens carry names only. */
const legacyDev = loadEnvironments([
  { ...ENVIRONMENTS[0], name: "legacy", github: { ...ENVIRONMENTS[0].github, subjectFormat: "legacy", ownerId: undefined, repositoryId: undefined } },
])[0];
const envs = [...committed, legacyDev];
const sub = (env: EnvironmentConfig, subject: GithubSubject) => githubSubject(githubRepositoryRef(env), subject);
const AUD = "sts.amazonaws.com";

/** The roles GitHub may assume, from the environment's identity catalogue, with their trust as synthesized. */
function githubRoles(env: EnvironmentConfig) {
  const stack = new EnvironmentStack(Testing.app(), env);
  return identitiesOf(env)
    .filter((i) => i.trust.by === "github")
    .map((i) => ({ kind: i.kind, arn: i.arn, trust: JSON.parse((stack.identities.get(i.kind) as GithubOidcRole).trustPolicyJson) }));
}

function assume(env: EnvironmentConfig, role: "deploy" | "plan", claims: { sub?: string; aud?: string }) {
  const found = githubRoles(env).find((r) => r.kind === `${role}-role`);
  if (!found) throw new Error(`${env.name} has no ${role} role`);
  const { trust, arn: roleArn } = found;
  const context: Record<string, string> = {};
  if (claims.sub !== undefined) context["token.actions.githubusercontent.com:sub"] = claims.sub;
  if (claims.aud !== undefined) context["token.actions.githubusercontent.com:aud"] = claims.aud;
  return simulateWebIdentity(trust, roleArn, githubOidcProviderArn(env), context).decision;
}

it("covers every role of every environment's catalogue that GitHub may assume", () => {
  for (const env of envs)
    expect(
      githubRoles(env)
        .map((r) => r.kind)
        .sort(),
    ).toEqual(["deploy-role", "plan-role"]);
});

describe("the simulator decides known GitHub cases right (checked before trusting it)", () => {
  const env = envs[0];
  it("allows the exact subject and audience", () => {
    expect(assume(env, "deploy", { sub: sub(env, env.github.deployFrom), aud: AUD })).toBe("Allowed");
  });
  it("denies when the subject differs by one character", () => {
    expect(assume(env, "deploy", { sub: `${sub(env, env.github.deployFrom)}x`, aud: AUD })).toBe("ImplicitlyDenied");
  });
  // IAM's StringEquals compares byte for byte: what `doctor trust` must reproduce instead of trimming or folding case.
  it.each([
    ["a trailing space", (s: string) => `${s} `],
    ["a leading space", (s: string) => ` ${s}`],
    ["a trailing line feed", (s: string) => `${s}\n`],
    ["a trailing NUL", (s: string) => `${s}\u0000`],
    [
      "the owner in another letter case",
      (s: string) => s.replace(/^repo:[^@/]+/, (o) => (o === o.toUpperCase() ? o.toLowerCase() : o.toUpperCase()).replace(/^REPO:/, "repo:")),
    ],
  ])("denies the exact subject with %s", (_what, alter) => {
    const exact = sub(env, env.github.deployFrom);
    expect(alter(exact)).not.toBe(exact);
    expect(assume(env, "deploy", { sub: alter(exact), aud: AUD })).toBe("ImplicitlyDenied");
  });
});

/** The same job's subject in the other format, and with the repository's identity altered. */
function variants(env: EnvironmentConfig, subject: GithubSubject): [string, string][] {
  const repo = githubRepositoryRef(env);
  const { owner, name } = repo;
  const as = (r: GithubRepositoryRef) => githubSubject(r, subject);
  const renamed = (o: string, n: string): GithubRepositoryRef => ({ ...repo, owner: o, name: n });
  const cases: [string, string][] = [
    ["another repository of the same owner", as(renamed(owner, `${name}-tools`))],
    ["another owner with the same repository name", as(renamed("evil", name))],
    ["an owner whose name starts with the owner's (repo:org* must not match org-evil)", as(renamed(`${owner}-evil`, name))],
    ["the owner in other letter case", as(renamed(owner.toUpperCase(), name))],
    ["the repository in other letter case", as(renamed(owner, name.toUpperCase()))],
  ];
  if (repo.subjectFormat === "immutable") {
    cases.push(
      [
        "the legacy (names only) form of the same repository: a later owner of the name would present it",
        githubSubject({ owner, name, subjectFormat: "legacy" }, subject),
      ],
      ["a re-created repository of the same name (new repository id)", as({ ...repo, repositoryId: repo.repositoryId + 1 })],
      ["the same names under a re-created owner (new owner id)", as({ ...repo, ownerId: repo.ownerId + 1 })],
      ["the ids swapped", as({ ...repo, ownerId: repo.repositoryId, repositoryId: repo.ownerId })],
    );
  } else {
    cases.push([
      "the immutable form (the repository opted in but config still says legacy)",
      githubSubject({ owner, name, subjectFormat: "immutable", ownerId: 1, repositoryId: 2 }, subject),
    ]);
  }
  return cases;
}

describe.each(envs.map((e) => [`${e.name} (${e.github.subjectFormat} subjects)`, e] as const))("deploy role of %s", (_name, env) => {
  const allowed = sub(env, env.github.deployFrom);
  const deployName = env.github.deployFrom.name;

  it(`may be assumed by ${allowed}`, () => {
    expect(assume(env, "deploy", { sub: allowed, aud: AUD })).toBe("Allowed");
  });

  it.each([
    ...variants(env, env.github.deployFrom),
    ["another branch", sub(env, { kind: "branch", name: `${deployName}-feature` })],
    ["a branch whose name starts with the allowed one", allowed + "-evil"],
    ["another GitHub environment", sub(env, { kind: "environment", name: `${deployName}-2` })],
    ["a tag", sub(env, { kind: "tag", name: "v1.0.0" })],
    ["a pull request", sub(env, { kind: "pull_request" })],
  ])("may not be assumed from %s", (_what, denied) => {
    expect(denied).not.toBe(allowed);
    expect(assume(env, "deploy", { sub: denied, aud: AUD })).toBe("ImplicitlyDenied");
  });

  if (env.github.deployFrom.kind === "environment") {
    it("may not be assumed by the branch subject: a job with `environment:` presents the environment subject", () => {
      expect(assume(env, "deploy", { sub: sub(env, { kind: "branch", name: "main" }), aud: AUD })).toBe("ImplicitlyDenied");
    });
  } else {
    it("may not be assumed by a job that runs in a GitHub environment (its subject is the environment's)", () => {
      expect(assume(env, "deploy", { sub: sub(env, { kind: "environment", name: deployName }), aud: AUD })).toBe("ImplicitlyDenied");
    });
  }

  it.each([
    ["a wrong audience", { sub: allowed, aud: "sigstore" }],
    ["no audience", { sub: allowed }],
    ["no subject", { aud: AUD }],
  ])("may not be assumed with %s", (_what, claims) => {
    expect(assume(env, "deploy", claims)).toBe("ImplicitlyDenied");
  });
});

describe.each(envs.map((e) => [`${e.name} (${e.github.subjectFormat} subjects)`, e] as const))("plan role of %s", (_name, env) => {
  const pr = sub(env, { kind: "pull_request" });

  it(`may be assumed by the repository's pull requests (${pr})`, () => {
    expect(assume(env, "plan", { sub: pr, aud: AUD })).toBe("Allowed");
  });

  it.each([
    ...variants(env, { kind: "pull_request" }),
    ["the deploy subject", sub(env, env.github.deployFrom)],
    ["a branch push", sub(env, { kind: "branch", name: "main" })],
  ])("may not be assumed by %s", (_what, denied) => {
    expect(assume(env, "plan", { sub: denied, aud: AUD })).toBe("ImplicitlyDenied");
  });

  it("may not be assumed with a wrong audience", () => {
    expect(assume(env, "plan", { sub: pr, aud: "https://github.com/acme" })).toBe("ImplicitlyDenied");
  });
});
