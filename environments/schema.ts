import { z } from "zod";
import { GITHUB_NAME_PATTERN, GITHUB_OWNER_PATTERN } from "../constructs/github-oidc";
import { githubRepositoryProblem } from "./github-names";
import { ECR_SCAN_FILTER_PATTERN } from "../constructs/validation";
import { refPatternProblem } from "./ref-pattern";
import { AWS_REGIONS } from "./regions";

/**
 * The typed, validated shape of one environment. Every field's `.describe()`
 * states its allowed values and its default, and is the documentation:
 * `npm run generate` renders it into docs/configuration.md. Environment
 * files state only what differs from the defaults.
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

const accountId = z
  .string()
  .regex(/^\d{12}$/, "must be a 12-digit AWS account id")
  .describe("AWS account id: 12 digits, as a string.");
const region = z
  .enum(AWS_REGIONS, { message: `must be one of the AWS regions (${AWS_REGIONS.slice(0, 4).join(", ")}, ...)` })
  .describe("AWS region: a commercial, China or GovCloud region listed in environments/regions.ts, e.g. us-east-1.");
const wildcardFree = (what: string) =>
  z.string().min(1).regex(NO_WILDCARD, `${what} must not contain '*' or '?': an OIDC subject must name exactly one ${what}`);

const service = z.strictObject({
  name: z
    .string()
    .regex(ECR_NAME_PATTERN, `must match ${ECR_NAME_PATTERN.source}`)
    .max(64)
    .describe(
      "Service name: lowercase letters and digits, parts joined by one `.`, `_` or `-`, at most 64 characters. " +
        "Names the repository `<app>-<service>-<env>` and the outputs `<service>_repository_url|arn|name`.",
    ),
  repositoryName: z
    .string()
    .min(2)
    .max(256)
    .regex(/^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/, "must be a valid ECR repository name (lowercase, digits, . _ - /)")
    .optional()
    .describe("ECR repository name instead of the derived one: 2-256 characters, lowercase, digits, `. _ - /`. Default: `<app>-<service>-<env>`."),
});

const encryption = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("AES256") }),
  z.strictObject({
    type: z.literal("KMS"),
    kmsKeyArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/(?:[0-9a-f-]{36}|mrk-[0-9a-f]{32})$/, "must be a KMS key ARN (single- or multi-Region)")
      .optional()
      .describe(
        "ARN of an existing KMS key in the environment's region (single- or multi-Region). " +
          "Default: a customer managed key with yearly rotation, created per environment (`alias/<app>-<env>`).",
      ),
  }),
]);

/** A role ARN is `role/`, an optional path ending in `/`, and a name of 1-64 characters (IAM User Guide, IAM identifiers). */
const ROLE_ARN = /^arn:aws(?:-cn|-us-gov)?:iam::\d{12}:(?:root|role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64})$/;
const crossAccountPrincipal = z
  .string()
  .refine(
    (p) => /^\d{12}$/.test(p) || ROLE_ARN.test(p),
    "must be a 12-digit account id, or an IAM role ARN with a name (arn:<partition>:iam::<account>:role/[path/]name)",
  )
  .describe("A 12-digit account id, or an IAM role ARN with a name (`arn:<partition>:iam::<account>:role/[path/]name`).");

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
  deploymentRefs: z
    .union([
      z.literal("protected-branches"),
      z
        .strictObject({
          branches: z
            .array(refPattern)
            .default([])
            .describe("Branch name patterns (GitHub's fnmatch syntax, e.g. `release/*`), each starting with literal text. Default: none."),
          tags: z.array(refPattern).default([]).describe("Tag name patterns, e.g. `v*`, each starting with literal text. Default: none."),
        })
        .refine((r) => r.branches.length + r.tags.length > 0, "must name at least one branch or tag: an environment open to every branch guards nothing"),
    ])
    .default({ branches: ["main"], tags: [] })
    .describe(
      'Refs that may run jobs in the environment (its deployment branch policy): `"protected-branches"`, ' +
        'or `{ branches, tags }` naming at least one pattern. There is no "every branch". Default: branch `main` only.',
    ),
  reviewers: z
    .strictObject({
      users: z.array(z.number().int().positive()).default([]).describe("Required reviewers: users by numeric GitHub id. Default: none."),
      teams: z.array(z.number().int().positive()).default([]).describe("Required reviewers: teams by numeric GitHub id. Default: none."),
    })
    .refine((r) => r.users.length + r.teams.length <= MAX_ENVIRONMENT_REVIEWERS, `GitHub allows at most ${MAX_ENVIRONMENT_REVIEWERS} required reviewers`)
    .prefault({})
    .describe(`Required reviewers of each deployment, users and teams together at most ${MAX_ENVIRONMENT_REVIEWERS}. Default: none.`),
  preventSelfReview: z.boolean().default(true).describe("The person who triggered a deployment may not approve it. Default: true."),
  waitTimerMinutes: z.number().int().min(0).max(43_200).default(0).describe("Minutes a deployment waits before it runs, 0 to 43,200. Default: 0."),
  adminsCanBypass: z.boolean().default(false).describe("Repository administrators may bypass the protection. Default: false."),
});

/** Where a deploy is allowed from: each kind maps to exactly one GitHub OIDC `sub` context. */
const deploySource = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("environment"),
    name: wildcardFree("GitHub environment")
      .max(255)
      .describe(
        "The GitHub environment, branch or tag the deploy role trusts: one exact name, no `*` or `?`, " +
          "without `refs/heads/` or `refs/tags/`, at most 255 characters.",
      ),
    protection: environmentProtection
      .prefault({})
      .describe("The protection of that GitHub environment, sent whole on every apply of the `<env>-github` stack. Default: every field's default."),
  }),
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
    repository: z
      .string()
      .regex(GITHUB_REPOSITORY_PATTERN, "must be 'owner/name' with no wildcard")
      .superRefine((r, ctx) => {
        const problem = GITHUB_REPOSITORY_PATTERN.test(r) ? githubRepositoryProblem(r) : undefined;
        if (problem) ctx.addIssue({ code: "custom", message: problem });
      })
      .describe("The repository whose workflows deploy, as `owner/name` in GitHub's letter case (subjects are compared case-sensitively); no wildcard."),
    subjectFormat: z
      .enum(["immutable", "legacy"])
      .default("immutable")
      .describe(
        "The form of `sub` in the repository's OIDC tokens, of which a role trusts exactly one. `immutable`: with the owner's and " +
          "the repository's numeric ids (`repo:acme@1001/shop@2002:…`), GitHub's default for repositories created, renamed or " +
          "transferred since 2026-06-18 and for older ones that opted in. `legacy`: names only (`repo:acme/shop:…`). Default: `immutable`.",
      ),
    ownerId: githubId
      .optional()
      .describe("Numeric id of the repository's owner; required with `immutable` subjects. Look it up: `npm run github-ids -- owner/name`."),
    repositoryId: githubId.optional().describe("Numeric id of the repository; required with `immutable` subjects (`npm run github-ids -- owner/name`)."),
    deployFrom: deploySource.describe(
      'Where the deploy role may be assumed from, one exact OIDC subject: `{ kind: "environment", name, protection? }` (recommended: ' +
        'a protected GitHub environment), `{ kind: "branch", name }` or `{ kind: "tag", name }`.',
    ),
    planOnPullRequests: z
      .boolean()
      .default(true)
      .describe("Let pull requests of the repository assume the read-only plan role of this environment. Default: true."),
    publishStaticEcrKeys: z
      .boolean()
      .default(false)
      .describe(
        "Also write the ECR user's active key pair as GitHub secrets, for tools that cannot assume a role (OIDC is preferred). " +
          "The `<env>-github` stack then reads the keys from SSM at apply, so it is deployed after `<env>-credentials`. Default: false.",
      ),
    staticEcrKeySecrets: z
      .enum(["environment", "repository"])
      .default("environment")
      .describe(
        "Where published static keys live. `environment`: secrets of the protected GitHub environment the deploy runs in " +
          '(`deployFrom.kind: "environment"`), readable only by jobs its branch policy and reviewers admit. `repository`: ' +
          "repository secrets `ECR_AWS_ACCESS_KEY_ID_<ENV>` and `ECR_AWS_SECRET_ACCESS_KEY_<ENV>`, for workflows that use no " +
          "environment, only with a deploy source of kind `branch` or `tag`. Exposure: every workflow on every branch of the " +
          "repository can read repository secrets, so anyone who can push a branch can print the ECR push key, whatever branch " +
          "or tag the deploy role trusts (pull requests from forks get no secrets). Default: `environment`.",
      ),
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
  })
  .describe("The GitHub repository that deploys, the OIDC subject its roles trust, and what the `<env>-github` stack writes there.");

/** Where one user's key rotation stands (environments/key-rotation.json, edited by `npm run rotate`). */
export const keyRotationSchema = z
  .strictObject({
    generation: z
      .number()
      .int()
      .positive()
      .default(1)
      .describe("The key's generation, raised by one by each `npm run rotate`; each generation is a key of its own. Default: 1."),
    previousKey: z
      .enum(["active", "inactive", "deleted"])
      .default("deleted")
      .describe("The previous generation's key: `active` (both work, consumers move), `inactive` (retired, reversible) or `deleted`. Default: `deleted`."),
  })
  .refine((r) => r.generation > 1 || r.previousKey === "deleted", "generation 1 has no previous key: previousKey must be 'deleted'");
const keyRotation = keyRotationSchema.prefault({}).describe("Where this user's key rotation stands. Default: generation 1, no previous key.");

/**
 * The account's registry in the environment's region: scanning and replication
 * apply to every repository there, so every environment of that account and
 * region must state the same settings (or none, and then they are not managed).
 */
const registry = z
  .strictObject({
    scanType: z
      .enum(["BASIC", "ENHANCED"])
      .default("BASIC")
      .describe("`BASIC` (ECR scans on push) or `ENHANCED` (Amazon Inspector; findings then arrive as `Inspector2 Finding` events). Default: `BASIC`."),
    scanFrequency: z
      .enum(["SCAN_ON_PUSH", "CONTINUOUS_SCAN"])
      .default("SCAN_ON_PUSH")
      .describe("`SCAN_ON_PUSH`, or with `ENHANCED` also `CONTINUOUS_SCAN` (rescans as new CVEs appear). Default: `SCAN_ON_PUSH`."),
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
      .default(["*"])
      .describe('Repository name wildcards the scanning rule covers, 1 to 100, each at most 255 characters in ECR\'s filter syntax. Default: `["*"]`.'),
    replicateTo: z
      .array(
        z.strictObject({
          region,
          accountId: accountId.optional().describe("Destination account, 12 digits. Default: this environment's account."),
        }),
      )
      .max(25, "ECR allows at most 25 destinations")
      .default([])
      .describe(
        "Copies of every image in other regions or accounts, at most 25 destinations. Another account must allow " +
          "`ecr:CreateRepository` and `ecr:ReplicateImage` to this account in its registry policy. Default: none.",
      ),
  })
  .refine((r) => r.scanFrequency !== "CONTINUOUS_SCAN" || r.scanType === "ENHANCED", {
    message: "CONTINUOUS_SCAN needs scanType ENHANCED",
    path: ["scanFrequency"],
  })
  .describe(
    "Scanning and replication of the account's registry in this region, applied by the bootstrap stack. Every environment " +
      "of that account and region states the same settings, or none. Default: not managed.",
  );

const stateBackend = z.strictObject({
  bucket: z
    .string()
    .regex(S3_BUCKET_PATTERN, "must be a valid S3 bucket name")
    .describe("The state bucket, created by the account and region's bootstrap stack. Environments of one account may share it."),
  key: z
    .string()
    .min(1)
    .max(1024)
    .regex(/^[^\s]+\.tfstate$/, "must end in .tfstate and contain no spaces")
    .describe(
      "Object key of the environment stack's state, ending in `.tfstate`, distinct per environment. " +
        "The `<env>-credentials` and `<env>-github` stacks use the same key with `-credentials` and `-github` before `.tfstate`.",
    ),
  region: region.describe("Region of the state bucket."),
  lock: z
    .union([
      z.literal("lockfile"),
      z.strictObject({ dynamodbTable: z.string().min(3).max(255).describe("Name of an existing DynamoDB lock table (legacy locking).") }),
    ])
    .default("lockfile")
    .describe('`"lockfile"`: S3 native locking (a `<key>.tflock` object), or `{ dynamodbTable }` for a legacy lock table. Default: `"lockfile"`.'),
});

export const environmentSchema = z
  .strictObject({
    name: z
      .string()
      .regex(ENV_NAME_PATTERN, `must match ${ENV_NAME_PATTERN.source}`)
      .describe(
        "Environment name: 1-20 characters, a lowercase letter first, then lowercase letters and digits, parts joined by one `-`. " +
          "Names the stacks (`<env>`, `<env>-credentials`, `<env>-github`), ends every resource name and is a segment of the SSM path.",
      ),
    app: z
      .string()
      .regex(ECR_NAME_PATTERN, `must match ${ECR_NAME_PATTERN.source}`)
      .max(32)
      .describe("Application name, the prefix of every resource name: lowercase letters and digits, parts joined by one `.`, `_` or `-`, at most 32."),
    accountId: accountId.describe("The AWS account the environment is deployed into: 12 digits, as a string."),
    region,
    services: z
      .array(service)
      .min(1, "must name at least one service")
      .describe("The services, at least one: each gets an ECR repository, and the users and roles may push or pull exactly these."),
    ecr: z
      .strictObject({
        imageRetentionCount: z
          .number()
          .int()
          .positive("must be > 0")
          .max(10_000)
          .default(10)
          .describe("Images kept per tag prefix and per tag pattern (lifecycle rule), 1 to 10,000. Default: 10."),
        untaggedExpiryDays: z
          .number()
          .int()
          .positive("must be > 0")
          .max(3650)
          .default(7)
          .describe("Untagged images expire after this many days, 1 to 3,650. Default: 7."),
        taggedPrefixes: z
          .array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, "must be a plain tag prefix (no wildcard)"))
          .min(1)
          .default(["v", "release", "main", "develop"])
          .describe(
            "Tag prefixes whose images are kept, one lifecycle rule each (ECR ANDs the prefixes of one rule); letters, digits, " +
              "`. _ -`, no wildcard. Default: `v`, `release`, `main`, `develop`.",
          ),
        taggedPatterns: z
          .array(
            z
              .string()
              .regex(/^[A-Za-z0-9*][A-Za-z0-9._*-]{0,127}$/, "must be a tag pattern (letters, digits, . _ - and *)")
              .refine((p) => (p.match(/\*/g) ?? []).length <= 4, "ECR allows at most four '*' in a tag pattern"),
          )
          .default([])
          .describe("Wildcard tag patterns whose images are kept, one lifecycle rule each, e.g. `release-*-stable`, at most four `*`. Default: none."),
        registry: registry.optional(),
        tagMutability: z
          .enum(["MUTABLE", "IMMUTABLE"])
          .default("IMMUTABLE")
          .describe("`IMMUTABLE` (a pushed tag cannot be moved) or `MUTABLE`. Default: `IMMUTABLE`."),
        encryption: encryption
          .default({ type: "AES256" })
          .describe('Repository encryption: `{ type: "AES256" }` (S3-managed keys) or `{ type: "KMS", kmsKeyArn? }`. Default: AES256.'),
        scanOnPush: z.boolean().default(true).describe("Scan each image when it is pushed. Default: true."),
        runtimePullServices: z
          .array(z.enum(["build.apprunner.amazonaws.com", "ecs-tasks.amazonaws.com"]))
          .default([])
          .describe(
            "AWS services whose runtime pulls the images (App Runner's access role, ECS task execution): a pull-only role " +
              "they may assume from this account only. Values: `build.apprunner.amazonaws.com`, `ecs-tasks.amazonaws.com`. Default: none (no role).",
          ),
        crossAccountPullPrincipals: z
          .array(crossAccountPrincipal)
          .default([])
          .describe("Other accounts (12 digits) or IAM role ARNs allowed to pull, never push, through the repository policy. Default: none."),
        forceDelete: z
          .boolean()
          .default(false)
          .describe("Let `destroy` delete repositories that still hold images; only for throwaway environments. Default: false."),
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
          .default(30)
          .describe("Days the scan-finding log group keeps events: 1, 3, 5, 7, 14, 30, 60, 90, 180 or 365. Default: 30."),
      })
      .prefault({})
      .describe("The environment's repositories: lifecycle, scanning, encryption, who may pull. Default: every field's default."),
    s3UserBuckets: z
      .array(z.string().regex(S3_BUCKET_PATTERN, "must be a valid S3 bucket name"))
      .min(1)
      .describe("Buckets the S3 user may list, read and write, at least one; never a state bucket or another environment's bucket."),
    github,
    githubOidcProvider: z
      .enum(["create", "existing"])
      .default("create")
      .describe(
        "The account's GitHub OIDC provider: `create` (the account's bootstrap stack owns it) or `existing` " +
          "(one is already there; the roles use it by ARN). Every environment of one account states the same. Default: `create`.",
      ),
    state: stateBackend.describe("Where the environment's stacks keep their Terraform state (S3 backend)."),
    emulatorEndpoint: z
      .string()
      .regex(/^https?:\/\/(?:127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\]):\d{2,5}$/, "must be an http(s) URL on a loopback address")
      .optional()
      .describe(
        "Loopback URL of an AWS API emulator (`http(s)://127.x.x.x|localhost|[::1]:port`) that the backend and the provider " +
          "talk to instead of AWS: the backend names it, the provider reads it from `AWS_ENDPOINT_URL` (which the sandbox's " +
          "exports set). Set by the main job for the `local` environment only. Default: real AWS.",
      ),
    maxKeyAgeDays: z
      .number()
      .int()
      .positive()
      .max(3650)
      .default(90)
      .describe("The online doctor warns about an active access key older than this many days, 1 to 3,650. Default: 90."),
    keyRotation: z
      .strictObject({ ecr: keyRotation, s3: keyRotation })
      .prefault({})
      .describe(
        "Where the ECR and S3 users' key rotations stand: read from environments/key-rotation.json, changed by `npm run rotate`; " +
          "not written in an environment file. Default: generation 1 each, no previous key.",
      ),
    tags: z
      .record(z.string().regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u, "must be 1-128 letters, digits, spaces or _ . : / = + - @"), z.string().max(256))
      .default({})
      .describe("Extra tags on every resource: keys of 1-128 letters, digits, spaces or `_ . : / = + - @` (not `aws:`), values up to 256. Default: none."),
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
