import { SHOP_REPOSITORY } from "./github-repository";
import type { EnvironmentInput } from "./schema";

/**
 * The main job's environment: a full environment against an AWS API emulator
 * on loopback (moto), whose account id is moto's fixed default. The main job
 * (scripts/local-deploy.ts) starts the emulator and points this environment
 * at it through PLATFORM_EMULATOR_ENDPOINT (main.ts).
 */
export const local: EnvironmentInput = {
  name: "local",
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
  emulatorEndpoint: "https://127.0.0.1:4566",
};
