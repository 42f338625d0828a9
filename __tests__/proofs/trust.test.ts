/**
 * Trust policies of the GitHub OIDC roles, evaluated by the IAM simulator
 * with the claims real GitHub Actions tokens carry.
 */
import { Testing } from "cdktf";
import { ENVIRONMENTS, loadEnvironments, type EnvironmentConfig } from "../../environments";
import { deployRoleName, githubOidcProviderArn, iamArn, planRoleName } from "../../environments/naming";
import { githubSubject } from "../../constructs/github-oidc";
import { EnvironmentStack } from "../../stacks/environment-stack";
import { simulateWebIdentity } from "../../scripts/lib/simulator";

const envs = loadEnvironments(ENVIRONMENTS);
const AUD = "sts.amazonaws.com";

function assume(env: EnvironmentConfig, role: "deploy" | "plan", claims: { sub?: string; aud?: string }) {
  const stack = new EnvironmentStack(Testing.app(), env);
  const trust = JSON.parse(role === "deploy" ? stack.deployRole.trustPolicyJson : stack.planRole!.trustPolicyJson);
  const roleArn = iamArn(env, `role/${role === "deploy" ? deployRoleName(env) : planRoleName(env)}`);
  const context: Record<string, string> = {};
  if (claims.sub !== undefined) context["token.actions.githubusercontent.com:sub"] = claims.sub;
  if (claims.aud !== undefined) context["token.actions.githubusercontent.com:aud"] = claims.aud;
  return simulateWebIdentity(trust, roleArn, githubOidcProviderArn(env), context).decision;
}

describe("the simulator decides known GitHub cases right (checked before trusting it)", () => {
  const env = envs[0];
  it("allows the exact subject and audience", () => {
    expect(assume(env, "deploy", { sub: githubSubject(env.github.repository, env.github.deployFrom), aud: AUD })).toBe("Allowed");
  });
  it("denies when the subject differs by one character", () => {
    expect(assume(env, "deploy", { sub: `${githubSubject(env.github.repository, env.github.deployFrom)}x`, aud: AUD })).toBe("ImplicitlyDenied");
  });
});

describe.each(envs.map((e) => [e.name, e] as const))("deploy role of %s", (_name, env) => {
  const [owner, repo] = env.github.repository.split("/");
  const allowed = githubSubject(env.github.repository, env.github.deployFrom);
  const deployName = env.github.deployFrom.name;

  it(`may be assumed by ${allowed}`, () => {
    expect(assume(env, "deploy", { sub: allowed, aud: AUD })).toBe("Allowed");
  });

  it.each([
    ["another repository of the same owner", allowed.replace(`repo:${owner}/${repo}:`, `repo:${owner}/${repo}-tools:`)],
    ["another owner with the same repository name", allowed.replace(`repo:${owner}/`, "repo:evil/")],
    ["an owner whose name starts with the owner's (repo:org* must not match org-evil)", allowed.replace(`repo:${owner}/`, `repo:${owner}-evil/`)],
    ["the owner in other letter case", allowed.replace(`repo:${owner}/`, `repo:${owner.toUpperCase()}/`)],
    ["another branch", githubSubject(env.github.repository, { kind: "branch", name: `${deployName}-feature` })],
    ["a branch whose name starts with the allowed one", allowed + "-evil"],
    ["another GitHub environment", githubSubject(env.github.repository, { kind: "environment", name: `${deployName}-2` })],
    ["a tag", githubSubject(env.github.repository, { kind: "tag", name: "v1.0.0" })],
    ["a pull request", githubSubject(env.github.repository, { kind: "pull_request" })],
  ])("may not be assumed from %s", (_what, sub) => {
    expect(sub).not.toBe(allowed);
    expect(assume(env, "deploy", { sub, aud: AUD })).toBe("ImplicitlyDenied");
  });

  if (env.github.deployFrom.kind === "environment") {
    it("may not be assumed by the branch subject: a job with `environment:` presents the environment subject", () => {
      expect(assume(env, "deploy", { sub: githubSubject(env.github.repository, { kind: "branch", name: "main" }), aud: AUD })).toBe("ImplicitlyDenied");
    });
  } else {
    it("may not be assumed by a job that runs in a GitHub environment (its subject is the environment's)", () => {
      expect(assume(env, "deploy", { sub: githubSubject(env.github.repository, { kind: "environment", name: deployName }), aud: AUD })).toBe("ImplicitlyDenied");
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

describe.each(envs.map((e) => [e.name, e] as const))("plan role of %s", (_name, env) => {
  const pr = githubSubject(env.github.repository, { kind: "pull_request" });

  it("may be assumed by the repository's pull requests", () => {
    expect(assume(env, "plan", { sub: pr, aud: AUD })).toBe("Allowed");
  });

  it.each([
    ["another repository's pull requests", pr.replace(/^repo:[^/]+\//, "repo:evil/")],
    ["the deploy subject", githubSubject(env.github.repository, env.github.deployFrom)],
    ["a branch push", githubSubject(env.github.repository, { kind: "branch", name: "main" })],
  ])("may not be assumed by %s", (_what, sub) => {
    expect(assume(env, "plan", { sub, aud: AUD })).toBe("ImplicitlyDenied");
  });

  it("may not be assumed with a wrong audience", () => {
    expect(assume(env, "plan", { sub: pr, aud: "https://github.com/acme" })).toBe("ImplicitlyDenied");
  });
});

describe("numeric ids pinned in the subject (a re-created repository of the same name cannot assume)", () => {
  const pinned = loadEnvironments([
    {
      name: "qa", app: "shop", accountId: "111111111111", region: "us-east-1", services: [{ name: "api" }], s3UserBuckets: ["shop-qa-assets"],
      github: { repository: "acme/shop", deployFrom: { kind: "environment", name: "qa" }, pinIds: { ownerId: 1001, repositoryId: 424242 } },
      state: { bucket: "acme-state-111111111111", key: "shop/qa.tfstate", region: "us-east-1" },
    },
  ])[0];
  const pin = pinned.github.pinIds!;

  it("allows the subject the repository's template produces", () => {
    expect(githubSubject("acme/shop", { kind: "environment", name: "qa" }, pin)).toBe("repo:acme/shop:repository_owner_id:1001:repository_id:424242:environment:qa");
    expect(assume(pinned, "deploy", { sub: githubSubject("acme/shop", { kind: "environment", name: "qa" }, pin), aud: AUD })).toBe("Allowed");
    expect(assume(pinned, "plan", { sub: githubSubject("acme/shop", { kind: "pull_request" }, pin), aud: AUD })).toBe("Allowed");
  });

  it.each([
    ["a re-created repository (new id, same name)", { ...pin, repositoryId: 999999 }],
    ["the same name under a re-created owner", { ...pin, ownerId: 2002 }],
  ])("denies %s", (_what, ids) => {
    expect(assume(pinned, "deploy", { sub: githubSubject("acme/shop", { kind: "environment", name: "qa" }, ids), aud: AUD })).toBe("ImplicitlyDenied");
  });

  it("denies GitHub's default subject (template not applied)", () => {
    expect(assume(pinned, "deploy", { sub: githubSubject("acme/shop", { kind: "environment", name: "qa" }), aud: AUD })).toBe("ImplicitlyDenied");
  });
});
