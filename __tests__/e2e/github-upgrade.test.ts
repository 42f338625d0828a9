/**
 * Upgrading integrations/github under a live state: what an operator whose
 * `<env>-github` stacks were applied by the previous release (integrations/github
 * 6.9.0) goes through when the pin moves to today's line. Against the GitHub
 * stand-in, with secret values from SSM in the AWS emulator:
 *  1. apply with 6.9.0 the configuration the previous release synthesized
 *     (`plaintext_value`, `destroy_on_drift` on repository secrets, no
 *     postcondition on remote_updated_at);
 *  2. `init -upgrade` to the pinned version and plan/apply today's
 *     synthesized configuration over that state: the state upgraders (which
 *     call GitHub's repository API) succeed, nothing is created, replaced or
 *     deleted, in GitHub nothing is deleted or recreated;
 *  3. a second plan is empty.
 * Two stacks cover every resource type the GitHub stacks declare: a variant
 * of the first committed environment deploy (environment, deployment policy,
 * environment variables and secrets) and of the first branch or tag deploy
 * (repository variables and secrets).
 *
 * Providers come from a filesystem mirror in the test's own temp directory,
 * with its own CLI config: PLATFORM_GITHUB_PROVIDER (the version pinned) and
 * PLATFORM_GITHUB_PROVIDER_UPGRADE_FROM (6.9.0), each the path of a
 * terraform-provider-github_v<version> binary. hashicorp/aws comes from where
 * scripts/toolchain.sh found it. Skipped (reported as skipped) when either
 * variable or the AWS provider is missing.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { App } from "cdktf";
import { loadEnvironments, type EnvironmentInput } from "../../environments";
import { APP_ENVIRONMENTS } from "../helpers";
import { githubStackName } from "../../environments/naming";
import { GITHUB_PROVIDER_VERSION, GithubStack } from "../../stacks/github-stack";
import type { GithubStandin, RepositoryView } from "../support/github-standin";
import { startEmulator, type Emulator } from "../../scripts/lib/emulator";
import { emulatorAwsEnv, emulatorSdkConfig } from "../../scripts/lib/local-run";
import { prepareStackWorkdir, tofuRunner, type TofuResult, type TofuRunner } from "../../scripts/lib/tofu";
import { ensureToolchain, PROJECT_ROOT } from "../../scripts/lib/toolchain";
import {
  expectationsOf,
  readStack,
  resourceCount,
  ssmParametersOf,
  standinFor,
  testProviderConfig,
  githubProviderVersionOf as versionOf,
  useAvailableAws,
  useLocalBackend,
  type ExpectedGithub,
  type StackJson,
} from "./github-stack-expectations";

const EMULATOR_ACCOUNT = "123456789012"; // moto's fixed account: the AWS provider's allowed_account_ids must match it

const toBin = process.env.PLATFORM_GITHUB_PROVIDER ?? "";
const fromBin = process.env.PLATFORM_GITHUB_PROVIDER_UPGRADE_FROM ?? "";
const toolchain = ensureToolchain("test");
const skipReason = ((): string | undefined => {
  for (const [name, bin] of [
    ["PLATFORM_GITHUB_PROVIDER", toBin],
    ["PLATFORM_GITHUB_PROVIDER_UPGRADE_FROM", fromBin],
  ]) {
    if (!bin) return `${name} is not set`;
    if (!existsSync(bin)) return `${name}=${bin} does not exist`;
    if (!versionOf(bin)) return `${name}=${bin} is not named terraform-provider-github_v<version>`;
  }
  if (!toolchain.awsProviderVersion) return "no hashicorp/aws provider (the secrets are read from SSM in the AWS emulator)";
  return undefined;
})();
const from = versionOf(fromBin) ?? "";
const to = versionOf(toBin) ?? "";

/** One branch-or-tag and one environment deploy of the committed environments, as in github-stacks.test.ts. */
const sources = [
  APP_ENVIRONMENTS.find((e) => e.github.deployFrom.kind === "environment"),
  APP_ENVIRONMENTS.find((e) => e.github.deployFrom.kind !== "environment"),
].filter((e): e is EnvironmentInput => e !== undefined);

const work = mkdtempSync(join(tmpdir(), "github-upgrade-"));
const observations: Record<string, unknown> = {};
const timings: Record<string, number> = {};

/**
 * The configuration the previous release synthesized for the same stack:
 * integrations/github pinned to `version`, secrets in `plaintext_value`, and
 * repository secrets with `destroy_on_drift` (what GithubActionsSettings wrote
 * for integrations/github 6.9). Everything else is today's synthesis.
 */
function asPreviousRelease(json: StackJson, version: string): StackJson {
  const old = structuredClone(json) as StackJson & { terraform: { required_providers: { github: { version: string } } } };
  old.terraform.required_providers.github.version = version;
  for (const type of ["github_actions_secret", "github_actions_environment_secret"]) {
    for (const r of Object.values<Record<string, unknown>>(old.resource?.[type] ?? {})) {
      r.plaintext_value = r.value;
      delete r.value;
      delete r.lifecycle; // its postcondition reads remote_updated_at, an attribute 6.9 does not have
      if (type === "github_actions_secret") r.destroy_on_drift = true;
    }
  }
  return old;
}

interface StateResource {
  readonly type: string;
  readonly name: string;
  readonly instances: { readonly schema_version: number; readonly attributes: Record<string, unknown> }[];
}
const stateResources = (dir: string): StateResource[] =>
  (JSON.parse(readFileSync(join(dir, "terraform.tfstate"), "utf8")).resources as StateResource[]).filter((r) => r.type.startsWith("github_"));
const schemaVersions = (dir: string) => Object.fromEntries(stateResources(dir).map((r) => [`${r.type}.${r.name}`, r.instances[0].schema_version]));

async function plannedChanges(tofu: TofuRunner, dir: string, planFile: string) {
  const plan = await tofu.run(dir, ["plan", "-detailed-exitcode", "-input=false", "-no-color", `-out=${planFile}`]);
  const show = await tofu.run(dir, ["show", "-json", planFile]);
  const changes = (show.code === 0 ? (JSON.parse(show.stdout).resource_changes ?? []) : []) as { address: string; change: { actions: string[] } }[];
  return { plan, changes: changes.filter((c) => c.change.actions.join() !== "no-op").map((c) => ({ address: c.address, actions: c.change.actions })) };
}
const failure = (r: TofuResult) => ({ code: r.code, stderr: r.stderr.slice(-4000) });
const ok = { code: 0, stderr: "" };

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  if (skipReason) return;
  const report = join(PROJECT_ROOT, ".e2e");
  mkdirSync(report, { recursive: true });
  writeFileSync(
    join(report, "github-upgrade.json"),
    JSON.stringify({ from, to, seconds: Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, v / 1000])), observations }, null, 2),
  );
});

(skipReason ? describe.skip : describe)(
  skipReason
    ? `integrations/github upgrade of a live state (skipped: ${skipReason})`
    : `integrations/github upgrade of a live state: ${from} -> ${to} (pinned ${GITHUB_PROVIDER_VERSION})`,
  () => {
    let emulator: Emulator;
    let gh: GithubStandin;
    let tofu: TofuRunner;
    const stacks: { label: string; dir: string; today: StackJson; expected: ExpectedGithub }[] = [];
    let before: RepositoryView;
    let callsBeforeUpgrade = 0;

    beforeAll(async () => {
      emulator = await startEmulator(toolchain.motoPython);
      const inputs = sources.map((e) => ({
        ...e,
        accountId: EMULATOR_ACCOUNT,
        emulatorEndpoint: emulator.endpoint,
        github: {
          ...e.github,
          publishStaticEcrKeys: true,
          staticEcrKeySecrets: e.github.deployFrom.kind === "environment" ? ("environment" as const) : ("repository" as const),
        },
      }));
      const envs = inputs.map((input) => loadEnvironments([input])[0]);
      const ssm = new SSMClient(emulatorSdkConfig(emulator, "us-east-1"));
      const values = new Map<string, string>();
      for (const [i, env] of envs.entries()) {
        const outdir = join(work, `synth-${i}`);
        const app = new App({ outdir });
        new GithubStack(app, env);
        app.synth();
        const { dir } = prepareStackWorkdir(outdir, githubStackName(env), join(work, "run"));
        useLocalBackend(dir);
        useAvailableAws(dir, toolchain.awsProviderVersion);
        const today = readStack(join(dir, "cdk.tf.json"));
        for (const name of ssmParametersOf(today)) {
          const value = `${name.split("/").pop()}-${randomBytes(12).toString("base64url")}`;
          await ssm.send(new PutParameterCommand({ Name: name, Value: value, Type: "SecureString", Overwrite: true }));
          values.set(name, value);
        }
        writeFileSync(join(dir, "cdk.tf.json"), JSON.stringify(asPreviousRelease(today, from), null, 2));
        const label = `${githubStackName(env)} (${env.github.staticEcrKeySecrets} secrets)`;
        stacks.push({ label, dir, today, expected: expectationsOf(today, (n) => values.get(n)!) });
      }
      gh = await standinFor(envs);
      tofu = tofuRunner(
        { ...toolchain, cliConfigFile: testProviderConfig(work, [fromBin, toBin], toolchain) },
        { GITHUB_BASE_URL: gh.baseUrl, GITHUB_TOKEN: gh.token, ...emulatorAwsEnv(emulator, "us-east-1") },
      );
    }, 180_000);

    afterAll(async () => {
      await gh?.stop();
      await emulator?.stop();
    });

    it("covers every resource type of the GitHub stacks", () => {
      const types = new Set(stacks.flatMap((s) => Object.keys(s.today.resource ?? {})));
      expect([...types].sort()).toEqual(
        [
          "github_actions_environment_secret",
          "github_actions_environment_variable",
          "github_actions_secret",
          "github_actions_variable",
          "github_repository_environment",
          "github_repository_environment_deployment_policy",
        ].sort(),
      );
    });

    it(`${from}: init and apply of the previous release's configuration`, async () => {
      for (const s of stacks) {
        expect(failure(await tofu.run(s.dir, ["init", "-input=false", "-no-color"]))).toEqual(ok);
        expect(readFileSync(join(s.dir, ".terraform.lock.hcl"), "utf8")).toContain(`version     = "${from}"`);
        const apply = await tofu.run(s.dir, ["apply", "-auto-approve", "-input=false", "-no-color"]);
        timings[`${s.label} apply ${from}`] = apply.ms;
        expect(failure(apply)).toEqual(ok);
        expect(apply.stdout).toContain(`Apply complete! Resources: ${resourceCount(s.today)} added, 0 changed, 0 destroyed`);
        observations[`${s.label}: schema versions written by ${from}`] = schemaVersions(s.dir);
      }
      before = gh.state().repository(stacks[0].expected.repository);
      callsBeforeUpgrade = gh.calls.length;
    });

    it(`${to}: plain init refuses the locked ${from}; init -upgrade selects ${to}`, async () => {
      for (const s of stacks) {
        writeFileSync(join(s.dir, "cdk.tf.json"), JSON.stringify(s.today, null, 2));
        const plain = await tofu.run(s.dir, ["init", "-input=false", "-no-color"]);
        observations[`${s.label}: init without -upgrade`] = {
          code: plain.code,
          stderr: plain.stderr.split("\n").filter((l) => /Error|locked|constraint/i.test(l)),
        };
        expect(plain.code).not.toBe(0);
        expect(failure(await tofu.run(s.dir, ["init", "-upgrade", "-input=false", "-no-color"]))).toEqual(ok);
        expect(readFileSync(join(s.dir, ".terraform.lock.hcl"), "utf8")).toContain(`version     = "${to}"`);
      }
    });

    it(`${to}: the state migrations succeed and the plan replaces, creates and destroys nothing`, async () => {
      for (const s of stacks) {
        const { plan, changes } = await plannedChanges(tofu, s.dir, "upgrade.plan");
        timings[`${s.label} plan ${to}`] = plan.ms;
        observations[`${s.label}: first plan with ${to}`] = { exitCode: plan.code, changes };
        expect(plan.code === 0 || plan.code === 2 ? ok : failure(plan)).toEqual(ok);
        expect(changes.filter((c) => c.actions.join() !== "update")).toEqual([]);
        // Only the secrets change: `plaintext_value` becomes `value`, an update in place.
        expect(changes.filter((c) => !/^github_actions(_environment)?_secret\./.test(c.address))).toEqual([]);
        const apply = await tofu.run(s.dir, ["apply", "-input=false", "-no-color", "upgrade.plan"]);
        timings[`${s.label} apply ${to}`] = apply.ms;
        expect(failure(apply)).toEqual(ok);
        expect(apply.stdout).toMatch(/Apply complete! Resources: 0 added, \d+ changed, 0 destroyed/);
        observations[`${s.label}: schema versions after ${to}`] = schemaVersions(s.dir);
        for (const r of stateResources(s.dir))
          expect([`${r.type}.${r.name}`, r.instances[0].attributes.repository_id]).toEqual([`${r.type}.${r.name}`, expect.any(Number)]);
      }
    });

    it("GitHub lost and recreated nothing: same objects, same secrets (created_at kept), values as configured, no DELETE sent", () => {
      const after = gh.state().repository(stacks[0].expected.repository);
      const upgradeCalls = gh.calls.slice(callsBeforeUpgrade);
      observations.upgradeCalls = upgradeCalls.length;
      observations.upgradeOperations = [...new Set(upgradeCalls.map((c) => `${c.method} ${c.template}`))].sort();
      expect(upgradeCalls.filter((c) => c.method === "DELETE")).toEqual([]);
      const created = (r: RepositoryView) => ({
        repository: Object.fromEntries(Object.entries(r.secrets).map(([k, v]) => [k, v.createdAt])),
        environments: Object.fromEntries(
          Object.entries(r.environments).map(([n, e]) => [
            n,
            { ...e, secrets: Object.fromEntries(Object.entries(e.secrets).map(([k, v]) => [k, v.createdAt])) },
          ]),
        ),
        variables: r.variables,
      });
      expect(created(after)).toEqual(created(before));
      for (const s of stacks) {
        for (const v of s.expected.secrets) {
          const held = v.environment === undefined ? after.secrets[v.name] : after.environments[v.environment].secrets[v.name];
          expect([v.name, held?.value]).toEqual([v.name, v.value]);
        }
      }
    });

    it(`${to}: a second plan is empty`, async () => {
      for (const s of stacks) {
        const plan = await tofu.run(s.dir, ["plan", "-detailed-exitcode", "-input=false", "-no-color"]);
        expect(failure(plan)).toEqual(ok);
        expect(plan.stdout).toMatch(/No changes/);
      }
    });

    it("both providers spoke GitHub's protocol: every request and response conformed to the OpenAPI description", () => {
      expect(gh.violations).toEqual([]);
      expect(gh.unexpectedCalls).toEqual([]);
      expect([...new Set(gh.descriptionGaps.map((g) => `${g.gap.operationId} ${g.gap.property}`))]).toEqual(
        gh.descriptionGaps.length ? ["repos/create-or-update-environment can_admins_bypass"] : [],
      );
    });
  },
);
