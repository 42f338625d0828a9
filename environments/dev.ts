import { SHOP_REPOSITORY } from "./github-repository";
import type { EnvironmentInput } from "./schema";

/** Day-to-day development: mutable tags, short retention, repositories may be force-deleted. */
export const dev: EnvironmentInput = {
  name: "dev",
  app: "shop",
  accountId: "111111111111",
  region: "us-east-1",
  services: [{ name: "api" }, { name: "worker" }],
  ecr: { imageRetentionCount: 5, tagMutability: "MUTABLE", forceDelete: true },
  s3UserBuckets: ["shop-dev-assets"],
  github: { ...SHOP_REPOSITORY, deployFrom: { kind: "environment", name: "dev" } },
  state: { bucket: "acme-shop-tfstate-111111111111", key: "shop/dev.tfstate", region: "us-east-1" },
};
