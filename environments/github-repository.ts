/**
 * The GitHub repository every committed environment deploys from, as its OIDC
 * tokens name it: created after 2026-06-18, so its `sub` carries the owner's and
 * the repository's numeric ids (look them up with `npm run github-ids -- acme/shop`).
 */
export const SHOP_REPOSITORY = { repository: "acme/shop", subjectFormat: "immutable", ownerId: 81234567, repositoryId: 912345678 } as const;

/** The team whose approval staging and prod deployments wait for (GitHub team id). */
export const RELEASE_APPROVERS_TEAM_ID = 4312001;
