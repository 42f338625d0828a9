import { RELEASE_APPROVERS_TEAM_ID, SHOP_REPOSITORY } from "./github-repository";
import type { EnvironmentInput } from "./schema";

/** Pre-production, same account as dev: the account's OIDC provider is shared, not duplicated. */
export const staging: EnvironmentInput = {
  name: "staging",
  app: "shop",
  accountId: "111111111111",
  region: "us-east-1",
  services: [{ name: "api" }, { name: "worker" }],
  ecr: { runtimePullServices: ["build.apprunner.amazonaws.com"], imageRetentionCount: 10, encryption: { type: "KMS" } },
  s3UserBuckets: ["shop-staging-assets"],
  github: {
    ...SHOP_REPOSITORY,
    deployFrom: {
      kind: "environment",
      name: "staging",
      // The release approvers team must approve every deployment; only main deploys.
      protection: { reviewers: { teams: [RELEASE_APPROVERS_TEAM_ID] } },
    },
  },
  state: { bucket: "acme-shop-tfstate-111111111111", key: "shop/staging.tfstate", region: "us-east-1" },
};
