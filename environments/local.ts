import { SHOP_REPOSITORY } from "./github-repository";
import type { EnvironmentInput } from "./schema";

/** The name of the emulator's environment (`npx cdktf deploy local` once the emulator runs). */
export const EMULATOR_ENVIRONMENT_NAME = "local";

/**
 * The main job's environment, not one of the user's: a full environment
 * against an AWS API emulator on loopback (moto), whose account id is moto's
 * fixed default. The app synthesizes it only when PLATFORM_EMULATOR_ENDPOINT
 * names a running emulator (the main job and `source .local/sandbox.env` set
 * it), so a plain synth and the pull-request plans hold only real environments.
 */
export const emulatorEnvironment = (endpoint: string): EnvironmentInput => ({
  name: EMULATOR_ENVIRONMENT_NAME,
  app: "shop",
  accountId: "123456789012",
  region: "us-east-1",
  services: [{ name: "api" }, { name: "worker" }],
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
  s3UserBuckets: ["shop-local-assets"],
  github: { ...SHOP_REPOSITORY, deployFrom: { kind: "branch", name: "main" } },
  state: { bucket: "shop-local-tfstate", key: "shop/local.tfstate", region: "us-east-1" },
  emulatorEndpoint: endpoint,
});
