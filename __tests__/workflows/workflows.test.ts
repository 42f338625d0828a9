/**
 * The workflows and the synthesized trust policies agree: the OIDC subject
 * each job presents (from its trigger and `environment:`) is allowed by the
 * role it assumes, and by no other role of the platform.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { Testing } from "cdktf";
import { parse } from "yaml";
import { ENVIRONMENTS, loadEnvironments } from "../../environments";
import { githubOidcProviderArn } from "../../environments/naming";
import { githubSubject, type GithubSubject } from "../../constructs/github-oidc";
import { EnvironmentStack } from "../../stacks/environment-stack";
import { GithubStack } from "../../stacks/github-stack";
import { ciStacks } from "../../scripts/ci/stacks";
import { simulateWebIdentity } from "../../scripts/lib/simulator";
import { resourcesOf, synthJson } from "../helpers";

const WORKFLOWS = join(__dirname, "..", "..", ".github", "workflows");
const envs = loadEnvironments(ENVIRONMENTS);
const real = envs.filter((e) => !e.emulatorEndpoint);
const repository = real[0].github.repository;

/** Every role of the platform with its synthesized trust policy. */
const roles = real.flatMap((env) => {
  const stack = new EnvironmentStack(Testing.app(), env);
  return [
    { arn: ciStacks([env])[0].deployRoleArn, env, trust: JSON.parse(stack.deployRole.trustPolicyJson) },
    { arn: ciStacks([env])[0].planRoleArn, env, trust: JSON.parse(stack.planRole!.trustPolicyJson) },
  ];
});

/** AWS_ROLE_ARN as the GitHub stack writes it into each GitHub environment. */
const roleVariableByGithubEnvironment = new Map(
  real.map((env) => {
    const json = synthJson(new GithubStack(Testing.app(), env));
    const v = resourcesOf(json, "github_actions_environment_variable").find((r) => r.variable_name === "AWS_ROLE_ARN")!;
    const [githubEnvironment] = resourcesOf(json, "github_repository_environment");
    // The variable lives in the environment resource the stack creates (a reference, resolved here).
    expect(v.environment).toMatch(/^\$\{github_repository_environment\..+\.environment\}$/);
    return [githubEnvironment.environment as string, v.value as string];
  }),
);

interface Job {
  workflow: string;
  name: string;
  def: any;
  on: any;
}

const jobs: Job[] = readdirSync(WORKFLOWS)
  .filter((f) => f.endsWith(".yml"))
  .flatMap((file) => {
    const wf = parse(readFileSync(join(WORKFLOWS, file), "utf8"));
    return Object.entries<any>(wf.jobs).map(([name, def]) => ({ workflow: file, name, def, on: wf.on }));
  });

const assumes = (job: Job) => (job.def.steps ?? []).find((s: any) => String(s.uses ?? "").startsWith("aws-actions/configure-aws-credentials@"));

/** The GitHub environments a job may run in, from its `environment:` expression and the dispatch choices. */
function environmentsOf(job: Job): string[] {
  const value = job.def.environment;
  if (value === undefined) return [];
  const literal = String(typeof value === "object" ? value.name : value);
  const m = literal.match(/^\$\{\{\s*inputs\.environment\s*\|\|\s*'([^']+)'\s*\}\}$/);
  if (!m) return [literal];
  return [m[1], ...(job.on.workflow_dispatch?.inputs?.environment?.options ?? [])];
}

/** Every subject the job's token can carry. */
function subjectsOf(job: Job): { subject: GithubSubject; roleArn: string }[] {
  const step = assumes(job);
  const roleExpr = String(step.with["role-to-assume"]);
  const environments = environmentsOf(job);
  if (environments.length > 0) {
    expect(roleExpr).toBe("${{ vars.AWS_ROLE_ARN }}");
    return environments.map((name) => ({ subject: { kind: "environment", name }, roleArn: roleVariableByGithubEnvironment.get(name)! }));
  }
  expect(Object.keys(job.on)).toEqual(["pull_request"]); // a role-assuming job without environment runs on pull requests only
  expect(roleExpr).toBe("${{ matrix.env.planRoleArn }}");
  return ciStacks().map((s) => ({ subject: { kind: "pull_request" }, roleArn: s.planRoleArn }));
}

const decide = (roleArn: string, subject: GithubSubject) => {
  const role = roles.find((r) => r.arn === roleArn);
  if (!role) throw new Error(`no role ${roleArn} in the synthesized stacks`);
  return simulateWebIdentity(role.trust, role.arn, githubOidcProviderArn(role.env), {
    "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
    "token.actions.githubusercontent.com:sub": githubSubject(repository, subject),
  }).decision;
};

const roleJobs = jobs.filter((j) => assumes(j));

describe("workflows vs trust policies", () => {
  it("finds the role-assuming jobs: plan on pull requests and image delivery per environment", () => {
    expect(roleJobs.map((j) => `${j.workflow}:${j.name}`).sort()).toEqual(["deploy.yml:images", "plan.yml:plan"]);
  });

  it.each(roleJobs.map((j) => [`${j.workflow}:${j.name}`, j] as const))("%s: every subject it presents is allowed by the role it assumes", (_n, job) => {
    const pairs = subjectsOf(job);
    expect(pairs.length).toBeGreaterThan(0);
    for (const { subject, roleArn } of pairs) expect([githubSubject(repository, subject), roleArn, decide(roleArn, subject)]).toEqual([githubSubject(repository, subject), roleArn, "Allowed"]);
  });

  it.each(roleJobs.map((j) => [`${j.workflow}:${j.name}`, j] as const))("%s: no subject it presents is allowed by any other role", (_n, job) => {
    for (const { subject, roleArn } of subjectsOf(job)) {
      for (const other of roles.filter((r) => r.arn !== roleArn)) {
        const planOfAnotherEnv = subject.kind === "pull_request" && other.arn.endsWith("-github-plan");
        // Pull requests may plan every environment: one subject, every plan role, by design.
        expect([githubSubject(repository, subject), other.arn, decide(other.arn, subject)]).toEqual([githubSubject(repository, subject), other.arn, planOfAnotherEnv ? "Allowed" : "ImplicitlyDenied"]);
      }
    }
  });

  it("the deploy job covers exactly the GitHub environments the deploy roles trust", () => {
    const job = roleJobs.find((j) => j.workflow === "deploy.yml")!;
    expect(environmentsOf(job).sort()).toEqual(real.map((e) => e.github.deployFrom.name).sort());
  });

  it("plan jobs run without a GitHub environment (which would change their subject)", () => {
    expect(roleJobs.find((j) => j.workflow === "plan.yml")!.def.environment).toBeUndefined();
  });
});

describe("workflow permissions are least", () => {
  it.each(readdirSync(WORKFLOWS).filter((f) => f.endsWith(".yml")))("%s: top-level permissions grant nothing beyond contents: read", (file) => {
    const wf = parse(readFileSync(join(WORKFLOWS, file), "utf8"));
    expect([{}, { contents: "read" }]).toContainEqual(wf.permissions);
  });

  it.each(jobs.map((j) => [`${j.workflow}:${j.name}`, j] as const))("%s: id-token: write only where a role is assumed", (_n, job) => {
    expect(job.def.permissions?.["id-token"] === "write").toBe(Boolean(assumes(job)));
  });

  it.each(jobs.map((j) => [`${j.workflow}:${j.name}`, j] as const))("%s: every action is pinned to an exact version", (_n, job) => {
    for (const step of job.def.steps ?? []) if (step.uses) expect(step.uses).toMatch(/@(v\d+\.\d+\.\d+|[0-9a-f]{40})$/);
  });
});
