import { z } from "zod";
import { GITHUB_NAME_PATTERN, GITHUB_OWNER_PATTERN } from "../constructs/github-oidc";
import { githubRepositoryProblem } from "./github-names";
import { ECR_SCAN_FILTER_PATTERN } from "../constructs/validation";
import { refPatternProblem } from "./ref-pattern";
import { AWS_REGIONS } from "./regions";

/**
 * The typed, validated shape of one environment. Every field that has a
 * default says so here; environment files state only what differs.
 */

/** ECR repository name component rules (AWS: [a-z0-9]+(?:[._-][a-z0-9]+)*). */
export const ECR_NAME_PATTERN = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
/** Lowercase, single hyphens between parts: it ends up in ECR repository names. */
const ENV_NAME_PATTERN = /^(?=.{1,20}$)[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
/** `owner/name` by the same rules the subject builder enforces (constructs/github-oidc.ts). */
const GITHUB_REPOSITORY_PATTERN = new RegExp(`^${GITHUB_OWNER_PATTERN.source.slice(1, -1)}/${GITHUB_NAME_PATTERN.source.slice(1, -1)}$`);
/** Branch, tag and environment names may not carry IAM wildcard characters: a subject must name one thing. */
const NO_WILDCARD = /^[^*?]+$/;
const S3_BUCKET_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

const accountId = z.string().regex(/^\d{12}$/, "must be a 12-digit AWS account id");
const region = z.enum(AWS_REGIONS, { message: `must be one of the AWS regions (${AWS_REGIONS.slice(0, 4).join(", ")}, ...)` });
const wildcardFree = (what: string) =>
  z.string().min(1).regex(NO_WILDCARD, `${what} must not contain '*' or '?': an OIDC subject must name exactly one ${what}`);

const service = z.strictObject({
  /** Service name; the repository is `<app>-<service>-<env>` unless `repositoryName` is set. */
  name: z.string().regex(ECR_NAME_PATTERN, `must match ${ECR_NAME_PATTERN.source}`).max(64),
  /** Repository name override. @default `<app>-<service>-<env>` */
  repositoryName: z
    .string()
    .min(2)
    .max(256)
    .regex(/^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/, "must be a valid ECR repository name (lowercase, digits, . _ - /)")
    .optional(),
});

const encryption = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("AES256") }),
  z.strictObject({
    type: z.literal("KMS"),
    /** Existing key ARN. @default a customer managed key with rotation is created per environment */
    kmsKeyArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/(?:[0-9a-f-]{36}|mrk-[0-9a-f]{32})$/, "must be a KMS key ARN (single- or multi-Region)")
      .optional(),
  }),
]);

/** A role ARN is `role/`, an optional path ending in `/`, and a name of 1-64 characters (IAM User Guide, IAM identifiers). */
const ROLE_ARN = /^arn:aws(?:-cn|-us-gov)?:iam::\d{12}:(?:root|role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64})$/;
const crossAccountPrincipal = z
  .string()
  .refine(
    (p) => /^\d{12}$/.test(p) || ROLE_ARN.test(p),
    "must be a 12-digit account id, or an IAM role ARN with a name (arn:<partition>:iam::<account>:role/[path/]name)",
  );

/** GitHub's limit on required reviewers (users and teams together) of one environment. */
const MAX_ENVIRONMENT_REVIEWERS = 6;
/**
 * A ref pattern of a deployment branch policy (GitHub's fnmatch syntax, e.g.
 * `release/*`). Patterns are allowed here: they select which refs may run a
 * job in the environment, while the OIDC subject the role trusts stays exact.
 */
const refPattern = z
  .string()
  .min(1)
  .max(255)
  .regex(/^(?!refs\/)[^\s]+$/, "must be a branch or tag name pattern without 'refs/' and without spaces")
  // A pattern without literal leading text reaches refs of any name (GitHub's fnmatch: environments/ref-pattern.ts).
  .superRefine((p, ctx) => {
    const problem = refPatternProblem(p);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

/**
 * The protection of the GitHub environment that guards the deploy role: the
 * role trusts `environment:<name>`, which any workflow on any branch can
 * claim, so this protection is the real boundary. The GitHub stack sends it
 * whole on every apply (settings made by hand in GitHub are overwritten).
 */
const environmentProtection = z.strictObject({
  /**
   * Refs that may run jobs in the environment (its deployment branch policy):
   * `protected-branches`, or named branch and tag patterns. There is no
   * "all branches": an environment without a branch policy is refused.
   * @default { branches: ["main"], tags: [] }
   */
  deploymentRefs: z
    .union([
      z.literal("protected-branches"),
      z
        .strictObject({ branches: z.array(refPattern).default([]), tags: z.array(refPattern).default([]) })
        .refine((r) => r.branches.length + r.tags.length > 0, "must name at least one branch or tag: an environment open to every branch guards nothing"),
    ])
    .default({ branches: ["main"], tags: [] }),
  /** Required reviewers by numeric GitHub id (users and teams, at most 6 in all). @default { users: [], teams: [] } (none) */
  reviewers: z
    .strictObject({ users: z.array(z.number().int().positive()).default([]), teams: z.array(z.number().int().positive()).default([]) })
    .refine((r) => r.users.length + r.teams.length <= MAX_ENVIRONMENT_REVIEWERS, `GitHub allows at most ${MAX_ENVIRONMENT_REVIEWERS} required reviewers`)
    .prefault({}),
  /** The person who triggered a deployment may not approve it. @default true */
  preventSelfReview: z.boolean().default(true),
  /** Minutes a deployment waits before it runs (0 to 43,200). @default 0 */
  waitTimerMinutes: z.number().int().min(0).max(43_200).default(0),
  /** Let repository administrators bypass the protection. @default false */
  adminsCanBypass: z.boolean().default(false),
});

/** Where a deploy is allowed from: each kind maps to exactly one GitHub OIDC `sub` context. */
const deploySource = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("environment"), name: wildcardFree("GitHub environment").max(255), protection: environmentProtection.prefault({}) }),
  z.strictObject({
    kind: z.literal("branch"),
    name: wildcardFree("branch")
      .max(255)
      .regex(/^(?!refs\/)/, "is a branch name, without 'refs/heads/'"),
  }),
  z.strictObject({
    kind: z.literal("tag"),
    name: wildcardFree("tag")
      .max(255)
      .regex(/^(?!refs\/)/, "is a tag name, without 'refs/tags/'"),
  }),
]);

const githubId = z.number().int().positive();

const github = z
  .strictObject({
    /** `owner/name`, in GitHub's letter case (the subject comparison is case-sensitive); never a wildcard. */
    repository: z
      .string()
      .regex(GITHUB_REPOSITORY_PATTERN, "must be 'owner/name' with no wildcard")
      .superRefine((r, ctx) => {
        const problem = GITHUB_REPOSITORY_PATTERN.test(r) ? githubRepositoryProblem(r) : undefined;
        if (problem) ctx.addIssue({ code: "custom", message: problem });
      }),
    /**
     * The form of `sub` in the repository's OIDC tokens. `immutable`: the owner's
     * and the repository's numeric ids after `@` (`repo:acme@1001/shop@2002:…`),
     * GitHub's default for repositories created, renamed or transferred since
     * 2026-06-18 and for older ones that opted in. `legacy`: names only, for older
     * repositories that have not opted in. A role trusts exactly one form.
     * @default "immutable"
     */
    subjectFormat: z.enum(["immutable", "legacy"]).default("immutable"),
    /** Numeric id of the repository's owner (`npm run github-ids -- owner/name`). Required with `immutable`. */
    ownerId: githubId.optional(),
    /** Numeric id of the repository. Required with `immutable`. */
    repositoryId: githubId.optional(),
    /** Who may assume the deploy role. */
    deployFrom: deploySource,
    /** Let pull requests of this repository assume the read-only plan role. @default true */
    planOnPullRequests: z.boolean().default(true),
    /** Write the static ECR key pair as GitHub secrets (the CI variables of the original design). OIDC is preferred. @default false */
    publishStaticEcrKeys: z.boolean().default(false),
    /**
     * Where published static keys live.
     * `environment`: secrets of the protected GitHub environment the deploy runs in
     * (deployFrom.kind "environment"): only jobs that environment's branch policy
     * and reviewers admit can read them.
     * `repository`: repository secrets `ECR_AWS_ACCESS_KEY_ID_<ENV>` and
     * `ECR_AWS_SECRET_ACCESS_KEY_<ENV>`, for teams whose workflows use no
     * environment; only with a deploy source of kind `branch` or `tag`.
     * Exposure: every workflow on every branch of the repository can read them,
     * so anyone who can push a branch can print the ECR push key, whatever
     * branch or tag the deploy role trusts (pull requests from forks get no secrets).
     * @default "environment"
     */
    staticEcrKeySecrets: z.enum(["environment", "repository"]).default("environment"),
  })
  .superRefine((g, ctx) => {
    if (g.publishStaticEcrKeys && g.staticEcrKeySecrets === "environment" && g.deployFrom.kind !== "environment") {
      ctx.addIssue({
        code: "custom",
        path: ["publishStaticEcrKeys"],
        message:
          'needs a GitHub environment deploy source, or staticEcrKeySecrets: "repository" to accept repository secrets, readable by every workflow on every branch',
      });
    }
    if (g.staticEcrKeySecrets === "repository" && g.deployFrom.kind === "environment") {
      ctx.addIssue({
        code: "custom",
        path: ["staticEcrKeySecrets"],
        message: `must be "environment" with an environment deploy: the keys stay in the protected environment '${g.deployFrom.name}', not in repository secrets every branch can read`,
      });
    }
    if (g.staticEcrKeySecrets === "repository" && !g.publishStaticEcrKeys) {
      ctx.addIssue({ code: "custom", path: ["staticEcrKeySecrets"], message: "has no effect without publishStaticEcrKeys: true" });
    }
    if (g.subjectFormat !== "immutable") return;
    for (const field of ["ownerId", "repositoryId"] as const) {
      if (g[field] === undefined) {
        ctx.addIssue({
          code: "custom",
          path: [field],
          message: 'is required: immutable OIDC subjects carry it (look it up with npm run github-ids -- owner/name), or set subjectFormat: "legacy"',
        });
      }
    }
  });

/** Where one user's key rotation stands (environments/key-rotation.json, edited by `npm run rotate`). */
export const keyRotationSchema = z
  .strictObject({
    /** Bumped by each rotation; the active key is slot a for odd, b for even generations. @default 1 */
    generation: z.number().int().positive().default(1),
    /** The previous generation's key: `active` (overlap), `inactive` (retired, reversible) or `deleted`. @default "deleted" */
    previousKey: z.enum(["active", "inactive", "deleted"]).default("deleted"),
  })
  .refine((r) => r.generation > 1 || r.previousKey === "deleted", "generation 1 has no previous key: previousKey must be 'deleted'");
const keyRotation = keyRotationSchema.prefault({});

/**
 * The account's registry in the environment's region: scanning and replication
 * apply to every repository there, so every environment of that account and
 * region must state the same settings (or none, and then they are not managed).
 */
const registry = z
  .strictObject({
    /** `BASIC` (ECR scans on push) or `ENHANCED` (Amazon Inspector). @default "BASIC" */
    scanType: z.enum(["BASIC", "ENHANCED"]).default("BASIC"),
    /** `SCAN_ON_PUSH`, or with ENHANCED `CONTINUOUS_SCAN` (rescans as new CVEs appear). @default "SCAN_ON_PUSH" */
    scanFrequency: z.enum(["SCAN_ON_PUSH", "CONTINUOUS_SCAN"]).default("SCAN_ON_PUSH"),
    /** Repository name wildcards the scanning rule covers. @default ["*"] */
    scanFilters: z
      .array(
        z
          .string()
          .min(1)
          .max(255, "ECR allows at most 255 characters (API Reference, ScanningRepositoryFilter)")
          .regex(
            ECR_SCAN_FILTER_PATTERN,
            "must be a repository name wildcard matching ECR's pattern ^[a-z0-9*](?:[._\\-/a-z0-9*]?[a-z0-9*]+)*$ (API Reference, ScanningRepositoryFilter)",
          ),
      )
      .min(1)
      .max(100)
      .default(["*"]),
    /** Copies of every image in other regions or accounts (disaster recovery). @default [] */
    replicateTo: z
      .array(z.strictObject({ region, accountId: accountId.optional() }))
      .max(25, "ECR allows at most 25 destinations")
      .default([]),
  })
  .refine((r) => r.scanFrequency !== "CONTINUOUS_SCAN" || r.scanType === "ENHANCED", {
    message: "CONTINUOUS_SCAN needs scanType ENHANCED",
    path: ["scanFrequency"],
  });

const stateBackend = z.strictObject({
  bucket: z.string().regex(S3_BUCKET_PATTERN, "must be a valid S3 bucket name"),
  /** Object key of this environment's state. Distinct per environment. */
  key: z
    .string()
    .min(1)
    .max(1024)
    .regex(/^[^\s]+\.tfstate$/, "must end in .tfstate and contain no spaces"),
  region,
  /**
   * `lockfile`: S3 native locking (`use_lockfile`, a `<key>.tflock` object).
   * A DynamoDB table name selects the legacy table lock. @default "lockfile"
   */
  lock: z.union([z.literal("lockfile"), z.strictObject({ dynamodbTable: z.string().min(3).max(255) })]).default("lockfile"),
});

export const environmentSchema = z
  .strictObject({
    /** Environment name: stack id, resource suffix, SSM path segment. */
    name: z.string().regex(ENV_NAME_PATTERN, `must match ${ENV_NAME_PATTERN.source}`),
    /** Application/project name, prefix of every resource name. */
    app: z.string().regex(ECR_NAME_PATTERN, `must match ${ECR_NAME_PATTERN.source}`).max(32),
    accountId,
    region,
    services: z.array(service).min(1, "must name at least one service"),
    ecr: z
      .strictObject({
        /** Images kept per tag prefix. @default 10 */
        imageRetentionCount: z.number().int().positive("must be > 0").max(10_000).default(10),
        /** Untagged images expire after this many days. @default 7 */
        untaggedExpiryDays: z.number().int().positive("must be > 0").max(3650).default(7),
        /** Tag prefixes whose images are kept (one lifecycle rule each). @default ["v", "release", "main", "develop"] */
        taggedPrefixes: z
          .array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, "must be a plain tag prefix (no wildcard)"))
          .min(1)
          .default(["v", "release", "main", "develop"]),
        /** Wildcard tag patterns (`release-*-stable`, at most four `*`) whose images are kept, one rule each. @default [] */
        taggedPatterns: z
          .array(
            z
              .string()
              .regex(/^[A-Za-z0-9*][A-Za-z0-9._*-]{0,127}$/, "must be a tag pattern (letters, digits, . _ - and *)")
              .refine((p) => (p.match(/\*/g) ?? []).length <= 4, "ECR allows at most four '*' in a tag pattern"),
          )
          .default([]),
        /** Registry-wide scanning and replication of this account and region. @default undefined (not managed) */
        registry: registry.optional(),
        /** @default "IMMUTABLE" (secure default; dev may choose MUTABLE) */
        tagMutability: z.enum(["MUTABLE", "IMMUTABLE"]).default("IMMUTABLE"),
        /** @default { type: "AES256" } */
        encryption: encryption.default({ type: "AES256" }),
        /** @default true */
        scanOnPush: z.boolean().default(true),
        /**
         * AWS services whose runtime pulls the images (seed 002's App Runner access
         * role, ECS task execution): a pull-only role they may assume. @default [] (no role)
         */
        runtimePullServices: z.array(z.enum(["build.apprunner.amazonaws.com", "ecs-tasks.amazonaws.com"])).default([]),
        /** Accounts or roles allowed to pull (never push). @default [] */
        crossAccountPullPrincipals: z.array(crossAccountPrincipal).default([]),
        /** Let `destroy` delete repositories that still hold images. Only sensible for throwaway environments. @default false */
        forceDelete: z.boolean().default(false),
        /** Days the scan-finding log group keeps events. @default 30 */
        scanLogRetentionDays: z
          .union([
            z.literal(1),
            z.literal(3),
            z.literal(5),
            z.literal(7),
            z.literal(14),
            z.literal(30),
            z.literal(60),
            z.literal(90),
            z.literal(180),
            z.literal(365),
          ])
          .default(30),
      })
      .prefault({}),
    /** Buckets the S3 user may read and write. */
    s3UserBuckets: z.array(z.string().regex(S3_BUCKET_PATTERN, "must be a valid S3 bucket name")).min(1),
    github,
    /**
     * The account's GitHub OIDC provider: `create` makes the bootstrap stack of
     * this account own it; `existing` uses the one already there (EntityAlreadyExists).
     * @default "create"
     */
    githubOidcProvider: z.enum(["create", "existing"]).default("create"),
    state: stateBackend,
    /**
     * Loopback endpoint of an AWS API emulator. Only for local runs; the
     * provider and the backend then talk to it instead of AWS.
     * @default undefined (real AWS)
     */
    emulatorEndpoint: z
      .string()
      .regex(/^https?:\/\/(?:127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\]):\d{2,5}$/, "must be an http(s) URL on a loopback address")
      .optional(),
    /** The online doctor warns about an active access key older than this. @default 90 */
    maxKeyAgeDays: z.number().int().positive().max(3650).default(90),
    /** Rotation of the ECR and S3 users' access keys. @default generation 1 each, no previous key */
    keyRotation: z.strictObject({ ecr: keyRotation, s3: keyRotation }).prefault({}),
    /** Extra tags on every resource. @default {} */
    tags: z
      .record(z.string().regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u, "must be 1-128 letters, digits, spaces or _ . : / = + - @"), z.string().max(256))
      .default({}),
  })
  .superRefine((env, ctx) => {
    const seen = new Map<string, number>();
    env.services.forEach((svc, i) => {
      const first = seen.get(svc.name);
      if (first !== undefined) {
        ctx.addIssue({ code: "custom", path: ["services", i, "name"], message: `duplicate service '${svc.name}' (also services[${first}])` });
      } else {
        seen.set(svc.name, i);
      }
    });
    const prefixes = env.ecr.taggedPrefixes;
    prefixes.forEach((p, i) => {
      if (prefixes.indexOf(p) !== i) {
        ctx.addIssue({ code: "custom", path: ["ecr", "taggedPrefixes", i], message: `duplicate tag prefix '${p}'` });
      }
    });
    if (env.ecr.encryption.type === "KMS" && env.ecr.encryption.kmsKeyArn) {
      const keyRegion = env.ecr.encryption.kmsKeyArn.split(":")[3];
      if (keyRegion !== env.region) {
        ctx.addIssue({ code: "custom", path: ["ecr", "encryption", "kmsKeyArn"], message: `key is in ${keyRegion}, repositories are in ${env.region}` });
      }
    }
    (env.ecr.registry?.replicateTo ?? []).forEach((d, i) => {
      if (d.region === env.region && (d.accountId ?? env.accountId) === env.accountId) {
        ctx.addIssue({
          code: "custom",
          path: ["ecr", "registry", "replicateTo", i],
          message: "is the registry itself: replicate to another region or account",
        });
      }
    });
    env.ecr.crossAccountPullPrincipals.forEach((p, i) => {
      if (p === env.accountId || p.includes(`::${env.accountId}:`)) {
        ctx.addIssue({
          code: "custom",
          path: ["ecr", "crossAccountPullPrincipals", i],
          message: "is this environment's own account; grant it with IAM instead",
        });
      }
    });
  });

/** What an environment file writes (defaults may be omitted). */
export type EnvironmentInput = z.input<typeof environmentSchema>;
/** A validated environment with every default filled in. */
export type EnvironmentConfig = z.output<typeof environmentSchema>;
