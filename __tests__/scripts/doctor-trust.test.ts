/**
 * `doctor trust <env> --sub <sub> [--aud <aud>]`: which GitHub OIDC role of the
 * environment accepts a job's token (IAM simulator over the synthesized trust
 * policies), or why none does, one line per cause.
 */
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { ENVIRONMENTS, loadEnvironments, type EnvironmentConfig, type EnvironmentInput } from "../../environments";
import { deployRoleArn, deployRoleName, githubRepositoryRef, planRoleArn, planRoleName } from "../../environments/naming";
import { githubSubject, type GithubRepositoryRef, type GithubSubject } from "../../constructs/github-oidc";
import { diagnoseTrust, escapeUntrusted, explainDenial, githubRolesOf, parseSubject, runTrustCommand } from "../../scripts/doctor/trust";
import { FIXTURE_APP_ENVIRONMENTS, FIXTURE_ENVIRONMENTS } from "../helpers";

/** The fixture app's environments (their names are expected literally below), and variants of its dev. */
const fixture = loadEnvironments(FIXTURE_APP_ENVIRONMENTS);
const byName = (name: string) => fixture.find((e) => e.name === name)!;
const dev = byName("dev"); // GitHub environment `dev`, immutable subjects
const local = byName("local"); // branch `main`, immutable subjects
const devInput = FIXTURE_ENVIRONMENTS.find((e) => e.name === "dev")!;
const variant = (name: string, github: Partial<EnvironmentInput["github"]>) =>
  loadEnvironments([{ ...devInput, name, github: { ...devInput.github, ...github } }])[0];
/** A repository from before 2026-06-18 that has not opted in: its tokens carry names only. */
const legacy = variant("legacy", { subjectFormat: "legacy", ownerId: undefined, repositoryId: undefined });
const noPlan = variant("noplan", { planOnPullRequests: false });
const tagged = variant("tagged", { deployFrom: { kind: "tag", name: "v1.0.0" } });
const envs = [...fixture, legacy, noPlan, tagged];

const sub = (env: EnvironmentConfig, subject: GithubSubject) => githubSubject(githubRepositoryRef(env), subject);
const IMMUTABLE = "repo:acme@81234567/shop@912345678";

/** The CLI's subcommand in-process (custom environments included): exit code and text. */
function doctor(env: EnvironmentConfig | string, presented: string, ...more: string[]): { code: number; text: string; reasons: string[] } {
  let text = "";
  const code = runTrustCommand(
    [typeof env === "string" ? env : env.name, "--sub", presented, ...more],
    (s) => (text += s),
    () => envs,
  );
  const reasons = text.includes("Why:")
    ? text
        .split("Why:\n")[1]
        .trim()
        .split("\n")
        .map((l) => l.replace(/^\s*- /, ""))
    : [];
  return { code, text, reasons };
}

describe("parseSubject", () => {
  it.each([
    [
      `${IMMUTABLE}:environment:dev`,
      { format: "immutable", owner: "acme", ownerId: 81234567, name: "shop", repositoryId: 912345678 },
      { kind: "environment", name: "dev" },
    ],
    ["repo:acme/shop:ref:refs/heads/feature/x", { format: "legacy", owner: "acme", name: "shop" }, { kind: "branch", name: "feature/x" }],
    ["repo:acme/shop:ref:refs/tags/v1.0.0", { format: "legacy" }, { kind: "tag", name: "v1.0.0" }],
    [`${IMMUTABLE}:pull_request`, { format: "immutable" }, { kind: "pull_request" }],
    [
      "repo:acme/shop:job_workflow_ref:acme/shop/.github/workflows/x.yml@refs/heads/main",
      { format: "legacy" },
      { kind: "other", value: "job_workflow_ref:acme/shop/.github/workflows/x.yml@refs/heads/main" },
    ],
  ])("%s", (s, repository, context) => {
    const p = parseSubject(s);
    expect(p.repository).toMatchObject(repository);
    expect(p.context).toEqual(context);
  });

  it("leaves the repository out of what is not a GitHub subject", () => {
    expect(parseSubject("system:serviceaccount:default:app").repository).toBeUndefined();
    expect(parseSubject("repo:acme@81234567/shop:pull_request").repository).toBeUndefined();
  });
});

describe("the roles come from the synthesized stack", () => {
  it("reads each role's expected sub and aud from its trust policy", () => {
    const roles = githubRolesOf(dev);
    expect(roles.map((r) => [r.role, r.name, r.arn])).toEqual([
      ["deploy", deployRoleName(dev), deployRoleArn(dev)],
      ["plan", planRoleName(dev), planRoleArn(dev)],
    ]);
    expect(roles[0].subjects).toEqual([sub(dev, dev.github.deployFrom)]);
    expect(roles[1].subjects).toEqual([sub(dev, { kind: "pull_request" })]);
    expect(roles.every((r) => r.audiences.join() === "sts.amazonaws.com")).toBe(true);
    expect(githubRolesOf(noPlan).map((r) => r.role)).toEqual(["deploy"]);
  });
});

describe.each([
  ["immutable", dev],
  ["legacy", legacy],
] as const)("accepted subjects (%s format)", (_format, env) => {
  it("the deploy subject is accepted by the deploy role, named with its ARN", () => {
    const { code, text } = doctor(env, sub(env, env.github.deployFrom));
    expect(code).toBe(0);
    expect(text).toContain(`ACCEPTED by the deploy role ${deployRoleName(env)} (${deployRoleArn(env)})`);
    expect(diagnoseTrust(env, sub(env, env.github.deployFrom)).acceptedBy).toEqual({ role: "deploy", name: deployRoleName(env), arn: deployRoleArn(env) });
  });

  it("a pull request is accepted by the plan role, and told the deploy role would refuse it", () => {
    const { code, text } = doctor(env, sub(env, { kind: "pull_request" }));
    expect(code).toBe(0);
    expect(text).toContain(`ACCEPTED by the plan role ${planRoleName(env)} (${planRoleArn(env)})`);
    expect(text).toMatch(/deploy role \S+ trusts GitHub environment 'dev' .*pull requests never get the deploy role/);
  });
});

describe("why a token is denied: one line per cause, naming expected, presented and the field to change", () => {
  /** Asserts exit 1 and exactly one reason, which matches every pattern. */
  function deniedFor(env: EnvironmentConfig, presented: string, patterns: RegExp[], ...more: string[]): string {
    const { code, reasons } = doctor(env, presented, ...more);
    expect(code).toBe(1);
    expect(reasons).toHaveLength(1);
    for (const p of patterns) expect(reasons[0]).toMatch(p);
    return reasons[0];
  }

  it("(1) legacy subject, immutable role: the repository's tokens carry names only", () => {
    deniedFor(dev, "repo:acme/shop:environment:dev", [
      /^subject format:/,
      /expect the immutable form repo:acme@81234567\/shop@912345678, the job presents the legacy form repo:acme\/shop:/,
      /the repository's tokens carry names only: set github\.subjectFormat: "legacy" or opt the repository in to immutable subjects/,
    ]);
  });

  it("(1) immutable subject, legacy role: the repository now issues immutable subjects", () => {
    deniedFor(legacy, `${IMMUTABLE}:environment:dev`, [
      /^subject format:/,
      /expect the legacy form repo:acme\/shop, the job presents the immutable form repo:acme@81234567\/shop@912345678/,
      /now issues immutable subjects \(created\/renamed\/transferred after 2026-06-18 or opted in\)/,
      /set github\.subjectFormat: "immutable", github\.ownerId: 81234567 and github\.repositoryId: 912345678 \(confirm with npm run github-ids -- acme\/shop\)/,
    ]);
  });

  it("(2) another repository id: the repository was re-created", () => {
    deniedFor(dev, "repo:acme@81234567/shop@912345679:environment:dev", [
      /^repository id of acme\/shop: the roles expect 912345678, the job presents 912345679/,
      /re-created/,
      /github\.repositoryId: 912345679/,
    ]);
  });

  it("(2) another owner id: the owner was re-created or its name taken", () => {
    deniedFor(dev, "repo:acme@81234568/shop@912345678:environment:dev", [
      /^owner id of acme: the roles expect 81234567, the job presents 81234568/,
      /github\.ownerId: 81234568/,
    ]);
  });

  it("(2) the same repository id under a new name: renamed", () => {
    deniedFor(dev, "repo:acme@81234567/storefront@912345678:environment:dev", [
      /^repository renamed or transferred: the roles expect repo:acme@81234567\/shop@912345678, the job presents repo:acme@81234567\/storefront@912345678/,
      /set github\.repository: "acme\/storefront"$/,
    ]);
  });

  it("(2) the same repository id under another owner: transferred", () => {
    deniedFor(dev, "repo:newco@555/shop@912345678:environment:dev", [
      /^repository renamed or transferred/,
      /set github\.repository: "newco\/shop" and github\.ownerId: 555$/,
    ]);
  });

  it("(3) the owner in other letter case", () => {
    deniedFor(dev, "repo:Acme@81234567/shop@912345678:environment:dev", [
      /^letter case: the roles expect acme\/shop, the job presents Acme\/shop \(the owner differs only in letter case; StringEquals is case-sensitive/,
      /set github\.repository: "Acme\/shop"/,
    ]);
  });

  it("(3) the repository name in other letter case (legacy subjects too)", () => {
    deniedFor(legacy, "repo:acme/Shop:environment:dev", [
      /^letter case: the roles expect acme\/shop, the job presents acme\/Shop \(the repository name differs/,
      /set github\.repository: "acme\/Shop"/,
    ]);
  });

  it("(4) a job with `environment:` against a branch-pinned role", () => {
    deniedFor(local, sub(local, { kind: "environment", name: "local" }), [
      /^deploy role shop-local-github-deploy trusts branch 'main' \(ref:refs\/heads\/main\), the job presents GitHub environment 'local' \(environment:local\)/,
      /always presents the environment form/,
      /github\.deployFrom: \{ kind: "environment", name: "local" \}/,
    ]);
  });

  it("(4) a branch job against an environment-pinned role", () => {
    deniedFor(dev, sub(dev, { kind: "branch", name: "main" }), [
      /^deploy role shop-dev-github-deploy trusts GitHub environment 'dev' \(environment:dev\), the job presents branch 'main' \(ref:refs\/heads\/main\)/,
      /only a job that declares `environment: dev` presents the environment form/,
      /do not move the role to a branch: that would drop the environment's protection/,
    ]);
  });

  it("never advises trading a protected environment for a branch deploy", () => {
    const r = diagnoseTrust(dev, sub(dev, { kind: "branch", name: "main" }), "sts.amazonaws.com");
    expect(r.reasons.join("\n")).not.toMatch(/deployFrom: \{ kind: "branch"/);
  });

  it.each([
    [
      "environment",
      dev,
      { kind: "environment", name: "prod" },
      /trusts GitHub environment 'dev' .* presents GitHub environment 'prod' .*wrong environment name; set github\.deployFrom\.name: "prod"/,
    ],
    [
      "branch",
      local,
      { kind: "branch", name: "develop" },
      /trusts branch 'main' .* presents branch 'develop' .*wrong branch name; set github\.deployFrom\.name: "develop"/,
    ],
    [
      "tag",
      tagged,
      { kind: "tag", name: "v2.0.0" },
      /trusts tag 'v1\.0\.0' .* presents tag 'v2\.0\.0' .*wrong tag name; set github\.deployFrom\.name: "v2\.0\.0"/,
    ],
  ] as const)("(4) a wrong %s name", (_kind, env, presented, pattern) => {
    deniedFor(env, sub(env, presented), [pattern]);
  });

  it("(4) an environment name in other letter case", () => {
    deniedFor(dev, sub(dev, { kind: "environment", name: "Dev" }), [/wrong environment name \(differs only in letter case; StringEquals is case-sensitive\)/]);
  });

  it("(4) a tag against a branch-pinned role", () => {
    deniedFor(local, sub(local, { kind: "tag", name: "v1" }), [
      /trusts branch 'main' .* presents tag 'v1' .*set github\.deployFrom: \{ kind: "tag", name: "v1" \}/,
    ]);
  });

  it("(4) a pull request where no role trusts pull requests", () => {
    deniedFor(noPlan, sub(noPlan, { kind: "pull_request" }), [
      /^deploy role shop-noplan-github-deploy trusts GitHub environment 'dev' \(environment:dev\), the job presents pull requests \(pull_request\)/,
      /pull requests never get the deploy role/,
      /set github\.planOnPullRequests: true/,
    ]);
  });

  it("(5) an audience other than sts.amazonaws.com", () => {
    deniedFor(
      dev,
      sub(dev, dev.github.deployFrom),
      [/^audience: the roles expect aud 'sts\.amazonaws\.com', the token carries "sigstore"/, /remove its `audience:` input/],
      "--aud",
      "sigstore",
    );
  });

  it.each([
    ["another owner with the same name", "repo:evil@1/shop@2:environment:dev", /the job presents repo:evil@1\/shop@2/],
    [
      "another repository of the same owner",
      "repo:acme@81234567/shop-tools@912345679:environment:dev",
      /the job presents repo:acme@81234567\/shop-tools@912345679/,
    ],
    ["another repository, legacy form", "repo:evil/shop:environment:dev", /the job presents repo:evil\/shop/],
  ])("(6) %s", (_what, presented, pattern) => {
    deniedFor(dev, presented, [
      /^another repository: the roles trust repo:acme@81234567\/shop@912345678 \(github\.repository "acme\/shop"\)/,
      pattern,
      /run the job in acme\/shop/,
    ]);
  });

  it("a context outside GitHub's default subject: a custom subject template", () => {
    deniedFor(dev, `${IMMUTABLE}:job_workflow_ref:acme/shop/.github/workflows/deploy.yml@refs/heads/main`, [
      /presents context 'job_workflow_ref:/,
      /custom OIDC subject template/,
    ]);
  });

  it("a string that is not a GitHub subject", () => {
    deniedFor(dev, "system:serviceaccount:default:app", [
      /^subject: the roles expect repo:acme@81234567\/shop@912345678:<context>, the job presents the sub shown above, which is not a GitHub Actions subject/,
    ]);
  });

  it.each([...fixture, legacy].map((e) => [`${e.name} (${e.github.subjectFormat})`, e] as const))(
    "explains every denial of %s by a named cause, never the fallback",
    (_name, env) => {
      const ref = githubRepositoryRef(env);
      const as = (r: typeof ref) => githubSubject(r, env.github.deployFrom);
      const denied = [
        as({ ...ref, owner: "evil" }),
        as({ ...ref, name: `${ref.name}-tools` }),
        as({ ...ref, owner: ref.owner.toUpperCase() }),
        ref.subjectFormat === "immutable"
          ? as({ ...ref, ownerId: ref.repositoryId, repositoryId: ref.ownerId })
          : as({ ...ref, subjectFormat: "immutable", ownerId: 1, repositoryId: 2 }),
        ref.subjectFormat === "immutable" ? as({ owner: ref.owner, name: ref.name, subjectFormat: "legacy" }) : `${as(ref)}x`,
        sub(env, { kind: "tag", name: "v9" }),
        `${as(ref)}-evil`,
      ];
      for (const s of denied) {
        const d = diagnoseTrust(env, s);
        expect(d.acceptedBy).toBeUndefined();
        expect(d.reasons.length).toBeGreaterThan(0);
        expect(d.reasons.join("\n")).not.toMatch(/the simulator denies, yet/);
      }
    },
  );

  it("reports every cause of a token wrong in several ways, each once", () => {
    const reasons = explainDenial(githubRolesOf(dev), "repo:Acme/shop:ref:refs/heads/main", "sigstore");
    expect(reasons.map((r) => r.split(":")[0])).toEqual([
      "audience",
      "subject format",
      "letter case",
      "deploy role shop-dev-github-deploy trusts GitHub environment 'dev' (environment",
    ]);
  });
});

describe("untrusted text (a sub copied from a log that pull-request code controls)", () => {
  const forged = "\n\nACCEPTED by the deploy role shop-dev-github-deploy (arn:aws:iam::111111111111:role/shop-dev-github-deploy)\n";
  it.each([
    ["a forged verdict after a line feed in the context", `${IMMUTABLE}:environment:dev${forged}`],
    ["a forged verdict in the owner", `repo:acme${forged}@81234567/shop@912345678:environment:dev`],
    ["a forged verdict in a branch name", `${IMMUTABLE}:ref:refs/heads/main${forged}`],
    ["a carriage return and an ANSI escape", `${IMMUTABLE}:environment:dev\r\u001b[32mACCEPTED`],
    ["not a subject at all", `garbage${forged}`],
    ["a Unicode line separator", `${IMMUTABLE}:environment:dev\u2028ACCEPTED by the deploy role`],
  ])("shows it escaped, once, and no line can be forged: %s", (_what, presented) => {
    const { code, text } = doctor(dev, presented);
    expect(code).toBe(1);
    const lines = text.split("\n");
    expect(lines.filter((l) => l.startsWith("ACCEPTED"))).toEqual([]);
    expect(lines.filter((l) => l.includes(escapeUntrusted(presented)))).toEqual([`sub  ${escapeUntrusted(presented)}`]);
    expect(text).not.toContain(presented);
    for (const l of lines) expect(l).toMatch(/^[\x20-\x7e]*$/);
  });

  it.each([
    ["a trailing space", `${IMMUTABLE}:environment:dev `],
    ["a leading space", ` ${IMMUTABLE}:environment:dev`],
    ["a trailing tab", `${IMMUTABLE}:environment:dev\t`],
    ["a trailing line feed", `${IMMUTABLE}:environment:dev\n`],
  ])("denies a sub with %s, as IAM does (byte-exact StringEquals), and says why", (_what, presented) => {
    const { code, reasons } = doctor(dev, presented);
    expect(code).toBe(1);
    expect(reasons).toEqual([expect.stringMatching(/^subject: the sub has white space at its start or end.*byte for byte/)]);
  });

  it("escapes the audience too", () => {
    const { text } = doctor(dev, `${IMMUTABLE}:environment:dev`, "--aud", "x\nACCEPTED");
    expect(text).toContain('aud  "x\\nACCEPTED"');
    expect(text.split("\n").filter((l) => l.startsWith("ACCEPTED"))).toEqual([]);
  });
});

describe("the compiled CLI (dist/scripts/doctor.js)", () => {
  const root = join(__dirname, "..", "..");
  const built = join(root, "dist", "scripts", "doctor.js");

  beforeAll(() => {
    // scripts/test.sh builds before jest; when these sources are newer than dist (jest run alone), build once.
    const pairs = [
      ["scripts/doctor.ts", "dist/scripts/doctor.js"],
      ["scripts/doctor/trust.ts", "dist/scripts/doctor/trust.js"],
    ];
    const stale = pairs.some(([src, out]) => !existsSync(join(root, out)) || statSync(join(root, out)).mtimeMs < statSync(join(root, src)).mtimeMs);
    if (stale)
      spawnSync(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", join(root, "tsconfig.json")], { cwd: root, stdio: "ignore" });
    expect(existsSync(built)).toBe(true);
  }, 300_000);

  const run = (...args: string[]) => spawnSync(process.execPath, [built, ...args], { cwd: root, encoding: "utf8", timeout: 120_000 });

  // The CLI reads the committed environments: what it is expected to say is derived from them.
  const committed = loadEnvironments(ENVIRONMENTS);
  const [first] = committed;
  const last = committed[committed.length - 1];

  it("exits 0 and names the accepting role", () => {
    const r = run("trust", last.name, "--sub", sub(last, last.github.deployFrom));
    expect(r.stdout).toContain(`ACCEPTED by the deploy role ${deployRoleName(last)} (${deployRoleArn(last)})`);
    expect(r.status).toBe(0);
  }, 120_000);

  it("exits 1 with the reason", () => {
    const ref = githubRepositoryRef(first);
    // The same repository in the subject form the roles do not expect.
    const otherForm: GithubRepositoryRef =
      ref.subjectFormat === "legacy"
        ? { ...ref, subjectFormat: "immutable", ownerId: 1, repositoryId: 2 }
        : { owner: ref.owner, name: ref.name, subjectFormat: "legacy" };
    const presented = githubSubject(otherForm, first.github.deployFrom);
    const r = run("trust", first.name, "--sub", presented);
    expect(r.stdout).toMatch(/DENIED by every role\. Why:\n {2}- subject format:/);
    expect(r.status).toBe(1);
  }, 120_000);

  it.each([
    [["trust", "nope", "--sub", "x"], new RegExp(`unknown environment "nope"; known: ${ENVIRONMENTS.map((e) => e.name).join(", ")}\n`)],
    [["trust", ENVIRONMENTS[0].name], /missing --sub/],
    [["trust", ENVIRONMENTS[0].name, "--sub", "x", "--bogus"], /Unknown option '--bogus'/],
    [["trust", ENVIRONMENTS[0].name, "--sub", "repo:acme/shop:environment", "dev"], /unexpected argument "dev"/],
  ])(
    "exits 2 on bad usage %p, with the usage line",
    (args, message) => {
      const r = run(...args);
      expect(r.stdout).toMatch(message);
      expect(r.stdout).toContain("usage: npm run doctor -- trust <env> --sub '<sub printed by the failing job>' [--aud <aud>]");
      expect(r.status).toBe(2);
    },
    120_000,
  );
});
