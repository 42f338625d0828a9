/**
 * The workflows and the synthesized trust policies agree: the OIDC subject
 * each job presents (from its trigger and `environment:`) is allowed by the
 * role it assumes, and by no other role of the platform.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Testing } from "cdktf";
import { parse } from "yaml";
import { APP, ENVIRONMENTS, loadEnvironments } from "../../environments";
import { githubOidcProviderArn, githubRepositoryRef } from "../../environments/naming";
import { githubSubject, type GithubSubject } from "../../constructs/github-oidc";
import type { GithubOidcRole } from "../../constructs/github-oidc-role";
import { EnvironmentStack } from "../../stacks/environment-stack";
import { identitiesOf } from "../../stacks/identities";
import { GITHUB_PROVIDER_VERSION, GithubStack } from "../../stacks/github-stack";
import { ciStacks } from "../../scripts/ci/stacks";
import {
  collectFiles,
  collectUses,
  mirrorOf,
  mirrorRoot,
  parseUses,
  pinProblems,
  shaProblems,
  tagCommit,
  where,
  workflowFiles,
  type UsesEntry,
} from "../support/action-pins";
import { simulateWebIdentity } from "../../scripts/lib/simulator";
import { resourcesOf, synthJson } from "../helpers";

const WORKFLOWS = join(__dirname, "..", "..", ".github", "workflows");
const envs = loadEnvironments(ENVIRONMENTS);
const real = envs.filter((e) => !e.emulatorEndpoint);
/** The repository as the roles trust it (immutable or legacy subject form, from config). */
const repository = githubRepositoryRef(real[0]);

/** Every role of the platform with its synthesized trust policy. */
const roles = real.flatMap((env) => {
  const stack = new EnvironmentStack(Testing.app(), env);
  // Every role GitHub may assume, from the identity catalogue: a new one is checked against the workflows as it is added.
  return identitiesOf(env)
    .filter((i) => i.trust.by === "github")
    .map((i) => ({ arn: i.arn, env, trust: JSON.parse((stack.identities.get(i.kind) as GithubOidcRole).trustPolicyJson) }));
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
    for (const { subject, roleArn } of pairs)
      expect([githubSubject(repository, subject), roleArn, decide(roleArn, subject)]).toEqual([githubSubject(repository, subject), roleArn, "Allowed"]);
  });

  it.each(roleJobs.map((j) => [`${j.workflow}:${j.name}`, j] as const))("%s: no subject it presents is allowed by any other role", (_n, job) => {
    for (const { subject, roleArn } of subjectsOf(job)) {
      for (const other of roles.filter((r) => r.arn !== roleArn)) {
        const planOfAnotherEnv = subject.kind === "pull_request" && other.arn.endsWith("-github-plan");
        // Pull requests may plan every environment: one subject, every plan role, by design.
        expect([githubSubject(repository, subject), other.arn, decide(other.arn, subject)]).toEqual([
          githubSubject(repository, subject),
          other.arn,
          planOfAnotherEnv ? "Allowed" : "ImplicitlyDenied",
        ]);
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

/** What GitHub lets run in each GitHub environment, read from the synthesized GitHub stacks. */
type RefPolicy = { protectedBranches: boolean; branches: string[]; tags: string[] } | undefined;
const refPolicyByGithubEnvironment = new Map<string, RefPolicy>(
  real.map((env) => {
    const json = synthJson(new GithubStack(Testing.app(), env));
    const [environment] = resourcesOf(json, "github_repository_environment");
    const policy = environment.deployment_branch_policy as { protected_branches: boolean; custom_branch_policies: boolean } | undefined;
    const patterns = resourcesOf(json, "github_repository_environment_deployment_policy");
    const refs: RefPolicy = policy && {
      protectedBranches: policy.protected_branches,
      branches: patterns.filter((p) => p.branch_pattern).map((p) => p.branch_pattern),
      tags: patterns.filter((p) => p.tag_pattern).map((p) => p.tag_pattern),
    };
    return [environment.environment as string, refs];
  }),
);

/** GitHub's deployment branch patterns (fnmatch): `*` stops at `/`, `**` does not. */
const refPatternMatches = (pattern: string, ref: string) => {
  const literal = (text: string) =>
    text
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, "[^/]*")
      .replace(/\?/g, "[^/]");
  return new RegExp(`^${pattern.split("**").map(literal).join(".*")}$`).test(ref);
};

/**
 * Why a job could reach an environment's role from a ref the environment does
 * not allow, or could never deploy: the environment's policy must exist and
 * name refs (never every branch), and each branch that triggers the job on
 * push must be one the environment allows. `workflow_dispatch` runs on any
 * branch, so there the environment's policy is the whole guard.
 */
function protectionProblems(triggers: { push?: string[]; anyBranch: boolean }, environment: string, refs: RefPolicy): string[] {
  if (!refs) return [`environment ${environment} has no deployment branch policy: every branch can run jobs in it`];
  const problems: string[] = [];
  if (!refs.protectedBranches && refs.branches.length + refs.tags.length === 0) problems.push(`environment ${environment} allows no ref at all`);
  for (const wide of [...refs.branches, ...refs.tags].filter((p) => /^\*+$/.test(p)))
    problems.push(`environment ${environment} allows '${wide}': every branch`);
  if (!refs.protectedBranches) {
    for (const branch of triggers.push ?? []) {
      if (!refs.branches.some((p) => refPatternMatches(p, branch)))
        problems.push(`push to ${branch} runs in ${environment}, which allows only ${refs.branches.join(", ") || "no branch"}: the job is refused`);
    }
  }
  return problems;
}

/** Which environment each trigger of the job runs in: push takes the expression's default, a dispatch its choices. */
function triggersByEnvironment(job: Job): Map<string, { push?: string[]; anyBranch: boolean }> {
  const result = new Map<string, { push?: string[]; anyBranch: boolean }>();
  const [byDefault, ...choices] = environmentsOf(job);
  if (job.on.push) result.set(byDefault, { push: job.on.push.branches ?? ["**"], anyBranch: !job.on.push.branches });
  for (const name of job.on.workflow_dispatch ? choices : []) result.set(name, { ...result.get(name), anyBranch: true });
  return result;
}

describe("workflows vs GitHub environment protection", () => {
  const deployJobs = roleJobs.filter((j) => environmentsOf(j).length > 0);

  it.each(
    deployJobs.flatMap((j) =>
      [...triggersByEnvironment(j)].map(([environment, triggers]) => [`${j.workflow}:${j.name} in ${environment}`, environment, triggers] as const),
    ),
  )("%s: reaches the deploy role only from refs the environment allows", (_n, environment, triggers) => {
    expect(protectionProblems(triggers, environment, refPolicyByGithubEnvironment.get(environment))).toEqual([]);
  });

  it("no job that pull requests start runs in a GitHub environment or uses pull_request_target", () => {
    for (const job of roleJobs) {
      expect(Object.keys(job.on)).not.toContain("pull_request_target");
      if (job.on.pull_request) expect(job.def.environment).toBeUndefined();
    }
  });

  it("the check fails where it should: no policy, a wildcard, a push branch outside the policy", () => {
    expect(protectionProblems({ anyBranch: true }, "prod", undefined)).toEqual([
      "environment prod has no deployment branch policy: every branch can run jobs in it",
    ]);
    expect(protectionProblems({ anyBranch: true }, "prod", { protectedBranches: false, branches: ["*"], tags: [] })).toEqual([
      "environment prod allows '*': every branch",
    ]);
    expect(protectionProblems({ push: ["develop"], anyBranch: false }, "dev", { protectedBranches: false, branches: ["main", "release/*"], tags: [] })).toEqual(
      ["push to develop runs in dev, which allows only main, release/*: the job is refused"],
    );
    expect(protectionProblems({ push: ["release/1.2"], anyBranch: false }, "dev", { protectedBranches: false, branches: ["release/*"], tags: [] })).toEqual([]);
    expect(refPatternMatches("release/*", "release/a/b")).toBe(false);
    expect(refPatternMatches("release/**", "release/a/b")).toBe(true);
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

/*
 * Supply chain: every remote action is pinned to a full commit SHA with its
 * release in a comment, and the SHA is that release's commit in a snapshot of
 * the action's repository (<PLATFORM_ACTION_MIRRORS or /work/.mirror>/<owner>+<name>/repo).
 * Without a snapshot the SHA check of that action is skipped (jest reports it so).
 */
const ROOT = join(__dirname, "..", "..");
const pinFiles = workflowFiles(ROOT, [".github/workflows", "examples"]);
const remoteUses = collectFiles(ROOT, pinFiles).filter((e) => !["local", "docker"].includes(parseUses(e.uses).kind));
const labelled = (es: UsesEntry[]) => es.map((e) => [`${where(e)} (${e.uses.replace(/@.*/, "")})`, e] as const);
const mirrorFor = (e: UsesEntry) => {
  const ref = parseUses(e.uses);
  return ref.kind === "remote" ? mirrorOf(ref.owner, ref.repo) : undefined;
};
const withSnapshot = remoteUses.filter((e) => mirrorFor(e) !== undefined);
const withoutSnapshot = remoteUses.filter((e) => mirrorFor(e) === undefined);

describe("actions are pinned to commit SHAs", () => {
  it("collects every uses: of the workflows and the examples", () => {
    expect(pinFiles).toEqual(
      expect.arrayContaining([
        ".github/workflows/ci.yml",
        ".github/workflows/deploy.yml",
        ".github/workflows/plan.yml",
        "examples/github-actions/app-image.yml",
      ]),
    );
    for (const file of pinFiles) {
      const lines = readFileSync(join(ROOT, file), "utf8")
        .split("\n")
        .filter((l) => /^\s*(-\s+)?uses\s*:/.test(l)).length;
      expect([file, collectUses(file, readFileSync(join(ROOT, file), "utf8")).length]).toEqual([file, lines]);
    }
    expect(remoteUses.length).toBeGreaterThan(0);
  });

  it.each(labelled(remoteUses))("%s: pinned to owner/repo@<40 hex> # vX.Y.Z", (_n, e) => {
    expect(pinProblems(e)).toEqual([]);
  });

  if (withSnapshot.length > 0)
    it.each(labelled(withSnapshot))("%s: the SHA is the commit of the tag in the comment (snapshot)", (_n, e) => {
      const dir = mirrorFor(e)!;
      expect(shaProblems(e, (tag) => tagCommit(dir, tag))).toEqual([]);
    });
  if (withoutSnapshot.length > 0)
    it.skip.each(labelled(withoutSnapshot))(`%s: the SHA is the commit of the tag in the comment (no snapshot under ${mirrorRoot()})`, () => undefined);
});

describe("the pin checker fails where it should", () => {
  const SHA = "11bd71901bbe5b1630ceea73d27597364c9af683";
  const OTHER = "0000000000000000000000000000000000000001";
  const wf = [
    "jobs:",
    "  build:",
    "    steps:",
    "      - uses: actions/checkout@v4.2.2",
    "      - name: Setup",
    "        uses: actions/setup-node@main",
    `      - uses: actions/cache@${SHA}`,
    `      - uses: actions/cache@${SHA} # 4.2.3`,
    "      - uses: actions/cache@11bd719 # v4.2.3",
    `      - id: good`,
    `        uses: actions/checkout@${SHA}   #  v4.2.2`,
    "      - uses: ./local-action",
    "      - uses: docker://alpine:3.20",
    "      - run: echo no uses here",
    "  reuse:",
    "    uses: acme/workflows/.github/workflows/build.yml@v1.0.0",
    "",
  ].join("\n");
  const es = collectUses("wf.yml", wf);
  const at = (line: number) => es.find((e) => e.line === line)!;

  it("collects steps and reusable-workflow calls with line, job, step and comment", () => {
    expect(es.map((e) => [e.line, e.job, e.step, e.comment])).toEqual([
      [4, "build", "#1", undefined],
      [6, "build", '#2 "Setup"', undefined],
      [7, "build", "#3", undefined],
      [8, "build", "#4", "4.2.3"],
      [9, "build", "#5", "v4.2.3"],
      [11, "build", '#6 "good"', "v4.2.2"],
      [12, "build", "#7", undefined],
      [13, "build", "#8", undefined],
      [16, "reuse", "(job)", undefined],
    ]);
  });

  it("a tag-only pin fails, naming file, job and step", () => {
    expect(pinProblems(at(4))).toEqual([
      'wf.yml:4: job build, step #1: actions/checkout@v4.2.2 is pinned to a tag ("v4.2.2"), not a full 40-hex commit SHA',
      'wf.yml:4: job build, step #1: actions/checkout@v4.2.2 has no "# vX.Y.Z" comment naming its release',
    ]);
    expect(pinProblems(at(16))[0]).toMatch(/^wf\.yml:16: job reuse, step \(job\): .* pinned to a tag/);
  });

  it("a branch pin, a short SHA, a missing or malformed version comment fail", () => {
    expect(pinProblems(at(6))[0]).toMatch(/^wf\.yml:6: job build, step #2 "Setup": actions\/setup-node@main is pinned to a branch or tag/);
    expect(pinProblems(at(7))).toEqual([`wf.yml:7: job build, step #3: actions/cache@${SHA} has no "# vX.Y.Z" comment naming its release`]);
    expect(pinProblems(at(8))).toEqual(['wf.yml:8: job build, step #4: comment "# 4.2.3" is not "# vX.Y.Z"']);
    expect(pinProblems(at(9))).toEqual([
      'wf.yml:9: job build, step #5: actions/cache@11bd719 is pinned to a short or non-lowercase SHA ("11bd719"), not a full 40-hex commit SHA',
    ]);
    expect(pinProblems({ ...at(11), uses: "not-an-action" })[0]).toMatch(/neither \.\/local, docker:\/\/ nor owner\/repo/);
  });

  it("a good pin, a local action and a docker image pass", () => {
    expect([pinProblems(at(11)), pinProblems(at(12)), pinProblems(at(13))]).toEqual([[], [], []]);
  });

  it("a wrong SHA, a tag missing from the snapshot, a tag pin fail the snapshot check", () => {
    const resolve = (tag: string) => ({ "v4.2.2": OTHER })[tag];
    expect(shaProblems(at(11), resolve)).toEqual([`wf.yml:11: job build, step #6 "good": actions/checkout@${SHA} is not v4.2.2, which is commit ${OTHER}`]);
    expect(shaProblems(at(9), resolve)).toEqual([
      "wf.yml:9: job build, step #5: tag v4.2.3 is not in the snapshot of actions/cache (wrong version, or a stale snapshot)",
    ]);
    expect(shaProblems(at(7), resolve)[0]).toMatch(/no "# vX\.Y\.Z" comment to check/);
    expect(shaProblems({ ...at(11), uses: "actions/checkout@v4.2.2" }, resolve)[0]).toMatch(/@v4\.2\.2 is not v4\.2\.2, which is commit 0{39}1$/);
    expect(shaProblems(at(11), () => SHA)).toEqual([]);
  });

  it("reads tags of a snapshot with git (annotated tags peeled to their commit; branches are not tags)", () => {
    const root = mkdtempSync(join(tmpdir(), "action-pins-"));
    try {
      const dir = join(root, "acme+tool", "repo");
      const env = {
        ...process.env,
        GIT_AUTHOR_NAME: "t",
        GIT_AUTHOR_EMAIL: "t@example.invalid",
        GIT_COMMITTER_NAME: "t",
        GIT_COMMITTER_EMAIL: "t@example.invalid",
      };
      const git = (...args: string[]) => execFileSync("git", ["--git-dir", dir, ...args], { env, encoding: "utf8" }).trim();
      execFileSync("git", ["init", "-q", "--bare", dir]);
      const tree = git("mktree", "--missing");
      const first = git("commit-tree", tree, "-m", "one");
      const second = git("commit-tree", tree, "-p", first, "-m", "two");
      git("tag", "-a", "v1.0.0", "-m", "annotated", first);
      git("tag", "v1.1.0", second);
      git("branch", "v2.0.0", second);
      expect(mirrorOf("acme", "tool", root)).toBe(dir);
      expect(mirrorOf("acme", "other", root)).toBeUndefined();
      expect(mirrorRoot({ PLATFORM_ACTION_MIRRORS: root })).toBe(root);
      expect([tagCommit(dir, "v1.0.0"), tagCommit(dir, "v1.1.0"), tagCommit(dir, "v2.0.0"), tagCommit(dir, "v9.9.9")]).toEqual([
        first,
        second,
        undefined,
        undefined,
      ]);
      const pin = (sha: string, tag: string): UsesEntry => ({ file: "x.yml", job: "j", step: "#1", line: 1, uses: `acme/tool@${sha}`, comment: tag });
      expect(shaProblems(pin(first, "v1.0.0"), (t) => tagCommit(dir, t))).toEqual([]);
      expect(shaProblems(pin(second, "v1.0.0"), (t) => tagCommit(dir, t))).toEqual([
        `x.yml:1: job j, step #1: acme/tool@${second} is not v1.0.0, which is commit ${first}`,
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

/** The variables each GitHub environment gets from its GitHub stack, by GitHub environment. */
const variablesByGithubEnvironment = new Map(
  real.map((env) => {
    const json = synthJson(new GithubStack(Testing.app(), env));
    const [environment] = resourcesOf(json, "github_repository_environment");
    return [environment.environment as string, new Set(resourcesOf(json, "github_actions_environment_variable").map((v) => v.variable_name as string))];
  }),
);

describe("workflows vs the variables the GitHub stacks write", () => {
  const deploy = roleJobs.find((j) => j.workflow === "deploy.yml")!;
  const matrix = deploy.def.strategy.matrix.include as { service: string; variable: string }[];

  it("deploy.yml builds every service of the app, once each", () => {
    expect(matrix.map((m) => m.service)).toEqual(APP.services.map((s) => s.name));
  });

  it.each(environmentsOf(deploy).map((e) => [e] as const))(
    "deploy.yml in %s: each service's repository variable is one its GitHub stack writes there",
    (environment) => {
      const written = variablesByGithubEnvironment.get(environment)!;
      expect(matrix.map((m) => [m.service, written.has(m.variable)])).toEqual(matrix.map((m) => [m.service, true]));
    },
  );

  it("deploy.yml pushes to the repository the matrix entry's variable names, not one spelled per service", () => {
    const step = deploy.def.steps.find((s: any) => String(s.name ?? "").startsWith("Build and push"));
    expect(step.env).toMatchObject({ SERVICE: "${{ matrix.service }}", REPOSITORY: "${{ vars[matrix.variable] }}" });
    expect(step.run).toMatch(/docker push "\$REPOSITORY:\$GITHUB_SHA"/);
  });

  it("the example application workflow reads a variable its environment's GitHub stack writes", () => {
    const example = parse(readFileSync(join(__dirname, "..", "..", "examples", "github-actions", "app-image.yml"), "utf8")).jobs.push;
    const variable = /^\$\{\{ vars\.([A-Z0-9_]+) \}\}$/.exec(example.env.REPOSITORY)![1];
    expect(variablesByGithubEnvironment.get(example.environment)?.has(variable)).toBe(true);
  });
});

describe("tool versions the workflows pin are the code's", () => {
  const root = join(__dirname, "..", "..");
  const workflow = (file: string) => parse(readFileSync(join(WORKFLOWS, file), "utf8"));
  const stepsOf = (file: string) => Object.values<any>(workflow(file).jobs).flatMap((j) => j.steps ?? []);
  /** The OpenTofu release scripts/toolchain.sh builds and the end-to-end suites run: tools/opentofu/go.mod's. */
  const tofu = /^require github\.com\/opentofu\/opentofu v(\d+\.\d+\.\d+)$/m.exec(readFileSync(join(root, "tools", "opentofu", "go.mod"), "utf8"))![1];

  it.each(["ci.yml", "plan.yml"])("%s: setup-opentofu installs tools/opentofu/go.mod's release", (file) => {
    const setups = stepsOf(file).filter((s) => String(s.uses ?? "").startsWith("opentofu/setup-opentofu@"));
    expect(setups.length).toBeGreaterThan(0);
    for (const s of setups) expect(String(s.with.tofu_version)).toBe(tofu);
  });

  it("ci.yml: the integrations/github binaries are the stacks' pin and the release the bindings were made for (where an upgrade starts)", () => {
    const pinned = /^~> (\d+\.\d+\.\d+)$/.exec(GITHUB_PROVIDER_VERSION)![1];
    const bindings = (JSON.parse(readFileSync(require.resolve("@cdktf/provider-github/package.json"), "utf8")) as { cdktf: { provider: { version: string } } })
      .cdktf.provider.version;
    const run = String(stepsOf("ci.yml").find((s) => /integrations\/github/.test(String(s.name ?? "")))?.run ?? "");
    expect(/for version in ([\d. ]+); do/.exec(run)?.[1].trim().split(/\s+/)).toEqual([pinned, bindings]);
    expect(run).toContain(`PLATFORM_GITHUB_PROVIDER=$RUNNER_TEMP/providers/terraform-provider-github_v${pinned}"`);
    expect(run).toContain(`PLATFORM_GITHUB_PROVIDER_UPGRADE_FROM=$RUNNER_TEMP/providers/terraform-provider-github_v${bindings}"`);
  });
});
