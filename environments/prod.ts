import { RELEASE_APPROVERS_TEAM_ID, SHOP_REPOSITORY } from "./github-repository";
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
  github: {
    ...SHOP_REPOSITORY,
    deployFrom: {
      kind: "environment",
      name: "prod",
      // The release approvers team must approve every deployment; only main deploys.
      protection: { reviewers: { teams: [RELEASE_APPROVERS_TEAM_ID] } },
    },
  },
  state: { bucket: "acme-shop-tfstate-222222222222", key: "shop/prod.tfstate", region: "eu-west-1" },
};
