import type { EnvironmentInput } from "./schema";

type GithubInput = EnvironmentInput["github"];
type DeploySource = GithubInput["deployFrom"];
type EnvironmentProtection = Extract<DeploySource, { kind: "environment" }>["protection"];

/**
 * How the deploy workflow (.github/workflows/deploy.yml) delivers images to an
 * environment: on every push to main, through workflow_dispatch, or not at all
 * (an environment deployed from a branch or tag has no GitHub environment for
 * the workflow's job to run in).
 */
export type Delivery = "push" | "dispatch" | "none";

/** One environment of environments/app.ts: what differs from what the app states for all of them. */
export type AppEnvironment = Omit<EnvironmentInput, "app" | "services" | "github" | "state" | "s3UserBuckets" | "emulatorEndpoint" | "keyRotation"> & {
  /** Default: `<app>-<env>-assets`. */
  readonly s3UserBuckets?: EnvironmentInput["s3UserBuckets"];
  /** Default: bucket `<owner>-<app>-tfstate-<account>` in the region of the account's first environment, key `<app>/<env>.tfstate`. */
  readonly state?: EnvironmentInput["state"];
  /** Default: `dispatch` when the deploy runs in a GitHub environment, otherwise `none`. */
  readonly delivery?: Delivery;
  readonly github?: Partial<Pick<GithubInput, "planOnPullRequests" | "publishStaticEcrKeys" | "staticEcrKeySecrets">> &
    (
      | {
          /** The protection of the GitHub environment named after the environment, the default deploy source. */
          readonly protection?: EnvironmentProtection;
          readonly deployFrom?: never;
        }
      | { readonly deployFrom: DeploySource; readonly protection?: never }
    );
};

/** The shape of environments/app.ts: everything a team states to adopt the platform, each value once. */
export interface AppConfig {
  /** The prefix of every resource name. */
  readonly name: string;
  /** The repository whose workflows deploy, as its OIDC tokens name it (`npm run github-ids -- owner/name` prints the ids). */
  readonly github: Pick<GithubInput, "repository" | "subjectFormat" | "ownerId" | "repositoryId">;
  /** The services every environment builds (one deploy workflow delivers them all). */
  readonly services: EnvironmentInput["services"];
  readonly environments: readonly AppEnvironment[];
}

const ownerOf = (app: AppConfig) => app.github.repository.split("/")[0].toLowerCase();

/** The environment inputs the app states, with the defaults above filled in; the schema validates them. */
export function environmentInputs(app: AppConfig): EnvironmentInput[] {
  // S3 bucket names are global: an account's one derived state bucket lives in the region of its first environment.
  const stateRegionOf = new Map<string, EnvironmentInput["region"]>();
  for (const env of app.environments) if (!stateRegionOf.has(env.accountId)) stateRegionOf.set(env.accountId, env.region);
  return app.environments.map(({ delivery: _delivery, github, s3UserBuckets, state, ...env }) => {
    const { protection, deployFrom, ...githubSettings } = github ?? {};
    return {
      ...env,
      app: app.name,
      services: app.services,
      s3UserBuckets: s3UserBuckets ?? [`${app.name}-${env.name}-assets`],
      github: {
        ...app.github,
        ...githubSettings,
        deployFrom: deployFrom ?? { kind: "environment", name: env.name, ...(protection ? { protection } : {}) },
      },
      state: state ?? {
        bucket: `${ownerOf(app)}-${app.name}-tfstate-${env.accountId}`,
        key: `${app.name}/${env.name}.tfstate`,
        region: stateRegionOf.get(env.accountId)!,
      },
    };
  });
}

/** Where the deploy workflow delivers: the GitHub environment of each push and those a dispatch may choose. */
export interface DeliveryTargets {
  readonly onPush?: string;
  readonly onDispatch: readonly string[];
}

/** The deploy workflow's targets, or the problems that make them ambiguous (npm run generate refuses those). */
export function deliveryTargets(app: AppConfig): { targets: DeliveryTargets; problems: string[] } {
  const problems: string[] = [];
  const push: string[] = [];
  const dispatch: string[] = [];
  const inputs = environmentInputs(app);
  app.environments.forEach((env, i) => {
    const source = inputs[i].github.deployFrom;
    const delivery = env.delivery ?? (source.kind === "environment" ? "dispatch" : "none");
    if (delivery === "none") return;
    if (source.kind !== "environment")
      problems.push(`${env.name}.delivery: "${delivery}" needs a GitHub environment deploy source (the workflow's job runs in it), not a ${source.kind}`);
    else (delivery === "push" ? push : dispatch).push(source.name);
  });
  if (push.length > 1) problems.push(`delivery: at most one environment is delivered on push to main, not ${push.join(", ")}`);
  if (push.length + dispatch.length === 0) problems.push('delivery: no environment is delivered to: give one `delivery: "push"` or `"dispatch"`');
  return { targets: { onPush: push[0], onDispatch: dispatch }, problems };
}
