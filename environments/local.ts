import { APP } from "./app";
import type { AppConfig } from "./app-config";
import type { EnvironmentInput } from "./schema";

/** The name of the emulator's environment (`npx cdktf deploy local` once the emulator runs). */
export const EMULATOR_ENVIRONMENT_NAME = "local";

/**
 * The main job's environment, not one of the user's: a full environment
 * against an AWS API emulator on loopback (moto), whose account id is moto's
 * fixed default. The app synthesizes it only when PLATFORM_EMULATOR_ENDPOINT
 * names a running emulator (the main job and `source .local/sandbox.env` set
 * it), so a plain synth and the pull-request plans hold only real environments.
 * It builds the app's own services from its own repository, so the main job
 * exercises what the team adopted; every feature is switched on, so the proofs
 * cover them all.
 */
export const emulatorEnvironment = (endpoint: string, app: AppConfig = APP): EnvironmentInput => ({
  name: EMULATOR_ENVIRONMENT_NAME,
  app: app.name,
  accountId: "123456789012",
  region: "us-east-1",
  services: app.services,
  ecr: {
    runtimePullServices: ["ecs-tasks.amazonaws.com"],
    imageRetentionCount: 3,
    untaggedExpiryDays: 1,
    tagMutability: "IMMUTABLE",
    encryption: { type: "KMS" },
    crossAccountPullPrincipals: ["444455556666"],
    forceDelete: true,
    // Registry-wide: Amazon Inspector rescans continuously; a copy of every image in us-west-2.
    registry: { scanType: "ENHANCED", scanFrequency: "CONTINUOUS_SCAN", replicateTo: [{ region: "us-west-2" }] },
  },
  s3UserBuckets: [`${app.name}-${EMULATOR_ENVIRONMENT_NAME}-assets`],
  github: { ...app.github, deployFrom: { kind: "branch", name: "main" } },
  state: { bucket: `${app.name}-${EMULATOR_ENVIRONMENT_NAME}-tfstate`, key: `${app.name}/${EMULATOR_ENVIRONMENT_NAME}.tfstate`, region: "us-east-1" },
  emulatorEndpoint: endpoint,
});
