import { newKeyPair, type SecretKeyPair } from "./sealed-box";

/**
 * What the GitHub stand-in stores and how GitHub writes it: organizations (or
 * users) owning repositories, their Actions variables and secrets, environments
 * with protection and deployment branch policies, and GitHub's JSON for each.
 * The REST handlers (handlers.ts) and the edits tests make behind Terraform's
 * back both change this state, so the rules every change obeys (timestamps
 * that always move, name patterns that exist only under custom branch
 * policies) live here once; the JSON lives beside the state so that each field
 * GitHub reports has one source.
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

export interface DeploymentBranchPolicy {
  readonly protectedBranches: boolean;
  readonly customBranchPolicies: boolean;
}

/** Where Actions variables and secrets live: a repository or one of its environments. */
export interface ActionsScope {
  readonly variables: Map<string, Variable>;
  readonly secrets: Map<string, Secret>;
  readonly secretKey: SecretKeyPair;
}

export interface Environment extends ActionsScope {
  readonly id: number;
  readonly name: string;
  readonly createdAt: string;
  updatedAt: string;
  waitTimer: number;
  preventSelfReview: boolean;
  canAdminsBypass: boolean;
  reviewers: Reviewer[];
  /** null: every branch may deploy. */
  deploymentBranchPolicy: DeploymentBranchPolicy | null;
  readonly branchPolicies: Map<number, BranchPolicy>;
  /** Stable ids of the protection rules GitHub reports, per rule type. */
  readonly ruleIds: { readonly waitTimer: number; readonly reviewers: number; readonly branchPolicy: number };
}

export interface Repository extends Required<RepositorySeed>, ActionsScope {
  readonly createdAt: string;
  /** Keyed by lower-case name: GitHub's environment names are case-insensitive. */
  readonly environments: Map<string, Environment>;
}

/**
 * Seconds-resolution ISO timestamps, as GitHub's REST API writes them: now, or
 * one second after `previous` when now would not be later. The provider detects
 * secret drift by comparing updated_at strings, so two changes must never share
 * a timestamp (on GitHub they would be seconds apart).
 */
export function stamp(previous?: string): string {
  let s = Math.floor(Date.now() / 1000);
  if (previous) s = Math.max(s, Date.parse(previous) / 1000 + 1);
  return new Date(s * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

let nextId = 7_340_001;
const newId = () => nextId++;

/** GitHub's node ids are opaque base64 strings. */
const nodeId = (kind: string, id: number) => Buffer.from(`0${kind.length}:${kind}${id}`).toString("base64").replace(/=+$/, "");

function newRepository(wanted: RepositorySeed): Repository {
  return {
    ownerType: "Organization",
    ...wanted,
    createdAt: stamp(),
    variables: new Map(),
    secrets: new Map(),
    secretKey: newKeyPair(),
    environments: new Map(),
  };
}

function newEnvironment(name: string): Environment {
  const now = stamp();
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

/** The environment of that name, created with GitHub's defaults when there is none. */
export function ensureEnvironment(repo: Repository, name: string): { readonly environment: Environment; readonly created: boolean } {
  const existing = repo.environments.get(name.toLowerCase());
  if (existing) return { environment: existing, created: false };
  const environment = newEnvironment(name);
  repo.environments.set(name.toLowerCase(), environment);
  return { environment, created: true };
}

export function setDeploymentBranchPolicy(env: Environment, policy: DeploymentBranchPolicy | null): void {
  env.deploymentBranchPolicy = policy && { ...policy };
  // Name patterns exist only under custom branch policies; switching away drops them.
  if (!env.deploymentBranchPolicy?.customBranchPolicies) env.branchPolicies.clear();
}

export function addBranchPolicy(env: Environment, name: string, type: BranchPolicy["type"]): BranchPolicy {
  const id = newId();
  const policy = { id, nodeId: nodeId("GateBranchPolicy", id), name, type };
  env.branchPolicies.set(id, policy);
  return policy;
}

export function putVariable(variables: Map<string, Variable>, name: string, value: string): void {
  const existing = variables.get(name);
  if (existing) Object.assign(existing, { value, updatedAt: stamp(existing.updatedAt) });
  else {
    const now = stamp();
    variables.set(name, { name, value, createdAt: now, updatedAt: now });
  }
}

/** Stores a decrypted value as sealed with the scope's current key. */
export function putSecret(scope: ActionsScope, name: string, value: string): "created" | "updated" {
  const keyId = scope.secretKey.keyId;
  const existing = scope.secrets.get(name);
  if (existing) {
    Object.assign(existing, { value, keyId, updatedAt: stamp(existing.updatedAt) });
    return "updated";
  }
  const now = stamp();
  scope.secrets.set(name, { name, value, keyId, createdAt: now, updatedAt: now });
  return "created";
}

// ---------- the whole GitHub, and what tests change behind Terraform's back ----------

export interface BehindTerraformTarget {
  /** `owner/name` */
  readonly repository: string;
  /** Environment name; omitted for repository-level values. */
  readonly environment?: string;
  readonly name: string;
}

export interface EnvironmentEdit {
  readonly waitTimer?: number;
  readonly preventSelfReview?: boolean;
  readonly canAdminsBypass?: boolean;
  readonly reviewers?: { readonly users?: readonly number[]; readonly teams?: readonly number[] };
  readonly deploymentBranchPolicy?: DeploymentBranchPolicy | null;
  /** Name patterns added to the environment's deployment branch policy. */
  readonly addBranchPolicies?: readonly { readonly name: string; readonly type: "branch" | "tag" }[];
  /** Name patterns removed from it (an operator undoing a hand edit). */
  readonly removeBranchPolicies?: readonly { readonly name: string; readonly type: "branch" | "tag" }[];
}

export interface EditsBehindTerraform {
  /** Someone changes or creates a secret in GitHub (UI, gh CLI): new value, new updated_at. */
  setSecretBehindTerraform(target: BehindTerraformTarget & { readonly value: string }): void;
  /** Someone deletes a secret in GitHub (`gh secret delete`). */
  deleteSecretBehindTerraform(target: BehindTerraformTarget): void;
  setVariableBehindTerraform(target: BehindTerraformTarget & { readonly value: string }): void;
  /** Creates an environment as GitHub's UI does (no protection). */
  createEnvironmentBehindTerraform(target: { readonly repository: string; readonly name: string }): void;
  /** Someone edits an environment's protection in GitHub's settings page. */
  editEnvironmentBehindTerraform(target: { readonly repository: string; readonly name: string }, change: EnvironmentEdit): void;
}

export interface StateSnapshot {
  readonly repositories: readonly RepositoryView[];
  repository(fullName: string): RepositoryView;
}

const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
const fullNameOf = (repo: { readonly owner: string; readonly name: string }) => `${repo.owner}/${repo.name}`;

export class GithubState implements EditsBehindTerraform {
  readonly repositories: Repository[] = [];
  private readonly knownUsers: ReadonlySet<number>;
  private readonly knownTeams: ReadonlySet<number>;

  /**
   * @param authenticatedLogin login of the token's user
   * @param reviewers accounts that exist and may be required reviewers
   */
  constructor(
    initialRepositories: readonly RepositorySeed[],
    reviewers: { readonly users?: readonly number[]; readonly teams?: readonly number[] },
    readonly authenticatedLogin: string,
  ) {
    this.knownUsers = new Set(reviewers.users ?? []);
    this.knownTeams = new Set(reviewers.teams ?? []);
    // The first of repositories sharing an id or a name wins, as GitHub holds only one.
    for (const wanted of initialRepositories)
      if (!this.repositories.some((r) => r.id === wanted.id || this.isNamed(r, wanted.owner, wanted.name))) this.repositories.push(newRepository(wanted));
  }

  repository(owner: string, name: string): Repository | undefined {
    return this.repositories.find((r) => this.isNamed(r, owner, name));
  }

  repositoryById(id: number): Repository | undefined {
    return this.repositories.find((r) => r.id === id);
  }

  /** An organization exists here while it owns a repository. */
  organization(login: string): Repository | undefined {
    return this.repositories.find((r) => r.ownerType === "Organization" && sameName(r.owner, login));
  }

  environment(repo: Repository | undefined, name: string): Environment | undefined {
    return repo?.environments.get(name.toLowerCase());
  }

  /** Teams exist only in organizations; unknown accounts do not exist at all. */
  mayReview(repo: Repository, reviewer: Reviewer): boolean {
    if (reviewer.type === "Team") return repo.ownerType === "Organization" && this.knownTeams.has(reviewer.id);
    return reviewer.type === "User" && this.knownUsers.has(reviewer.id);
  }

  /** A frozen copy, decrypted secret values included. */
  snapshot(): StateSnapshot {
    const views = this.repositories.map(viewOf);
    return {
      repositories: views,
      repository: (fullName: string) => views.find((v) => sameName(v.fullName, fullName)) ?? this.noSuchRepository(fullName),
    };
  }

  setSecretBehindTerraform(target: BehindTerraformTarget & { readonly value: string }): void {
    putSecret(this.scopeOf(target), target.name.toUpperCase(), target.value);
  }

  deleteSecretBehindTerraform(target: BehindTerraformTarget): void {
    if (!this.scopeOf(target).secrets.delete(target.name.toUpperCase()))
      throw new Error(`${target.repository} has no secret ${target.name}${target.environment ? ` in ${target.environment}` : ""}`);
  }

  setVariableBehindTerraform(target: BehindTerraformTarget & { readonly value: string }): void {
    putVariable(this.scopeOf(target).variables, target.name.toUpperCase(), target.value);
  }

  createEnvironmentBehindTerraform(target: { readonly repository: string; readonly name: string }): void {
    ensureEnvironment(this.repositoryNamed(target.repository), target.name);
  }

  editEnvironmentBehindTerraform(target: { readonly repository: string; readonly name: string }, change: EnvironmentEdit): void {
    const env = this.environmentNamed(target.repository, target.name);
    if (change.waitTimer !== undefined) env.waitTimer = change.waitTimer;
    if (change.preventSelfReview !== undefined) env.preventSelfReview = change.preventSelfReview;
    if (change.canAdminsBypass !== undefined) env.canAdminsBypass = change.canAdminsBypass;
    if (change.reviewers) {
      env.reviewers = [
        ...(change.reviewers.teams ?? []).map((id) => ({ type: "Team" as const, id })),
        ...(change.reviewers.users ?? []).map((id) => ({ type: "User" as const, id })),
      ];
    }
    if (change.deploymentBranchPolicy !== undefined) setDeploymentBranchPolicy(env, change.deploymentBranchPolicy);
    for (const p of change.addBranchPolicies ?? []) {
      if (!env.deploymentBranchPolicy?.customBranchPolicies) throw new Error(`${target.name} has no custom branch policies to add ${p.name} to`);
      addBranchPolicy(env, p.name, p.type);
    }
    for (const p of change.removeBranchPolicies ?? []) {
      for (const [id, existing] of env.branchPolicies) if (existing.name === p.name && existing.type === p.type) env.branchPolicies.delete(id);
    }
    env.updatedAt = stamp(env.updatedAt);
  }

  private isNamed(repo: Repository, owner: string, name: string): boolean {
    return sameName(repo.owner, owner) && sameName(repo.name, name);
  }

  private noSuchRepository(fullName: string): never {
    throw new Error(`the stand-in has no repository ${fullName}`);
  }

  private repositoryNamed(fullName: string): Repository {
    return this.repositories.find((r) => sameName(fullNameOf(r), fullName)) ?? this.noSuchRepository(fullName);
  }

  private environmentNamed(repository: string, name: string): Environment {
    const env = this.environment(this.repositoryNamed(repository), name);
    if (!env) throw new Error(`${repository} has no environment ${name}`);
    return env;
  }

  private scopeOf(target: { readonly repository: string; readonly environment?: string }): ActionsScope {
    return target.environment === undefined ? this.repositoryNamed(target.repository) : this.environmentNamed(target.repository, target.environment);
  }
}

// ---------- GitHub's JSON ----------

const DOCS = "https://docs.github.com/rest";

export interface FieldError {
  readonly resource?: string;
  readonly field?: string;
  readonly code: string;
  readonly message?: string;
}

/** GitHub's error body; `errors` only on validation failures. */
export const errorJson = (status: number, message: string, errors: readonly FieldError[] = []) => ({
  message,
  documentation_url: DOCS,
  ...(errors.length ? { errors } : {}),
  status: String(status),
});

/** The stand-in never runs out: a client that watches its rate limit sees plenty left. */
export function rateLimit() {
  return { limit: 5000, remaining: 4999, reset: Math.floor(Date.now() / 1000) + 3600, used: 1 };
}

/** GitHub's JSON for stored state; its URLs point back at the stand-in. */
export class GithubJson {
  /** The host root, where GitHub's web pages would be. */
  private readonly web: string;
  private readonly url: URL;

  constructor(readonly apiUrl: string) {
    this.web = apiUrl.replace(/\/api\/v3$/, "");
    this.url = new URL(apiUrl);
  }

  account(login: string, id: number, type: "User" | "Organization") {
    const u = `${this.apiUrl}/users/${login}`;
    return {
      login,
      id,
      node_id: nodeId(type, id),
      avatar_url: `${this.web}/avatars/u/${id}`,
      gravatar_id: "",
      url: u,
      html_url: `${this.web}/${login}`,
      followers_url: `${u}/followers`,
      following_url: `${u}/following{/other_user}`,
      gists_url: `${u}/gists{/gist_id}`,
      starred_url: `${u}/starred{/owner}{/repo}`,
      subscriptions_url: `${u}/subscriptions`,
      organizations_url: `${u}/orgs`,
      repos_url: `${u}/repos`,
      events_url: `${u}/events{/privacy}`,
      received_events_url: `${u}/received_events`,
      type,
      user_view_type: "public",
      site_admin: false,
    };
  }

  authenticatedUser(state: GithubState) {
    return {
      ...this.account(state.authenticatedLogin, 1_000_001, "User"),
      user_view_type: "private",
      name: null,
      company: null,
      blog: "",
      location: null,
      email: null,
      hireable: null,
      bio: null,
      public_repos: 0,
      public_gists: 0,
      followers: 0,
      following: 0,
      created_at: "2020-01-01T00:00:00Z",
      updated_at: "2020-01-01T00:00:00Z",
      private_gists: 0,
      total_private_repos: state.repositories.length,
      owned_private_repos: 0,
      disk_usage: 0,
      collaborators: 0,
      two_factor_authentication: true,
    };
  }

  team(repo: Repository, id: number) {
    const slug = `team-${id}`;
    const u = `${this.apiUrl}/organizations/${repo.ownerId}/team/${id}`;
    return {
      id,
      node_id: nodeId("Team", id),
      name: slug,
      slug,
      description: null,
      privacy: "closed",
      notification_setting: "notifications_enabled",
      permission: "pull",
      url: u,
      html_url: `${this.web}/orgs/${repo.owner}/teams/${slug}`,
      members_url: `${u}/members{/member}`,
      repositories_url: `${u}/repos`,
      type: "organization",
      organization_id: repo.ownerId,
      parent: null,
    };
  }

  repository(repo: Repository) {
    const full = fullNameOf(repo);
    const u = `${this.apiUrl}/repos/${full}`;
    return {
      id: repo.id,
      node_id: nodeId("Repository", repo.id),
      name: repo.name,
      full_name: full,
      owner: this.account(repo.owner, repo.ownerId, repo.ownerType),
      private: true,
      html_url: `${this.web}/${full}`,
      description: null,
      fork: false,
      url: u,
      archive_url: `${u}/{archive_format}{/ref}`,
      assignees_url: `${u}/assignees{/user}`,
      blobs_url: `${u}/git/blobs{/sha}`,
      branches_url: `${u}/branches{/branch}`,
      collaborators_url: `${u}/collaborators{/collaborator}`,
      comments_url: `${u}/comments{/number}`,
      commits_url: `${u}/commits{/sha}`,
      compare_url: `${u}/compare/{base}...{head}`,
      contents_url: `${u}/contents/{+path}`,
      contributors_url: `${u}/contributors`,
      deployments_url: `${u}/deployments`,
      downloads_url: `${u}/downloads`,
      events_url: `${u}/events`,
      forks_url: `${u}/forks`,
      git_commits_url: `${u}/git/commits{/sha}`,
      git_refs_url: `${u}/git/refs{/sha}`,
      git_tags_url: `${u}/git/tags{/sha}`,
      git_url: `git://${this.url.host}/${full}.git`,
      issue_comment_url: `${u}/issues/comments{/number}`,
      issue_events_url: `${u}/issues/events{/number}`,
      issues_url: `${u}/issues{/number}`,
      keys_url: `${u}/keys{/key_id}`,
      labels_url: `${u}/labels{/name}`,
      languages_url: `${u}/languages`,
      merges_url: `${u}/merges`,
      milestones_url: `${u}/milestones{/number}`,
      notifications_url: `${u}/notifications{?since,all,participating}`,
      pulls_url: `${u}/pulls{/number}`,
      releases_url: `${u}/releases{/id}`,
      ssh_url: `git@${this.url.hostname}:${full}.git`,
      stargazers_url: `${u}/stargazers`,
      statuses_url: `${u}/statuses/{sha}`,
      subscribers_url: `${u}/subscribers`,
      subscription_url: `${u}/subscription`,
      tags_url: `${u}/tags`,
      teams_url: `${u}/teams`,
      trees_url: `${u}/git/trees{/sha}`,
      clone_url: `${this.web}/${full}.git`,
      mirror_url: null,
      hooks_url: `${u}/hooks`,
      svn_url: `${this.web}/${full}`,
      homepage: null,
      language: "TypeScript",
      forks_count: 0,
      stargazers_count: 0,
      watchers_count: 0,
      size: 1024,
      default_branch: "main",
      open_issues_count: 0,
      is_template: false,
      topics: [],
      has_issues: true,
      has_projects: false,
      has_wiki: false,
      has_pages: false,
      has_downloads: true,
      has_discussions: false,
      archived: false,
      disabled: false,
      visibility: "private",
      pushed_at: repo.createdAt,
      created_at: repo.createdAt,
      updated_at: repo.createdAt,
      permissions: { admin: true, maintain: true, push: true, triage: true, pull: true },
      allow_rebase_merge: true,
      allow_squash_merge: true,
      allow_auto_merge: false,
      delete_branch_on_merge: true,
      allow_merge_commit: false,
      allow_forking: false,
      web_commit_signoff_required: false,
      subscribers_count: 1,
      network_count: 0,
      license: null,
      ...(repo.ownerType === "Organization" ? { organization: this.account(repo.owner, repo.ownerId, "Organization") } : {}),
      forks: 0,
      open_issues: 0,
      watchers: 0,
    };
  }

  /** The organization owning `repo`. */
  organization(repo: Repository) {
    const base = this.account(repo.owner, repo.ownerId, "Organization");
    const u = `${this.apiUrl}/orgs/${repo.owner}`;
    return {
      login: repo.owner,
      id: repo.ownerId,
      node_id: base.node_id,
      url: u,
      repos_url: `${u}/repos`,
      events_url: `${u}/events`,
      hooks_url: `${u}/hooks`,
      issues_url: `${u}/issues`,
      members_url: `${u}/members{/member}`,
      public_members_url: `${u}/public_members{/member}`,
      avatar_url: base.avatar_url,
      description: null,
      html_url: `${this.web}/${repo.owner}`,
      has_organization_projects: true,
      has_repository_projects: true,
      public_repos: 0,
      public_gists: 0,
      followers: 0,
      following: 0,
      type: "Organization",
      created_at: repo.createdAt,
      updated_at: repo.createdAt,
      archived_at: null,
    };
  }

  environment(repo: Repository, env: Environment) {
    const u = `${this.apiUrl}/repos/${fullNameOf(repo)}/environments/${encodeURIComponent(env.name)}`;
    const rules: object[] = [];
    // GitHub reports a rule only while it has an effect.
    if (env.waitTimer > 0) rules.push({ ...this.rule(env.ruleIds.waitTimer), type: "wait_timer", wait_timer: env.waitTimer });
    if (env.reviewers.length > 0) {
      rules.push({
        ...this.rule(env.ruleIds.reviewers),
        prevent_self_review: env.preventSelfReview,
        type: "required_reviewers",
        reviewers: env.reviewers.map((r) => ({
          type: r.type,
          reviewer: r.type === "Team" ? this.team(repo, r.id) : this.account(`user-${r.id}`, r.id, "User"),
        })),
      });
    }
    if (env.deploymentBranchPolicy) rules.push({ ...this.rule(env.ruleIds.branchPolicy), type: "branch_policy" });
    return {
      id: env.id,
      node_id: nodeId("Environment", env.id),
      name: env.name,
      url: u,
      html_url: `${this.web}/${fullNameOf(repo)}/deployments/activity_log?environments_filter=${encodeURIComponent(env.name)}`,
      created_at: env.createdAt,
      updated_at: env.updatedAt,
      can_admins_bypass: env.canAdminsBypass,
      protection_rules: rules,
      deployment_branch_policy: env.deploymentBranchPolicy
        ? { protected_branches: env.deploymentBranchPolicy.protectedBranches, custom_branch_policies: env.deploymentBranchPolicy.customBranchPolicies }
        : null,
    };
  }

  branchPolicy(p: BranchPolicy) {
    return { id: p.id, node_id: p.nodeId, name: p.name, type: p.type };
  }

  variable(v: Variable) {
    return { name: v.name, value: v.value, created_at: v.createdAt, updated_at: v.updatedAt };
  }

  /** Never the value: GitHub does not return it. */
  secret(s: Secret) {
    return { name: s.name, created_at: s.createdAt, updated_at: s.updatedAt };
  }

  publicKey(key: SecretKeyPair) {
    return { key_id: key.keyId, key: key.publicKey };
  }

  private rule(id: number) {
    return { id, node_id: nodeId("Gate", id) };
  }
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
const reviewerIds = (reviewers: readonly Reviewer[], type: Reviewer["type"]) =>
  reviewers
    .filter((r) => r.type === type)
    .map((r) => r.id)
    .sort((a, b) => a - b);

function viewOf(repo: Repository): RepositoryView {
  return deepFreeze({
    fullName: fullNameOf(repo),
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
          reviewers: { users: reviewerIds(e.reviewers, "User"), teams: reviewerIds(e.reviewers, "Team") },
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
