import type { EnvironmentInput } from "./schema";

/** Production in its own account: immutable tags, KMS, the runtime account may pull. */
export const prod: EnvironmentInput = {
  name: "prod",
  app: "shop",
  accountId: "222222222222",
  region: "eu-west-1",
  services: [{ name: "api" }, { name: "worker" }],
  ecr: {
    imageRetentionCount: 30,
    tagMutability: "IMMUTABLE",
    encryption: { type: "KMS" },
    crossAccountPullPrincipals: ["333333333333"],
  },
  s3UserBuckets: ["shop-prod-assets"],
  github: { repository: "acme/shop", deployFrom: { kind: "environment", name: "prod" } },
  state: { bucket: "acme-shop-tfstate-222222222222", key: "shop/prod.tfstate", region: "eu-west-1" },
};
