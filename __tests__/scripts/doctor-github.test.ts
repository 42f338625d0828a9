/**
 * `doctor github <env>`: the GitHub environment behind the deploy role read
 * from the REST API (the stand-in, checked against GitHub's OpenAPI
 * description) and compared with config, hand-added patterns included.
 */
import { loadEnvironments } from "../../environments";
import { runGithubDoctor } from "../../scripts/doctor";
import { protectionDrift } from "../../scripts/doctor/github-protection";
import { startGithubStandin, type GithubStandin } from "../support/github-standin";
import { envInput, TEST_REPOSITORY } from "../helpers";

const TEAM = 4312001;
const [env] = loadEnvironments([
  envInput({ name: "prod", github: { ...TEST_REPOSITORY, deployFrom: { kind: "environment", name: "prod", protection: { reviewers: { teams: [TEAM] } } } } }),
]);
const target = { repository: "acme/shop", name: "prod" };
let gh: GithubStandin;
const api = () => ({ url: gh.apiUrl, token: gh.token });

/** The environment as `prod-github` leaves it: main only, the team must approve, no self-review, no admin bypass. */
function asConfigured() {
  gh.createEnvironmentBehindTerraform(target);
  gh.editEnvironmentBehindTerraform(target, {
    deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true },
    addBranchPolicies: [{ name: "main", type: "branch" }],
    reviewers: { teams: [TEAM] },
    preventSelfReview: true,
    canAdminsBypass: false,
    waitTimer: 0,
  });
}

beforeAll(async () => {
  gh = await startGithubStandin({ repositories: [{ owner: "acme", ownerId: 1001, name: "shop", id: 2002 }], reviewers: { teams: [TEAM] } });
  asConfigured();
});
afterAll(() => gh?.stop());

describe("doctor github", () => {
  it("finds nothing when GitHub holds exactly what config says", async () => {
    expect(await protectionDrift(env, api())).toEqual([]);
  });

  it("names a branch pattern added by hand (no plan shows it), and the other weakenings", async () => {
    gh.editEnvironmentBehindTerraform(target, {
      addBranchPolicies: [{ name: "*", type: "branch" }],
      reviewers: { users: [], teams: [] },
      canAdminsBypass: true,
      waitTimer: 5,
    });
    expect(await protectionDrift(env, api())).toEqual([
      "'prod' lets branch '*' deploy, config does not: remove it in GitHub or add it to github.deployFrom.protection.deploymentRefs",
      `'prod' requires reviewers users [] teams [], config says users [] teams [${TEAM}]`,
      "'prod' prevent self-review is false, config says true",
      "'prod' waits 5 minutes, config says 0",
      "'prod' lets administrators bypass its rules: true, config says false",
    ]);
    let out = "";
    const code = await runGithubDoctor(["prod"], (s) => (out += s), [env], { GITHUB_TOKEN: gh.token, GITHUB_API_URL: gh.apiUrl });
    expect(code).toBe(1);
    expect(out).toMatch(/^GitHub environment 'prod' of acme\/shop differs from config:\n {2}- 'prod' lets branch '\*' deploy/);
    gh.editEnvironmentBehindTerraform(target, {
      removeBranchPolicies: [{ name: "*", type: "branch" }],
      reviewers: { teams: [TEAM] },
      canAdminsBypass: false,
      waitTimer: 0,
    });
    expect(await protectionDrift(env, api())).toEqual([]);
  });

  it("names an environment open to every branch", async () => {
    gh.editEnvironmentBehindTerraform(target, { deploymentBranchPolicy: null });
    expect(await protectionDrift(env, api())).toEqual([expect.stringMatching(/^'prod' has no deployment branch policy: every branch can deploy/)]);
    asConfigured();
  });

  it("exits 2 on bad usage, 1 without a token or on an environment that does not exist, never printing the token", async () => {
    const run = async (args: string[], vars: Record<string, string | undefined>, envs = [env]) => {
      let out = "";
      const code = await runGithubDoctor(args, (s) => (out += s), envs, vars);
      return { code, out };
    };
    expect((await run([], {})).code).toBe(2);
    expect((await run(["nope"], {})).code).toBe(2);
    expect(await run(["prod"], {})).toEqual({ code: 1, out: expect.stringMatching(/^GITHUB_TOKEN is not set/) });
    const [other] = loadEnvironments([envInput({ name: "uat", github: { ...TEST_REPOSITORY, deployFrom: { kind: "environment", name: "uat" } } })]);
    const missing = await run(["uat"], { GITHUB_TOKEN: gh.token, GITHUB_API_URL: gh.apiUrl }, [other]);
    expect(missing).toEqual({ code: 1, out: expect.stringContaining("GitHub environment 'uat' does not exist: apply uat-github") });
    expect(missing.out).not.toContain(gh.token);
  });

  it("the stand-in saw only requests GitHub's description allows", () => {
    expect(gh.violations).toEqual([]);
    expect(gh.unexpectedCalls).toEqual([]);
  });
});
