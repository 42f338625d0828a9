/**
 * Every `<env>-github` stack applied for real: OpenTofu with the real
 * integrations/github provider against the GitHub REST stand-in
 * (__tests__/support/github-standin) on loopback. What GitHub then holds is compared
 * with what the synthesized cdk.tf.json declares (variables, decrypted
 * secrets, environment protection, deployment branch policies); a second
 * plan must be empty; drift made in GitHub is observed; destroy removes what
 * the stack created and nothing else; every request the provider made must
 * conform to GitHub's OpenAPI description.
 *
 * No committed environment publishes the static ECR keys, so a second part
 * applies variants of committed environments with `publishStaticEcrKeys`
 * (values read from SSM in the AWS emulator): environment secrets (the
 * default) and repository secrets (the explicit choice of a branch or tag
 * deploy), and a secret changed behind Terraform's back.
 *
 * Runs when PLATFORM_GITHUB_PROVIDER names a terraform-provider-github_v<version>
 * binary, from a provider mirror of the test's own; skipped (reported as
 * skipped) when it does not. The upgrade of a state written by 6.9.0 is
 * __tests__/e2e/github-upgrade.test.ts.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { App } from "cdktf";
import { loadEnvironments, type EnvironmentInput } from "../../environments";
import { APP_ENVIRONMENTS } from "../helpers";
import { githubStackName } from "../../environments/naming";
import { runGithubDoctor } from "../../scripts/doctor";
import { GITHUB_PROVIDER_VERSION, GithubStack } from "../../stacks/github-stack";
import { synthesizePlatform } from "../../stacks/synthesize";
import type { GithubStandin, RepositoryView } from "../support/github-standin";
import { startEmulator, type Emulator } from "../../scripts/lib/emulator";
import { emulatorAwsEnv, emulatorSdkConfig } from "../../scripts/lib/local-run";
import { prepareStackWorkdir, tofuRunner, type TofuResult, type TofuRunner } from "../../scripts/lib/tofu";
import { ensureToolchain, PROJECT_ROOT } from "../../scripts/lib/toolchain";
import {
  awsOnLoopback,
  expectationsOf,
  needsAws,
  readStack,
  resourceCount,
  ssmParametersOf,
  githubProviderVersionOf,
  satisfiesPessimistic,
  standinFor,
  testProviderConfig,
  useAvailableAws,
  useLocalBackend,
  type ExpectedEnvironment,
  type ExpectedGithub,
  type StackJson,
} from "./github-stack-expectations";

const toolchain = ensureToolchain("test");
const work = mkdtempSync(join(tmpdir(), "github-e2e-"));
const timings: Record<string, number> = {};
const observations: Record<string, unknown> = {};
const githubBinary = process.env.PLATFORM_GITHUB_PROVIDER ?? "";
const githubVersion = (existsSync(githubBinary) && githubProviderVersionOf(githubBinary)) || "";
const haveGithub = Boolean(githubVersion);
const haveAws = Boolean(toolchain.awsProviderVersion);

// ---------- which stacks, decided at load time so skips are reported as skips ----------
const probeOut = join(work, "probe");
const probe = synthesizePlatform({ environments: APP_ENVIRONMENTS, outdir: probeOut });
const committed = probe.stacks.github.map((s) => githubStackName(s.env)).sort();
const probeJson = (stack: string) => readStack(join(probeOut, "stacks", stack, "cdk.tf.json"));
const blockedReason = (stack: string): string | undefined => {
  const json = probeJson(stack);
  if (!needsAws(json)) return undefined;
  if (!awsOnLoopback(json)) return "reads its secret values from SSM in the real AWS account";
  return haveAws ? undefined : "reads SSM (AWS emulator) and no hashicorp/aws provider is available";
};
const runnable = committed.filter((s) => !blockedReason(s));
// jest refuses an empty table; with nothing runnable the coverage test below fails and says why.
const eachRunnable = <T>(rows: T[]) => (rows.length > 0 ? it.each(rows) : it.skip.each(["(no runnable stack)"]));
const blocked = committed.filter((s) => blockedReason(s)).map((s) => [s, blockedReason(s)!]);

/**
 * The variants for the secrets: the first committed environment that deploys
 * from a GitHub environment (its keys become secrets of that protected
 * environment, the default) and the first that deploys from a branch or tag
 * (repository secrets, which config accepts only when chosen explicitly), each
 * with publishStaticEcrKeys and its AWS provider on the emulator. Only these
 * fields differ from the committed input.
 */
const environmentKind = (e: EnvironmentInput) => (e.github.deployFrom.kind === "environment" ? "environment secrets" : "repository secrets");
const variantSources = (["environment secrets", "repository secrets"] as const)
  .map((kind) => APP_ENVIRONMENTS.find((e) => environmentKind(e) === kind))
  .filter((e): e is EnvironmentInput => e !== undefined);
const EMULATOR_ACCOUNT = "123456789012"; // moto's fixed account: the AWS provider's allowed_account_ids must match it
const variantLabels = variantSources.map((e) => `${githubStackName(e)} with publishStaticEcrKeys (${environmentKind(e)})`);

// ---------- shared helpers ----------
let providerConfig: string | undefined;
/** The toolchain with a CLI config of this test's own: its mirror cannot change under a running suite. */
const providers = () => ({ ...toolchain, cliConfigFile: (providerConfig ??= testProviderConfig(work, [githubBinary], toolchain)) });
let emulator: Emulator | undefined;
const ssmValues = new Map<string, string>();
async function ensureEmulator(): Promise<Emulator> {
  emulator ??= await startEmulator(toolchain.motoPython);
  return emulator;
}
/** Random values, so a secret that reaches GitHub can only have come from SSM. */
async function seedSsm(names: readonly string[]): Promise<void> {
  const em = await ensureEmulator();
  const ssm = new SSMClient(emulatorSdkConfig(em, "us-east-1"));
  for (const name of names) {
    if (ssmValues.has(name)) continue;
    const value = `${name.split("/").pop()}-${randomBytes(12).toString("base64url")}`;
    await ssm.send(new PutParameterCommand({ Name: name, Value: value, Type: "SecureString", Overwrite: true }));
    ssmValues.set(name, value);
  }
}
const ssmValue = (name: string) => {
  const v = ssmValues.get(name);
  if (v === undefined) throw new Error(`SSM parameter ${name} was not seeded`);
  return v;
};

const timed = async (name: string, p: Promise<TofuResult>) => {
  const r = await p;
  timings[name] = r.ms;
  return r;
};
const failure = (r: TofuResult) => ({ code: r.code, stderr: r.stderr.slice(-4000) });
const ok = { code: 0, stderr: "" };

interface Deployed {
  readonly stack: string;
  readonly dir: string;
  readonly json: StackJson;
  expected: ExpectedGithub;
}

/** A stack into its own working copy: as synthesized, with a local backend. */
function workdir(outdir: string, stack: string, root: string): Deployed {
  const { dir } = prepareStackWorkdir(outdir, stack, root);
  useLocalBackend(dir);
  useAvailableAws(dir, toolchain.awsProviderVersion);
  const json = readStack(join(dir, "cdk.tf.json"));
  return { stack, dir, json, expected: undefined as unknown as ExpectedGithub };
}

const envView = (repo: RepositoryView, name: string): ExpectedEnvironment | undefined => {
  const e = repo.environments[name];
  return (
    e && {
      name: e.name,
      waitTimer: e.waitTimer,
      preventSelfReview: e.preventSelfReview,
      canAdminsBypass: e.canAdminsBypass,
      reviewers: e.reviewers,
      deploymentBranchPolicy: e.deploymentBranchPolicy,
      deploymentBranchPolicies: e.deploymentBranchPolicies,
    }
  );
};

/** GitHub holds exactly what the stack declares: every value in place, nothing else in the environments it owns. */
function expectGithubHolds(gh: GithubStandin, d: Deployed): void {
  const repo = gh.state().repository(d.expected.repository);
  for (const env of d.expected.environments) expect(envView(repo, env.name)).toEqual(env);
  const owned = new Set(d.expected.environments.map((e) => e.name));
  for (const name of owned) {
    const env = repo.environments[name];
    expect(env.variables).toEqual(Object.fromEntries(d.expected.variables.filter((v) => v.environment === name).map((v) => [v.name, v.value])));
    expect(Object.fromEntries(Object.entries(env.secrets).map(([k, s]) => [k, s.value]))).toEqual(
      Object.fromEntries(d.expected.secrets.filter((s) => s.environment === name).map((s) => [s.name, s.value])),
    );
    // Sealed with the environment's own key, not the repository's.
    for (const s of Object.values(env.secrets)) expect(s.keyId).toBe(env.secretKeyId);
  }
  for (const v of d.expected.variables.filter((x) => x.environment === undefined)) expect([v.name, repo.variables[v.name]]).toEqual([v.name, v.value]);
  for (const s of d.expected.secrets.filter((x) => x.environment === undefined)) {
    expect([s.name, repo.secrets[s.name]?.value, repo.secrets[s.name]?.keyId]).toEqual([s.name, s.value, repo.secretKeyId]);
  }
  for (const v of [...d.expected.variables, ...d.expected.secrets]) {
    if (v.environment !== undefined) expect(owned.has(v.environment)).toBe(true);
  }
}

function expectProtocolClean(gh: GithubStandin): void {
  expect(gh.violations).toEqual([]);
  expect(gh.unexpectedCalls).toEqual([]);
  // The one property the provider sends that GitHub's description omits (see DESCRIPTION_GAPS), and nothing else.
  expect([...new Set(gh.descriptionGaps.map((g) => `${g.gap.operationId} ${g.gap.property}`))]).toEqual(
    gh.descriptionGaps.length ? ["repos/create-or-update-environment can_admins_bypass"] : [],
  );
}

async function planJson(tofu: TofuRunner, dir: string, planFile: string) {
  const plan = await tofu.run(dir, ["plan", "-detailed-exitcode", "-input=false", "-no-color", `-out=${planFile}`]);
  const show = await tofu.run(dir, ["show", "-json", planFile]);
  const changes = (JSON.parse(show.stdout).resource_changes ?? []) as {
    address: string;
    type: string;
    change: { actions: string[] };
    action_reason?: string;
  }[];
  return {
    plan,
    changes: changes
      .filter((c) => c.change.actions.join() !== "no-op")
      .map((c) => ({ address: c.address, actions: c.change.actions, reason: c.action_reason })),
  };
}

afterAll(async () => {
  await emulator?.stop();
  rmSync(work, { recursive: true, force: true });
  const report = join(PROJECT_ROOT, ".e2e");
  mkdirSync(report, { recursive: true });
  const seconds = Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, v / 1000]));
  writeFileSync(join(report, "github-stacks.json"), JSON.stringify({ provider: githubVersion || null, seconds, observations }, null, 2));
  if (Object.keys(timings).length)
    process.stderr.write(
      `github e2e timings (s): ${Object.entries(seconds)
        .map(([k, v]) => `${k}=${v.toFixed(1)}`)
        .join(" ")}\n`,
    );
});

// ---------- part 1: the committed stacks ----------
(haveGithub ? describe : describe.skip)(
  `committed <env>-github stacks, integrations/github ${githubVersion || "(PLATFORM_GITHUB_PROVIDER names no binary)"} against the GitHub stand-in`,
  () => {
    let gh: GithubStandin;
    let tofu: TofuRunner;
    let before: RepositoryView;
    const deployed = new Map<string, Deployed>();
    const repository = () => [...deployed.values()][0].expected.repository;

    beforeAll(async () => {
      const envs = loadEnvironments(APP_ENVIRONMENTS);
      const needsEmulator = runnable.some((s) => needsAws(probeJson(s)));
      const em = needsEmulator ? await ensureEmulator() : undefined;
      // The stacks as synthesized at load time: only the backend names the emulator's endpoint, and it becomes a local
      // one; the AWS provider finds the emulator through AWS_ENDPOINT_URL (emulatorAwsEnv below).
      for (const stack of runnable) deployed.set(stack, workdir(probeOut, stack, join(work, "run-committed")));
      await seedSsm([...deployed.values()].flatMap((d) => ssmParametersOf(d.json)));
      for (const d of deployed.values()) d.expected = expectationsOf(d.json, ssmValue);
      gh = await standinFor(envs);
      tofu = tofuRunner(providers(), { GITHUB_BASE_URL: gh.baseUrl, GITHUB_TOKEN: gh.token, ...(em ? emulatorAwsEnv(em, "us-east-1") : {}) });

      // What the repository holds before Terraform: must survive every apply and destroy.
      const full = repository();
      gh.setVariableBehindTerraform({ repository: full, name: "PREEXISTING_VARIABLE", value: "set by hand" });
      gh.setSecretBehindTerraform({ repository: full, name: "PREEXISTING_SECRET", value: "set by hand" });
      gh.createEnvironmentBehindTerraform({ repository: full, name: "review-apps" });
      gh.setVariableBehindTerraform({ repository: full, environment: "review-apps", name: "URL", value: "https://review.example" });
      gh.setSecretBehindTerraform({ repository: full, environment: "review-apps", name: "PREVIEW_TOKEN", value: "set by hand" });
      before = gh.state().repository(full);
    }, 180_000);

    afterAll(() => gh?.stop());

    it(`integrations/github ${githubVersion} satisfies the stacks' pin ${GITHUB_PROVIDER_VERSION}`, () => {
      expect(satisfiesPessimistic(githubVersion, GITHUB_PROVIDER_VERSION)).toBe(true);
    });

    it("covers every <env>-github stack the app synthesizes", () => {
      expect(committed).toEqual(
        loadEnvironments(APP_ENVIRONMENTS)
          .map((e) => githubStackName(e))
          .sort(),
      );
      expect(runnable.length).toBeGreaterThan(0);
    });

    if (blocked.length > 0) it.skip.each(blocked)("%s: not applied here: it %s", () => undefined);

    eachRunnable(runnable)("%s: init and apply", async (stack) => {
      const d = deployed.get(stack)!;
      expect(failure(await timed(`${stack}_init`, tofu.run(d.dir, ["init", "-input=false", "-no-color"])))).toEqual(ok);
      const apply = await timed(`${stack}_apply`, tofu.run(d.dir, ["apply", "-auto-approve", "-input=false", "-no-color"]));
      expect(failure(apply)).toEqual(ok);
      expect(apply.stdout).toMatch(new RegExp(`Apply complete! Resources: ${resourceCount(d.json)} added, 0 changed, 0 destroyed`));
    });

    eachRunnable(runnable)("%s: GitHub holds what the stack declares (variables, secrets, protection, branch policies)", (stack) => {
      const d = deployed.get(stack)!;
      expect(d.expected.variables.length + d.expected.secrets.length).toBeGreaterThan(0);
      expectGithubHolds(gh, d);
    });

    it("the stacks share the repository without touching each other: repository-level values are the union, plus what was there", () => {
      const repo = gh.state().repository(repository());
      const all = [...deployed.values()];
      expect(repo.variables).toEqual({
        ...before.variables,
        ...Object.fromEntries(all.flatMap((d) => d.expected.variables.filter((v) => v.environment === undefined).map((v) => [v.name, v.value]))),
      });
      expect(Object.keys(repo.environments).sort()).toEqual(
        [...Object.keys(before.environments), ...all.flatMap((d) => d.expected.environments.map((e) => e.name))].sort(),
      );
      expect(repo.environments["review-apps"]).toEqual(before.environments["review-apps"]);
    });

    eachRunnable(runnable)("%s: a second plan is empty", async (stack) => {
      const plan = await timed(`${stack}_noop_plan`, tofu.run(deployed.get(stack)!.dir, ["plan", "-detailed-exitcode", "-input=false", "-no-color"]));
      expect(failure(plan)).toEqual(ok);
      expect(plan.stdout).toMatch(/No changes/);
    });

    it("a variable changed in GitHub is seen by the next plan and put back by apply", async () => {
      const d = [...deployed.values()].find((x) => x.expected.variables.length > 0)!;
      const v = d.expected.variables[0];
      gh.setVariableBehindTerraform({ repository: d.expected.repository, environment: v.environment, name: v.name, value: "changed by hand" });
      const { plan, changes } = await planJson(tofu, d.dir, "drift.plan");
      expect(plan.code).toBe(2);
      expect(changes).toEqual([{ address: expect.stringMatching(/^github_actions(_environment)?_variable\./), actions: ["update"], reason: undefined }]);
      expect(failure(await tofu.run(d.dir, ["apply", "-input=false", "-no-color", "drift.plan"]))).toEqual(ok);
      expectGithubHolds(gh, d);
      expect((await tofu.run(d.dir, ["plan", "-detailed-exitcode", "-input=false", "-no-color"])).code).toBe(0);
    });

    /*
     * The environment resource carries wait timer, reviewers, self-review, admin
     * bypass and the kind of branch policy, so an edit of those in GitHub shows in
     * the plan and the apply puts them back. Name patterns are separate resources
     * that each read only their own id: a pattern added by hand (here `*`, every
     * branch) is invisible to every plan and survives the apply. (The data
     * source that lists them panicked in 6.9.0; even fixed, it is a read, not a guard.)
     * `doctor github <env>` reads the whole list and names it.
     */
    it("environment protection weakened in GitHub is put back by the next apply; a hand-added pattern, invisible to the plan, is named by doctor github", async () => {
      const all = [...deployed.values()];
      const d =
        all.find((x) =>
          x.expected.environments.some((e) => e.reviewers.users.length + e.reviewers.teams.length > 0 && e.deploymentBranchPolicy?.customBranchPolicies),
        ) ?? all.find((x) => x.expected.environments.length > 0)!;
      const env = d.expected.environments[0];
      const config = loadEnvironments(APP_ENVIRONMENTS).find((e) => e.github.deployFrom.kind === "environment" && e.github.deployFrom.name === env.name)!;
      const doctor = async () => {
        let out = "";
        const code = await runGithubDoctor([config.name], (t) => (out += t), undefined, { GITHUB_TOKEN: gh.token, GITHUB_API_URL: gh.apiUrl });
        return { code, out };
      };
      expect(await doctor()).toEqual({ code: 0, out: expect.stringContaining("is exactly as config says") });
      const custom = env.deploymentBranchPolicy?.customBranchPolicies === true;
      const everyBranch = { name: "*", type: "branch" as const };
      gh.editEnvironmentBehindTerraform(
        { repository: d.expected.repository, name: env.name },
        {
          canAdminsBypass: !env.canAdminsBypass,
          reviewers: { users: [], teams: [] },
          waitTimer: env.waitTimer + 5,
          ...(custom ? { addBranchPolicies: [everyBranch] } : {}),
        },
      );
      const { plan, changes } = await planJson(tofu, d.dir, "protection-drift.plan");
      observations[`${d.stack}: plan after protection was weakened in GitHub`] = { exitCode: plan.code, changes };
      expect(plan.code).toBe(2);
      expect(changes).toEqual([{ address: expect.stringMatching(/^github_repository_environment\./), actions: ["update"], reason: undefined }]);
      expect(failure(await tofu.run(d.dir, ["apply", "-input=false", "-no-color", "protection-drift.plan"]))).toEqual(ok);
      const after = envView(gh.state().repository(d.expected.repository), env.name)!;
      expect({ ...after, deploymentBranchPolicies: [] }).toEqual({ ...env, deploymentBranchPolicies: [] });
      expect((await tofu.run(d.dir, ["plan", "-detailed-exitcode", "-input=false", "-no-color"])).code).toBe(0);
      if (custom) {
        const found = await doctor();
        observations[`${d.stack}: doctor github after the apply`] = found.out.trim().split("\n");
        expect(found).toEqual({ code: 1, out: expect.stringContaining(`'${env.name}' lets branch '*' deploy, config does not`) });
        gh.editEnvironmentBehindTerraform({ repository: d.expected.repository, name: env.name }, { removeBranchPolicies: [everyBranch] });
      }
      expect(await doctor()).toEqual({ code: 0, out: expect.stringContaining("is exactly as config says") });
    });

    eachRunnable([...runnable].reverse())("%s: destroy removes what it created", async (stack) => {
      const d = deployed.get(stack)!;
      const destroy = await timed(`${stack}_destroy`, tofu.run(d.dir, ["destroy", "-auto-approve", "-input=false", "-no-color"]));
      expect(failure(destroy)).toEqual(ok);
      expect(destroy.stdout).toMatch(new RegExp(`Destroy complete! Resources: ${resourceCount(d.json)} destroyed`));
      expect((await tofu.run(d.dir, ["state", "list"])).stdout.trim()).toBe("");
      const repo = gh.state().repository(d.expected.repository);
      for (const e of d.expected.environments) expect(repo.environments[e.name]).toBeUndefined();
      for (const v of d.expected.variables.filter((x) => x.environment === undefined)) expect(repo.variables[v.name]).toBeUndefined();
      for (const s of d.expected.secrets.filter((x) => x.environment === undefined)) expect(repo.secrets[s.name]).toBeUndefined();
    });

    it("after every destroy the repository holds exactly what it held before Terraform (pre-existing variable, secret, environment)", () => {
      expect(gh.state().repository(repository())).toEqual(before);
    });

    it("the provider spoke GitHub's protocol: every request and response conformed to the OpenAPI description, nothing unimplemented was called", () => {
      observations.committedCalls = gh.calls.length;
      observations.committedOperations = [...new Set(gh.calls.map((c) => `${c.method} ${c.template}`))].sort();
      expect(gh.calls.length).toBeGreaterThan(0);
      expectProtocolClean(gh);
    });
  },
);

// ---------- part 2: secrets, through publishStaticEcrKeys variants ----------
(haveGithub && haveAws ? describe : describe.skip)(
  "secrets: publishStaticEcrKeys variants of committed environments, values from SSM in the AWS emulator",
  () => {
    let gh: GithubStandin;
    let tofu: TofuRunner;
    const deployed = new Map<string, Deployed>();
    const byLabel = (label: string) => deployed.get(label)!;

    beforeAll(async () => {
      const em = await ensureEmulator();
      const inputs = variantSources.map((e) => ({
        ...e,
        accountId: EMULATOR_ACCOUNT,
        emulatorEndpoint: em.endpoint,
        github: {
          ...e.github,
          publishStaticEcrKeys: true,
          staticEcrKeySecrets: e.github.deployFrom.kind === "environment" ? ("environment" as const) : ("repository" as const),
        },
      }));
      // Each variant alone: moved into the emulator's account, two environments would meet rules meant for one real account.
      const envs = inputs.map((input) => loadEnvironments([input])[0]);
      envs.forEach((e, i) => {
        const outdir = join(work, `keys-${i}`);
        const app = new App({ outdir });
        new GithubStack(app, e);
        app.synth();
        deployed.set(variantLabels[i], workdir(outdir, githubStackName(e), join(work, `run-keys-${i}`)));
      });
      await seedSsm([...deployed.values()].flatMap((d) => ssmParametersOf(d.json)));
      for (const d of deployed.values()) d.expected = expectationsOf(d.json, ssmValue);
      gh = await standinFor(envs);
      tofu = tofuRunner(providers(), { GITHUB_BASE_URL: gh.baseUrl, GITHUB_TOKEN: gh.token, ...emulatorAwsEnv(em, "us-east-1") });
    }, 180_000);

    afterAll(() => gh?.stop());

    it("one variant holds environment secrets only, the other repository secrets only", () => {
      expect(variantLabels.map((l) => l.replace(/^.*\((.*)\)$/, "$1"))).toEqual(["environment secrets", "repository secrets"]);
      expect(byLabel(variantLabels[0]).expected.secrets.every((s) => s.environment !== undefined)).toBe(true);
      expect(byLabel(variantLabels[1]).expected.secrets.every((s) => s.environment === undefined)).toBe(true);
      for (const d of deployed.values()) {
        expect(d.expected.secrets.map((s) => s.name).sort()).toEqual([
          expect.stringMatching(/^ECR_AWS_ACCESS_KEY_ID(_[A-Z0-9_]+)?$/),
          expect.stringMatching(/^ECR_AWS_SECRET_ACCESS_KEY(_[A-Z0-9_]+)?$/),
        ]);
      }
    });

    it.each(variantLabels)("%s: init and apply", async (label) => {
      const d = byLabel(label);
      expect(failure(await tofu.run(d.dir, ["init", "-input=false", "-no-color"]))).toEqual(ok);
      const apply = await timed(`${d.stack}_keys_apply`, tofu.run(d.dir, ["apply", "-auto-approve", "-input=false", "-no-color"]));
      expect(failure(apply)).toEqual(ok);
      expect(apply.stdout).toMatch(new RegExp(`Apply complete! Resources: ${resourceCount(d.json)} added`));
    });

    it.each(variantLabels)("%s: every secret decrypts to its SSM value, sealed with its scope's own key", (label) => {
      const d = byLabel(label);
      expect(d.expected.secrets.map((s) => s.value)).toEqual(
        d.expected.secrets.map(() => expect.stringMatching(/^ecr-aws-(access-key-id|secret-access-key)-/)),
      );
      expectGithubHolds(gh, d);
    });

    it.each(variantLabels)("%s: a second plan is empty", async (label) => {
      const plan = await tofu.run(byLabel(label).dir, ["plan", "-detailed-exitcode", "-input=false", "-no-color"]);
      expect(failure(plan)).toEqual(ok);
    });

    /*
     * GitHub never returns a secret's value; an edit shows only as a newer
     * updated_at. integrations/github 6.11 and later record it as
     * remote_updated_at on refresh, but plan no change (their CustomizeDiff
     * compares it only when the plan itself changes it), so without a guard
     * the edited value would stay in GitHub. Each secret's postcondition stops
     * the plan with the secret's name and the fix: delete it in GitHub, and
     * the next deploy writes it anew.
     */
    it.each(variantLabels)(
      "%s: a secret changed in GitHub behind Terraform's back stops the plan, named; deleted as the message says, it is written anew",
      async (label) => {
        const d = byLabel(label);
        const target = d.expected.secrets[1];
        const where = { repository: d.expected.repository, environment: target.environment, name: target.name };
        gh.setSecretBehindTerraform({ ...where, value: "edited in GitHub" });
        const stopped = await planJson(tofu, d.dir, "secret-drift.plan");
        observations[`${label}: plan after the edit`] = {
          exitCode: stopped.plan.code,
          error: stopped.plan.stderr.split("\n").filter((l) => /Error|Secret|Delete/.test(l)),
        };
        expect(stopped.plan.code).toBe(1);
        const command = `gh secret delete ${target.name}${target.environment ? ` --env ${target.environment}` : ""} --repo ${d.expected.repository}`;
        expect(stopped.plan.stderr.replace(/[\s│]+/g, " ")).toContain(`Secret ${target.name} in`);
        expect(stopped.plan.stderr.replace(/[\s│]+/g, " ")).toContain(command);
        gh.deleteSecretBehindTerraform(where);
        const { plan, changes } = await planJson(tofu, d.dir, "secret-drift.plan");
        observations[`${label}: plan after the delete`] = { exitCode: plan.code, changes };
        const type = target.environment === undefined ? "github_actions_secret" : "github_actions_environment_secret";
        expect(changes).toEqual([{ address: expect.stringMatching(new RegExp(`^${type}\\.`)), actions: ["create"], reason: undefined }]);
        const apply = await timed(`${d.stack}_keys_drift_apply`, tofu.run(d.dir, ["apply", "-input=false", "-no-color", "secret-drift.plan"]));
        expect(failure(apply)).toEqual(ok);
        expectGithubHolds(gh, d);
        const again = await tofu.run(d.dir, ["plan", "-detailed-exitcode", "-input=false", "-no-color"]);
        expect(failure(again)).toEqual(ok);
      },
    );

    it.each([...variantLabels].reverse())("%s: destroy removes its variables, secrets and environment", async (label) => {
      const d = byLabel(label);
      const destroy = await tofu.run(d.dir, ["destroy", "-auto-approve", "-input=false", "-no-color"]);
      expect(failure(destroy)).toEqual(ok);
      const repo = gh.state().repository(d.expected.repository);
      for (const e of d.expected.environments) expect(repo.environments[e.name]).toBeUndefined();
      for (const s of d.expected.secrets.filter((x) => x.environment === undefined)) expect(repo.secrets[s.name]).toBeUndefined();
    });

    it("the repository is empty again and the provider spoke GitHub's protocol", () => {
      const repo = gh.state().repositories[0];
      expect({ variables: repo.variables, secrets: repo.secrets, environments: repo.environments }).toEqual({ variables: {}, secrets: {}, environments: {} });
      observations.keysOperations = [
        ...new Set(gh.calls.map((c) => `${c.method} ${c.template}${c.path.startsWith("/repositories/") ? " (as /repositories/{id})" : ""}`)),
      ].sort();
      expectProtocolClean(gh);
    });
  },
);
