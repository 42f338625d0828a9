import { newKeyPair, type SecretKeyPair } from "./sealed-box";

/**
 * The in-memory GitHub: organizations (or users) owning repositories, their
 * Actions variables and secrets, environments with protection, deployment
 * branch policies. Plain data; the HTTP layer (server.ts) speaks the REST
 * protocol over it.
 */

export interface RepositorySeed {
  readonly owner: string;
  readonly ownerId: number;
  /** @default "Organization" (teams, hence team reviewers, exist only in organizations) */
  readonly ownerType?: "Organization" | "User";
  readonly name: string;
  readonly id: number;
}

export interface Variable {
  name: string;
  value: string;
  createdAt: string;
  updatedAt: string;
}

export interface Secret {
  readonly name: string;
  /** The decrypted value: GitHub never returns it, the stand-in keeps it for tests. */
  value: string;
  /** key_id the value was sealed with. */
  keyId: string;
  readonly createdAt: string;
  updatedAt: string;
}

export interface Reviewer {
  readonly type: "User" | "Team";
  readonly id: number;
}

export interface BranchPolicy {
  readonly id: number;
  readonly nodeId: string;
  name: string;
  readonly type: "branch" | "tag";
}

export interface Environment {
  readonly id: number;
  readonly name: string;
  readonly createdAt: string;
  updatedAt: string;
  waitTimer: number;
  preventSelfReview: boolean;
  canAdminsBypass: boolean;
  reviewers: Reviewer[];
  /** null: every branch may deploy. */
  deploymentBranchPolicy: { protectedBranches: boolean; customBranchPolicies: boolean } | null;
  readonly branchPolicies: Map<number, BranchPolicy>;
  readonly variables: Map<string, Variable>;
  readonly secrets: Map<string, Secret>;
  /** Each environment has its own key pair, distinct from the repository's. */
  readonly secretKey: SecretKeyPair;
  /** Stable ids of the protection rules GitHub reports, per rule type. */
  readonly ruleIds: { readonly waitTimer: number; readonly reviewers: number; readonly branchPolicy: number };
}

export interface Repository extends Required<RepositorySeed> {
  readonly createdAt: string;
  readonly variables: Map<string, Variable>;
  readonly secrets: Map<string, Secret>;
  readonly secretKey: SecretKeyPair;
  /** Keyed by lower-case name: GitHub's environment names are case-insensitive. */
  readonly environments: Map<string, Environment>;
}

/** Seconds-resolution ISO timestamps, as GitHub's REST API writes them. */
export class Clock {
  /**
   * Now, or one second after `previous` when now would not be later: the
   * provider detects secret drift by comparing updated_at strings, so two
   * changes must never share a timestamp (on GitHub they would be seconds apart).
   */
  stamp(previous?: string): string {
    let s = Math.floor(Date.now() / 1000);
    if (previous) s = Math.max(s, Date.parse(previous) / 1000 + 1);
    return new Date(s * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
  }
}

let nextId = 7_340_001;
export const newId = () => nextId++;

/** GitHub's node ids are opaque base64 strings. */
export const nodeId = (kind: string, id: number) => Buffer.from(`0${kind.length}:${kind}${id}`).toString("base64").replace(/=+$/, "");

export function newRepository(seed: RepositorySeed, clock: Clock): Repository {
  return {
    ownerType: "Organization",
    ...seed,
    createdAt: clock.stamp(),
    variables: new Map(),
    secrets: new Map(),
    secretKey: newKeyPair(),
    environments: new Map(),
  };
}

export function newEnvironment(name: string, clock: Clock): Environment {
  const now = clock.stamp();
  return {
    id: newId(),
    name,
    createdAt: now,
    updatedAt: now,
    // GitHub's defaults for an environment created without settings.
    waitTimer: 0,
    preventSelfReview: false,
    canAdminsBypass: true,
    reviewers: [],
    deploymentBranchPolicy: null,
    branchPolicies: new Map(),
    variables: new Map(),
    secrets: new Map(),
    secretKey: newKeyPair(),
    ruleIds: { waitTimer: newId(), reviewers: newId(), branchPolicy: newId() },
  };
}

/** Variable and secret names: letters, digits, underscores, not starting with a digit nor GITHUB_ (GitHub's rules). */
export function nameProblem(name: string): string | undefined {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return "may only contain alphanumeric characters or underscores and must not start with a number";
  if (/^GITHUB_/i.test(name)) return "must not start with the GITHUB_ prefix";
  return undefined;
}

// ---------- read-only views for tests ----------

export interface SecretView {
  readonly value: string;
  readonly keyId: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface EnvironmentView {
  readonly name: string;
  readonly waitTimer: number;
  readonly preventSelfReview: boolean;
  readonly canAdminsBypass: boolean;
  readonly reviewers: { readonly users: readonly number[]; readonly teams: readonly number[] };
  readonly deploymentBranchPolicy: { readonly protectedBranches: boolean; readonly customBranchPolicies: boolean } | null;
  readonly deploymentBranchPolicies: readonly { readonly name: string; readonly type: "branch" | "tag" }[];
  readonly variables: Readonly<Record<string, string>>;
  readonly secrets: Readonly<Record<string, SecretView>>;
  /** key_id of the environment's own secret key. */
  readonly secretKeyId: string;
}

export interface RepositoryView {
  readonly fullName: string;
  readonly id: number;
  readonly ownerId: number;
  readonly variables: Readonly<Record<string, string>>;
  readonly secrets: Readonly<Record<string, SecretView>>;
  readonly environments: Readonly<Record<string, EnvironmentView>>;
  readonly secretKeyId: string;
}

const sorted = <T>(entries: [string, T][]) => Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)));
const secretsView = (m: Map<string, Secret>) =>
  sorted([...m.values()].map((s) => [s.name, { value: s.value, keyId: s.keyId, createdAt: s.createdAt, updatedAt: s.updatedAt }]));
const variablesView = (m: Map<string, Variable>) => sorted([...m.values()].map((v) => [v.name, v.value]));

export function viewOf(repo: Repository): RepositoryView {
  return deepFreeze({
    fullName: `${repo.owner}/${repo.name}`,
    id: repo.id,
    ownerId: repo.ownerId,
    variables: variablesView(repo.variables),
    secrets: secretsView(repo.secrets),
    secretKeyId: repo.secretKey.keyId,
    environments: sorted(
      [...repo.environments.values()].map((e): [string, EnvironmentView] => [
        e.name,
        {
          name: e.name,
          waitTimer: e.waitTimer,
          preventSelfReview: e.preventSelfReview,
          canAdminsBypass: e.canAdminsBypass,
          reviewers: {
            users: e.reviewers
              .filter((r) => r.type === "User")
              .map((r) => r.id)
              .sort((a, b) => a - b),
            teams: e.reviewers
              .filter((r) => r.type === "Team")
              .map((r) => r.id)
              .sort((a, b) => a - b),
          },
          deploymentBranchPolicy: e.deploymentBranchPolicy && { ...e.deploymentBranchPolicy },
          deploymentBranchPolicies: [...e.branchPolicies.values()]
            .map((p) => ({ name: p.name, type: p.type }))
            .sort((a, b) => `${a.type}:${a.name}`.localeCompare(`${b.type}:${b.name}`)),
          variables: variablesView(e.variables),
          secrets: secretsView(e.secrets),
          secretKeyId: e.secretKey.keyId,
        },
      ]),
    ),
  });
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === "object") {
    Object.values(o).forEach(deepFreeze);
    Object.freeze(o);
  }
  return o;
}
