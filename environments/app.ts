import type { AppConfig } from "./app-config";

/*
 * The one file a team edits to adopt the platform: the application, its GitHub
 * repository, its AWS accounts, its services and its environments. The rest is
 * derived: each environment's stacks, state and bucket names (environments/app-config.ts),
 * the emulator's environment, and the deploy workflow's environments and service
 * matrix, which `npm run generate` rewrites after a change here.
 */

/** AWS accounts by role. */
const ACCOUNTS = { nonProduction: "111111111111", production: "222222222222", productionRuntime: "333333333333" } as const;

/** GitHub teams by role, by numeric team id. */
const TEAMS = { releaseApprovers: 4312001 } as const;

/** The release approvers must approve every deployment; only main deploys (the protection's default). */
const RELEASE_PROTECTION = { reviewers: { teams: [TEAMS.releaseApprovers] } };

export const APP: AppConfig = {
  name: "shop",
  // Created after 2026-06-18, so its tokens' `sub` carries the numeric ids: `npm run github-ids -- acme/shop`.
  github: { repository: "acme/shop", subjectFormat: "immutable", ownerId: 81234567, repositoryId: 912345678 },
  services: [{ name: "api" }, { name: "worker" }],
  environments: [
    {
      // Day-to-day development, delivered on every push to main: mutable tags, short retention, repositories may be force-deleted.
      name: "dev",
      accountId: ACCOUNTS.nonProduction,
      region: "us-east-1",
      delivery: "push",
      ecr: { imageRetentionCount: 5, tagMutability: "MUTABLE", forceDelete: true },
    },
    {
      // Pre-production, same account as dev: the account's OIDC provider is shared, not duplicated.
      name: "staging",
      accountId: ACCOUNTS.nonProduction,
      region: "us-east-1",
      delivery: "dispatch",
      ecr: { runtimePullServices: ["build.apprunner.amazonaws.com"], imageRetentionCount: 10, encryption: { type: "KMS" } },
      github: { protection: RELEASE_PROTECTION },
    },
    {
      // Production in its own account: immutable tags, KMS, the runtime account may pull.
      name: "prod",
      accountId: ACCOUNTS.production,
      region: "eu-west-1",
      delivery: "dispatch",
      ecr: { imageRetentionCount: 30, tagMutability: "IMMUTABLE", encryption: { type: "KMS" }, crossAccountPullPrincipals: [ACCOUNTS.productionRuntime] },
      github: { protection: RELEASE_PROTECTION },
    },
  ],
};
