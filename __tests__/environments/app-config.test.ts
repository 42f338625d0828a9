/**
 * environments/app.ts is the one file a team edits: the committed app and a
 * second adopter's (the fixture __tests__/support/second-config.sh swaps in)
 * are both complete configs, and the second shares no name, id, account,
 * region or service with the example app the tests name.
 */
import { APP, emulatorEnvironment, ENVIRONMENTS, loadEnvironments } from "../../environments";
import { deliveryTargets, environmentInputs, type AppConfig } from "../../environments/app-config";
import { FIXTURE_APP } from "../fixtures/app";
import { APP as SECOND_APP } from "../fixtures/second-config/app";
import { EMULATOR_ENDPOINT } from "../helpers";

/** Every value an adopter states, by kind. */
function valuesOf(app: AppConfig) {
  const [owner, repository] = app.github.repository.split("/");
  const envs = loadEnvironments(environmentInputs(app));
  const protections = envs.flatMap((e) => (e.github.deployFrom.kind === "environment" ? [e.github.deployFrom.protection] : []));
  return {
    app: [app.name],
    owner: [owner],
    repository: [repository],
    ids: [app.github.ownerId, app.github.repositoryId],
    teams: protections.flatMap((p) => p.reviewers.teams),
    environments: envs.map((e) => e.name),
    accounts: envs.flatMap((e) => [e.accountId, ...e.ecr.crossAccountPullPrincipals]),
    regions: envs.flatMap((e) => [e.region, e.state.region]),
    services: app.services.map((s) => s.name),
    buckets: envs.flatMap((e) => [e.state.bucket, ...e.s3UserBuckets]),
  };
}

describe.each([
  ["the committed app (environments/app.ts)", APP],
  ["the second adopter's app", SECOND_APP],
  ["the fixture app", FIXTURE_APP],
])("%s", (_what, app) => {
  it("is valid config, and the deploy workflow can be derived from it", () => {
    expect(() => loadEnvironments(environmentInputs(app))).not.toThrow();
    expect(deliveryTargets(app).problems).toEqual([]);
  });

  it("gives the emulator's environment its app, services and repository, in moto's account", () => {
    const local = loadEnvironments([emulatorEnvironment(EMULATOR_ENDPOINT, app)])[0];
    expect([local.app, local.services, local.github.repository, local.accountId]).toEqual([app.name, app.services, app.github.repository, "123456789012"]);
    expect(loadEnvironments([...environmentInputs(app), emulatorEnvironment(EMULATOR_ENDPOINT, app)])).toHaveLength(app.environments.length + 1);
  });
});

it("ENVIRONMENTS are the committed app's environments", () => {
  expect(ENVIRONMENTS.map((e) => e.name)).toEqual(environmentInputs(APP).map((e) => e.name));
  expect(loadEnvironments(ENVIRONMENTS)).toEqual(loadEnvironments(environmentInputs(APP)));
});

describe("the second adopter's app, next to the example app", () => {
  const second = valuesOf(SECOND_APP);
  const example = valuesOf(FIXTURE_APP);

  it.each(Object.keys(second) as (keyof typeof second)[])("shares no %s with the example app", (kind) => {
    expect(second[kind].length).toBeGreaterThan(0);
    expect(second[kind].filter((v) => (example[kind] as unknown[]).includes(v))).toEqual([]);
  });

  it("builds another number of services, and deploys to a region other than us-east-1 and eu-west-1", () => {
    expect(second.services.length).not.toBe(example.services.length);
    expect(second.regions.filter((r) => !["us-east-1", "eu-west-1"].includes(r)).length).toBeGreaterThan(0);
  });
});
