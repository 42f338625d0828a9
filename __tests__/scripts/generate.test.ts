/**
 * The configuration reference (docs/configuration.md) is rendered from the zod
 * schema's descriptions by `npm run generate`, and the deploy workflow's
 * environments and services from environments/app.ts: these tests fail when the
 * committed text is stale, or when a field has no description to render.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { deliveryTargets, type AppConfig } from "../../environments/app-config";
import {
  configReferenceRows,
  DELIVERY_BRANCH,
  isStale,
  main,
  renderAppImageTarget,
  renderConfigReference,
  renderDeployTargets,
  renderDeployTriggers,
  replaceSection,
  SECTIONS,
  staleSections,
} from "../../scripts/generate";
import { FIXTURE_APP } from "../fixtures/app";
import { APP as SECOND_APP } from "../fixtures/second-config/app";

const ROOT = join(__dirname, "..", "..");

describe("generated sections", () => {
  it("every committed section is what npm run generate writes (run it after editing environments/schema.ts)", () => {
    expect(staleSections(ROOT)).toEqual([]);
  });

  it("a section whose rendering changed is reported stale: the check can fail", () => {
    const [section] = SECTIONS;
    const text = readFileSync(join(ROOT, section.file), "utf8");
    const added = { ...section, render: () => `${section.render()}- \`extra\`: string, optional. A new field.\n` };
    const reworded = { ...section, render: () => section.render().replace("Default: 10.", "Default: 11.") };
    expect(isStale(text, section)).toBe(false);
    expect(isStale(text, added)).toBe(true);
    expect(isStale(text, reworded)).toBe(true);
    expect(isStale(replaceSection(text, added), added)).toBe(false);
  });

  it("renders one line per field, naming its type and default", () => {
    const lines = renderConfigReference().trimEnd().split("\n");
    expect(lines).toHaveLength(configReferenceRows().length);
    expect(lines).toContain(
      "- `ecr.imageRetentionCount`: integer 1–10000, default `10`. Images kept per tag prefix and per tag pattern (lifecycle rule), 1 to 10,000. Default: 10.",
    );
    expect(lines.find((l) => l.startsWith("- `name`:"))).toMatch(/^- `name`: string, required\. Environment name/);
  });

  it("refuses a file without the section's markers, naming them", () => {
    const [section] = SECTIONS;
    expect(() => replaceSection("# no markers\n", section)).toThrow(/generated:config-reference start/);
    expect(() => isStale("# no markers\n", section)).toThrow(/generated:config-reference start/);
  });

  it("refuses unknown arguments with usage (exit 2) and writes nothing", async () => {
    const stderr = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      expect(await main(["--write-everything"])).toBe(2);
      expect(stderr).toHaveBeenCalledWith(expect.stringMatching(/^usage: npm run generate/));
    } finally {
      stderr.mockRestore();
    }
  });
});

describe("configuration reference", () => {
  const rows = configReferenceRows();
  const byField = new Map(rows.map((r) => [r.field.replace(/`/g, ""), r]));

  it("every field has a description (a field added to the schema without .describe() fails here)", () => {
    const undescribed = rows.filter((r) => r.description.replace(/^With `[^`]+`\. /, "") === "").map((r) => r.field);
    expect(undescribed).toEqual([]);
  });

  it("every field with a default names it in its description, in words", () => {
    const unnamed = rows.filter((r) => !["required", "optional"].includes(r.default) && !/Default:/.test(r.description)).map((r) => r.field);
    expect(unnamed).toEqual([]);
  });

  it.each([
    ["name", "string", "required"],
    ["ecr.imageRetentionCount", "integer 1–10000", "`10`"],
    ["ecr.tagMutability", '`"MUTABLE"` | `"IMMUTABLE"`', '`"IMMUTABLE"`'],
    ["ecr.encryption.type", '`"AES256"` | `"KMS"`', "required"],
    ["ecr.registry", "object", "optional"],
    ["ecr.registry.replicateTo[].region", "string (37 values)", "required"],
    ["github.ownerId", "integer ≥ 1", "optional"],
    ["github.deployFrom.protection.deploymentRefs", '`"protected-branches"` | object', '`{"branches":["main"],"tags":[]}`'],
    ["github.deployFrom.protection.waitTimerMinutes", "integer 0–43200", "`0`"],
    ["state.lock", '`"lockfile"` | object', '`"lockfile"`'],
    ["tags", "map of string", "`{}`"],
  ])("%s: type %s, default %s (taken from the schema, not written by hand)", (field, type, dflt) => {
    expect(byField.get(field)).toMatchObject({ type, default: dflt });
  });

  it("a field of one variant of a union says which variant", () => {
    expect(byField.get("ecr.encryption.kmsKeyArn")?.description).toMatch(/^With `type: "KMS"`\. /);
    expect(byField.get("github.deployFrom.protection")?.description).toMatch(/^With `kind: "environment"`\. /);
    expect(byField.get("github.deployFrom.name")?.description).not.toMatch(/^With /);
  });
});

describe("the workflows' generated parts, from environments/app.ts", () => {
  const deployYml = readFileSync(join(ROOT, ".github", "workflows", "deploy.yml"), "utf8");
  const withApp = (app: AppConfig) =>
    SECTIONS.filter((s) => s.file === ".github/workflows/deploy.yml").map((s) => ({ ...s, render: () => renderFor(s.name, app) }));
  const renderFor = (name: string, app: AppConfig) => (name === "deploy-triggers" ? renderDeployTriggers(app) : renderDeployTargets(app));
  /** deploy.yml as npm run generate would write it for `app`. */
  const deployFor = (app: AppConfig) => parse(withApp(app).reduce((text, section) => replaceSection(text, section), deployYml));

  it("renders the fixture app: push to main delivers to dev, a dispatch to staging or prod, one matrix entry per service", () => {
    expect(renderDeployTriggers(FIXTURE_APP)).toBe(
      [
        "on:",
        "  push:",
        "    branches: [main]",
        "  workflow_dispatch:",
        "    inputs:",
        "      environment:",
        "        description: Environment to deliver to",
        "        type: choice",
        "        options: [staging, prod]",
        "        required: true",
        "",
        "concurrency:",
        "  group: deploy-${{ inputs.environment || 'dev' }}",
        "  cancel-in-progress: false",
        "",
      ].join("\n"),
    );
    expect(renderDeployTargets(FIXTURE_APP)).toBe(
      [
        "environment: ${{ inputs.environment || 'dev' }}",
        "strategy:",
        "  matrix:",
        "    include:",
        "      - { service: api, variable: ECR_REPOSITORY_API }",
        "      - { service: worker, variable: ECR_REPOSITORY_WORKER }",
        "",
      ].join("\n"),
    );
    expect(renderAppImageTarget(FIXTURE_APP)).toBe(["environment: dev", "env:", "  REPOSITORY: ${{ vars.ECR_REPOSITORY_API }}", ""].join("\n"));
  });

  it("renders another app's environments and services into a workflow that parses to them", () => {
    const wf = deployFor(SECOND_APP);
    expect(wf.on.workflow_dispatch.inputs.environment.options).toEqual(["preprod", "live"]);
    expect(wf.on.push.branches).toEqual([DELIVERY_BRANCH]);
    expect(wf.concurrency.group).toBe("deploy-${{ inputs.environment || 'sandbox' }}");
    expect(wf.jobs.images.environment).toBe("${{ inputs.environment || 'sandbox' }}");
    expect(wf.jobs.images.strategy.matrix.include).toEqual([
      { service: "gateway", variable: "ECR_REPOSITORY_GATEWAY" },
      { service: "billing-worker", variable: "ECR_REPOSITORY_BILLING_WORKER" },
      { service: "reports", variable: "ECR_REPOSITORY_REPORTS" },
    ]);
    // Everything outside the generated parts is kept as written.
    expect(wf.jobs.images.steps).toEqual(parse(deployYml).jobs.images.steps);
    expect(wf.permissions).toEqual({});
  });

  it("keeps YAML sections indented like their markers, and a rewritten section is no longer stale", () => {
    const [triggers, targets] = withApp(SECOND_APP);
    const text = replaceSection(replaceSection(deployYml, triggers), targets);
    expect(text).toMatch(/\n {4}# generated:deploy-targets start \(npm run generate\)\n {4}environment: /);
    expect(text).toMatch(/\n {10}- \{ service: reports, variable: ECR_REPOSITORY_REPORTS \}\n {4}# generated:deploy-targets end\n/);
    expect([isStale(text, triggers), isStale(text, targets)]).toEqual([false, false]);
    const [, fixtureTargets] = withApp(FIXTURE_APP);
    expect(isStale(text, fixtureTargets)).toBe(true);
  });

  const only = (environments: AppConfig["environments"]): AppConfig => ({ ...FIXTURE_APP, environments });
  const [dev, staging, prod] = FIXTURE_APP.environments;

  it("drops the dispatch trigger when every delivery is on push, and the push trigger when none is", () => {
    const pushOnly = deployFor(only([dev]));
    expect(Object.keys(pushOnly.on)).toEqual(["push"]);
    expect([pushOnly.jobs.images.environment, pushOnly.concurrency.group]).toEqual(["dev", "deploy-dev"]);
    const dispatchOnly = deployFor(only([staging, prod]));
    expect(Object.keys(dispatchOnly.on)).toEqual(["workflow_dispatch"]);
    expect(dispatchOnly.jobs.images.environment).toBe("${{ inputs.environment }}");
    expect(renderAppImageTarget(only([staging, prod]))).toMatch(/^environment: staging\n/);
  });

  it("leaves out environments deployed from a branch or tag, and those marked delivery: none", () => {
    const branch = { ...prod, delivery: undefined, github: { deployFrom: { kind: "branch" as const, name: "main" } } };
    expect(deliveryTargets(only([dev, branch, { ...staging, delivery: "none" }])).targets).toEqual({ onPush: "dev", onDispatch: [] });
  });

  it.each<[string, AppConfig["environments"], RegExp]>([
    ["two push deliveries", [dev, { ...prod, delivery: "push" }], /at most one environment is delivered on push to main, not dev, prod/],
    [
      "a delivery from a branch deploy",
      [dev, { ...prod, github: { deployFrom: { kind: "branch", name: "main" } } }],
      /prod\.delivery: "dispatch" needs a GitHub environment/,
    ],
    ["no delivery at all", [{ ...dev, delivery: "none" }], /no environment is delivered to/],
  ])("refuses %s, naming the environment", (_what, environments, message) => {
    expect(deliveryTargets(only(environments)).problems).toEqual([expect.stringMatching(message)]);
    expect(() => renderDeployTargets(only(environments))).toThrow(/^environments\/app\.ts: the deploy workflow cannot be derived:\n {2}- /);
  });

  it("quotes a GitHub environment name YAML would read as something else", () => {
    const odd = only([
      { ...dev, github: { deployFrom: { kind: "environment", name: "on" } } },
      { ...prod, github: { deployFrom: { kind: "environment", name: "prod: eu" } } },
    ]);
    const wf = deployFor(odd);
    expect(wf.on.workflow_dispatch.inputs.environment.options).toEqual(["prod: eu"]);
    expect(wf.jobs.images.environment).toBe("${{ inputs.environment || 'on' }}");
    expect(parse(renderAppImageTarget(odd)).environment).toBe("on");
  });
});
