import { Testing } from "cdktf";
import type { TerraformStack } from "cdktf";
import { emulatorEnvironment, ENVIRONMENTS, loadEnvironments, type EnvironmentConfig, type EnvironmentInput } from "../environments";
import { environmentInputs } from "../environments/app-config";
import { appEnvironments } from "../stacks/synthesize";
import { FIXTURE_APP } from "./fixtures/app";

/** The repository of test environments: immutable subjects, fixed ids. */
export const TEST_REPOSITORY = { repository: "acme/shop", ownerId: 1001, repositoryId: 2002 } as const;

/** A complete, valid environment; tests override what they exercise. */
export function envInput(overrides: Partial<EnvironmentInput> = {}): EnvironmentInput {
  // Per-environment names follow the name, so two test environments never collide by accident.
  const name = overrides.name ?? "qa";
  return {
    name,
    app: "shop",
    accountId: "111111111111",
    region: "us-east-1",
    services: [{ name: "api" }, { name: "worker" }],
    s3UserBuckets: [`shop-${name}-assets`],
    github: { ...TEST_REPOSITORY, deployFrom: { kind: "environment", name } },
    state: { bucket: "acme-state-111111111111", key: `shop/${name}.tfstate`, region: "us-east-1" },
    ...overrides,
  };
}

export function envConfig(overrides: Partial<EnvironmentInput> = {}): EnvironmentConfig {
  return loadEnvironments([envInput(overrides)])[0];
}

export interface SynthesizedStack {
  resource: Record<string, Record<string, Record<string, unknown>>>;
  output: Record<string, { value: string; sensitive?: boolean; description?: string }>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  terraform: Record<string, any>;
  provider: Record<string, any[]>;
}

export function synthJson(stack: TerraformStack): SynthesizedStack {
  return JSON.parse(Testing.synth(stack, true)) as SynthesizedStack;
}

/** All resources of one type, keyed by logical id. */
export function resourcesOf(json: SynthesizedStack, type: string): Record<string, any>[] {
  return Object.values(json.resource[type] ?? {});
}

export function onlyResource(json: SynthesizedStack, type: string, where: (r: any) => boolean = () => true): any {
  const found = resourcesOf(json, type).filter(where);
  if (found.length !== 1) throw new Error(`expected exactly one ${type}, found ${found.length}`);
  return found[0];
}

export interface Statement {
  Sid: string;
  Effect: "Allow" | "Deny";
  Action: string[];
  Resource?: string[];
  Principal?: any;
  Condition?: Record<string, Record<string, string | string[]>>;
}

export function statementsOf(policyJson: string): Statement[] {
  const doc = JSON.parse(policyJson) as { Version: string; Statement: Statement[] };
  expect(doc.Version).toBe("2012-10-17");
  return doc.Statement;
}

/** Where tests say the emulator listens; names never depend on it. */
export const EMULATOR_ENDPOINT = "https://127.0.0.1:4566";

/**
 * Every environment the app can synthesize from the committed config: the user's and the main
 * job's emulator environment (the set `npx cdktf deploy local` sees with PLATFORM_EMULATOR_ENDPOINT
 * set). Proofs run on all of them, so the emulator's features (runtime pull, cross-account pull,
 * KMS) are proven too; they expect nothing of its names, so they hold for any app a team adopts.
 */
export const APP_ENVIRONMENTS: readonly EnvironmentInput[] = appEnvironments(ENVIRONMENTS, { PLATFORM_EMULATOR_ENDPOINT: EMULATOR_ENDPOINT });

/** The fixture app's environments (__tests__/fixtures/app.ts): for tests that expect its names literally. */
export const FIXTURE_ENVIRONMENTS: readonly EnvironmentInput[] = environmentInputs(FIXTURE_APP);

/** The fixture app's environments and the emulator's environment built from it, as APP_ENVIRONMENTS is from the committed app. */
export const FIXTURE_APP_ENVIRONMENTS: readonly EnvironmentInput[] = [...FIXTURE_ENVIRONMENTS, emulatorEnvironment(EMULATOR_ENDPOINT, FIXTURE_APP)];
