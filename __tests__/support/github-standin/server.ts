import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  Clock,
  nameProblem,
  newEnvironment,
  newId,
  newRepository,
  nodeId,
  viewOf,
  type Environment,
  type Repository,
  type RepositorySeed,
  type RepositoryView,
  type Reviewer,
  type Secret,
  type Variable,
} from "./model";
import { githubDescription, type DescriptionGap, type RouteMatch, type ValidationProblem } from "./openapi";
import { open, sodiumReady } from "./sealed-box";

/**
 * A GitHub REST API stand-in on loopback: the operations the
 * integrations/github provider uses for Actions variables and secrets and
 * for deployment environments, answered from memory, every request and
 * response checked against GitHub's published OpenAPI description.
 *
 * Served under `/api/v3/` like GitHub Enterprise Server, because the
 * provider (go-github's enterprise URLs) appends `api/v3/` to any base_url
 * whose host is not api.github.com.
 */

export const API_PREFIX = "/api/v3";
const DOCS = "https://docs.github.com/rest";

export interface StandinOptions {
  readonly repositories: readonly RepositorySeed[];
  /**
   * Accounts that exist and may be required reviewers of an environment.
   * Any other id is refused with 422, as GitHub refuses unknown reviewers.
   * @default none
   */
  readonly reviewers?: { readonly users?: readonly number[]; readonly teams?: readonly number[] };
  /** @default a random token */
  readonly token?: string;
  /** Login of the token's user (GET /user). @default "standin-admin" */
  readonly login?: string;
}

export interface RecordedCall {
  readonly method: string;
  /** Path as received, without the API prefix and query. */
  readonly path: string;
  /** The description's template, when the path is one. */
  readonly template?: string;
  readonly operationId?: string;
  readonly status: number;
}

export interface UnexpectedCall {
  readonly method: string;
  readonly path: string;
  readonly reason: string;
}

export interface BehindTerraformTarget {
  /** `owner/name` */
  readonly repository: string;
  /** Environment name; omitted for repository-level values. */
  readonly environment?: string;
  readonly name: string;
}

export interface GithubStandin {
  /** The provider's base_url (GITHUB_BASE_URL): the host root; it appends api/v3/ itself. */
  readonly baseUrl: string;
  /** The REST root (GITHUB_API_URL for other clients). */
  readonly apiUrl: string;
  readonly token: string;
  /** A frozen snapshot, decrypted secret values included. */
  state(): { readonly repositories: readonly RepositoryView[]; repository(fullName: string): RepositoryView };
  /** Requests or responses that do not conform to GitHub's description. */
  readonly violations: readonly ValidationProblem[];
  /** Requests that used a property GitHub accepts but its description omits (see DESCRIPTION_GAPS). */
  readonly descriptionGaps: readonly { readonly method: string; readonly path: string; readonly gap: DescriptionGap }[];
  /** Requests for anything the stand-in does not implement (answered 404). */
  readonly unexpectedCalls: readonly UnexpectedCall[];
  readonly calls: readonly RecordedCall[];
  /** Someone changes or creates a secret in GitHub (UI, gh CLI): new value, new updated_at. */
  setSecretBehindTerraform(target: BehindTerraformTarget & { readonly value: string }): void;
  /** Someone deletes a secret in GitHub (`gh secret delete`). */
  deleteSecretBehindTerraform(target: BehindTerraformTarget): void;
  setVariableBehindTerraform(target: BehindTerraformTarget & { readonly value: string }): void;
  /** Creates an environment as GitHub's UI does (no protection). */
  createEnvironmentBehindTerraform(target: { readonly repository: string; readonly name: string }): void;
  /** Someone edits an environment's protection in GitHub's settings page. */
  editEnvironmentBehindTerraform(target: { readonly repository: string; readonly name: string }, change: EnvironmentEdit): void;
  stop(): Promise<void>;
}

export interface EnvironmentEdit {
  readonly waitTimer?: number;
  readonly preventSelfReview?: boolean;
  readonly canAdminsBypass?: boolean;
  readonly reviewers?: { readonly users?: readonly number[]; readonly teams?: readonly number[] };
  readonly deploymentBranchPolicy?: { readonly protectedBranches: boolean; readonly customBranchPolicies: boolean } | null;
  /** Name patterns added to the environment's deployment branch policy. */
  readonly addBranchPolicies?: readonly { readonly name: string; readonly type: "branch" | "tag" }[];
  /** Name patterns removed from it (an operator undoing a hand edit). */
  readonly removeBranchPolicies?: readonly { readonly name: string; readonly type: "branch" | "tag" }[];
}

interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}
interface Context {
  readonly params: Readonly<Record<string, string>>;
  /** Already validated against the operation's request schema. */
  readonly body: any;
  readonly query: URLSearchParams;
}
type Handler = (ctx: Context) => Reply;

const error = (status: number, message: string): Reply => ({ status, body: { message, documentation_url: DOCS, status: String(status) } });
const notFound = () => error(404, "Not Found");
const invalid = (message: string, errors: { resource?: string; field?: string; code: string; message?: string }[] = []): Reply => ({
  status: 422,
  body: { message, documentation_url: DOCS, ...(errors.length ? { errors } : {}), status: "422" },
});

export async function startGithubStandin(options: StandinOptions): Promise<GithubStandin> {
  await sodiumReady();
  const description = githubDescription();
  const clock = new Clock();
  const token = options.token ?? `ghs_standin${randomBytes(16).toString("hex")}`;
  const login = options.login ?? "standin-admin";
  const knownUsers = new Set(options.reviewers?.users ?? []);
  const knownTeams = new Set(options.reviewers?.teams ?? []);
  const repositories: Repository[] = [];
  for (const seed of options.repositories) {
    if (repositories.some((r) => r.id === seed.id || (r.owner.toLowerCase() === seed.owner.toLowerCase() && r.name.toLowerCase() === seed.name.toLowerCase())))
      continue;
    repositories.push(newRepository(seed, clock));
  }
  const violations: ValidationProblem[] = [];
  const unexpectedCalls: UnexpectedCall[] = [];
  const calls: RecordedCall[] = [];
  const descriptionGaps: { method: string; path: string; gap: DescriptionGap }[] = [];
  let apiUrl = "";

  const findRepo = (owner: string, name: string) =>
    repositories.find((r) => r.owner.toLowerCase() === owner.toLowerCase() && r.name.toLowerCase() === name.toLowerCase());
  const findEnv = (repo: Repository | undefined, name: string) => repo?.environments.get(name.toLowerCase());
  const repoOf = (ctx: Context) => findRepo(ctx.params.owner, ctx.params.repo);
  const envOf = (ctx: Context) => findEnv(repoOf(ctx), ctx.params.environment_name);

  // ---------- representations (GitHub's JSON) ----------
  const web = () => apiUrl.replace(/\/api\/v3$/, "");
  const account = (login: string, id: number, type: "User" | "Organization") => {
    const u = `${apiUrl}/users/${login}`;
    return {
      login,
      id,
      node_id: nodeId(type === "User" ? "User" : "Organization", id),
      avatar_url: `${web()}/avatars/u/${id}`,
      gravatar_id: "",
      url: u,
      html_url: `${web()}/${login}`,
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
  };
  const userLogin = (id: number) => `user-${id}`;
  const teamJson = (repo: Repository, id: number) => {
    const slug = `team-${id}`;
    const u = `${apiUrl}/organizations/${repo.ownerId}/team/${id}`;
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
      html_url: `${web()}/orgs/${repo.owner}/teams/${slug}`,
      members_url: `${u}/members{/member}`,
      repositories_url: `${u}/repos`,
      type: "organization",
      organization_id: repo.ownerId,
      parent: null,
    };
  };
  const repoJson = (repo: Repository) => {
    const full = `${repo.owner}/${repo.name}`;
    const u = `${apiUrl}/repos/${full}`;
    const owner = account(repo.owner, repo.ownerId, repo.ownerType);
    return {
      id: repo.id,
      node_id: nodeId("Repository", repo.id),
      name: repo.name,
      full_name: full,
      owner,
      private: true,
      html_url: `${web()}/${full}`,
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
      git_url: `git://${new URL(apiUrl).host}/${full}.git`,
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
      ssh_url: `git@${new URL(apiUrl).hostname}:${full}.git`,
      stargazers_url: `${u}/stargazers`,
      statuses_url: `${u}/statuses/{sha}`,
      subscribers_url: `${u}/subscribers`,
      subscription_url: `${u}/subscription`,
      tags_url: `${u}/tags`,
      teams_url: `${u}/teams`,
      trees_url: `${u}/git/trees{/sha}`,
      clone_url: `${web()}/${full}.git`,
      mirror_url: null,
      hooks_url: `${u}/hooks`,
      svn_url: `${web()}/${full}`,
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
      ...(repo.ownerType === "Organization" ? { organization: account(repo.owner, repo.ownerId, "Organization") } : {}),
      forks: 0,
      open_issues: 0,
      watchers: 0,
    };
  };
  const orgJson = (repo: Repository) => {
    const base = account(repo.owner, repo.ownerId, "Organization");
    const u = `${apiUrl}/orgs/${repo.owner}`;
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
      html_url: `${web()}/${repo.owner}`,
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
  };
  const envJson = (repo: Repository, env: Environment) => {
    const u = `${apiUrl}/repos/${repo.owner}/${repo.name}/environments/${encodeURIComponent(env.name)}`;
    const rules: object[] = [];
    // GitHub reports a rule only while it has an effect.
    if (env.waitTimer > 0)
      rules.push({ id: env.ruleIds.waitTimer, node_id: nodeId("Gate", env.ruleIds.waitTimer), type: "wait_timer", wait_timer: env.waitTimer });
    if (env.reviewers.length > 0) {
      rules.push({
        id: env.ruleIds.reviewers,
        node_id: nodeId("Gate", env.ruleIds.reviewers),
        prevent_self_review: env.preventSelfReview,
        type: "required_reviewers",
        reviewers: env.reviewers.map((r) => ({ type: r.type, reviewer: r.type === "Team" ? teamJson(repo, r.id) : account(userLogin(r.id), r.id, "User") })),
      });
    }
    if (env.deploymentBranchPolicy) rules.push({ id: env.ruleIds.branchPolicy, node_id: nodeId("Gate", env.ruleIds.branchPolicy), type: "branch_policy" });
    return {
      id: env.id,
      node_id: nodeId("Environment", env.id),
      name: env.name,
      url: u,
      html_url: `${web()}/${repo.owner}/${repo.name}/deployments/activity_log?environments_filter=${encodeURIComponent(env.name)}`,
      created_at: env.createdAt,
      updated_at: env.updatedAt,
      can_admins_bypass: env.canAdminsBypass,
      protection_rules: rules,
      deployment_branch_policy: env.deploymentBranchPolicy
        ? { protected_branches: env.deploymentBranchPolicy.protectedBranches, custom_branch_policies: env.deploymentBranchPolicy.customBranchPolicies }
        : null,
    };
  };
  const policyJson = (p: { id: number; nodeId: string; name: string; type: string }) => ({ id: p.id, node_id: p.nodeId, name: p.name, type: p.type });
  const variableJson = (v: Variable) => ({ name: v.name, value: v.value, created_at: v.createdAt, updated_at: v.updatedAt });
  const secretJson = (s: Secret) => ({ name: s.name, created_at: s.createdAt, updated_at: s.updatedAt });

  /** GitHub's page/per_page with a Link header, so a paging client sees what it would on GitHub. */
  const paged = <T>(ctx: Context, path: string, items: T[], wrap: (page: T[]) => object): Reply => {
    const perPage = Math.min(100, Math.max(1, Number(ctx.query.get("per_page") ?? 30) || 30));
    const page = Math.max(1, Number(ctx.query.get("page") ?? 1) || 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const link = (p: number, rel: string) => `<${apiUrl}${path}?per_page=${perPage}&page=${p}>; rel="${rel}"`;
    const links = [...(page < last ? [link(page + 1, "next"), link(last, "last")] : []), ...(page > 1 ? [link(1, "first"), link(page - 1, "prev")] : [])];
    return { status: 200, body: wrap(items.slice((page - 1) * perPage, page * perPage)), headers: links.length ? { link: links.join(", ") } : undefined };
  };

  // ---------- variables and secrets, shared by the repository and environment scopes ----------
  const variableOps = (scope: (ctx: Context) => Map<string, Variable> | undefined, listPath: (ctx: Context) => string) => ({
    list: (ctx: Context) => {
      const vars = scope(ctx);
      if (!vars) return notFound();
      const all = [...vars.values()].sort((a, b) => a.name.localeCompare(b.name));
      return paged(ctx, listPath(ctx), all, (variables) => ({ total_count: all.length, variables: variables.map(variableJson) }));
    },
    create: (ctx: Context) => {
      const vars = scope(ctx);
      if (!vars) return notFound();
      const name = String(ctx.body.name).toUpperCase();
      const problem = nameProblem(name);
      if (problem) return invalid(`Variable name ${problem}`, [{ resource: "ActionsVariable", field: "name", code: "invalid" }]);
      if (vars.has(name)) return error(409, "Already exists - Variable already exists");
      const now = clock.stamp();
      vars.set(name, { name, value: ctx.body.value, createdAt: now, updatedAt: now });
      return { status: 201, body: {} };
    },
    get: (ctx: Context) => {
      const v = scope(ctx)?.get(ctx.params.name.toUpperCase());
      return v ? { status: 200, body: variableJson(v) } : notFound();
    },
    update: (ctx: Context) => {
      const vars = scope(ctx);
      const v = vars?.get(ctx.params.name.toUpperCase());
      if (!vars || !v) return notFound();
      const rename = ctx.body.name !== undefined ? String(ctx.body.name).toUpperCase() : v.name;
      if (rename !== v.name) {
        const problem = nameProblem(rename);
        if (problem) return invalid(`Variable name ${problem}`, [{ resource: "ActionsVariable", field: "name", code: "invalid" }]);
        if (vars.has(rename)) return error(409, "Already exists - Variable already exists");
        vars.delete(v.name);
        v.name = rename;
        vars.set(rename, v);
      }
      if (ctx.body.value !== undefined) v.value = ctx.body.value;
      v.updatedAt = clock.stamp(v.updatedAt);
      return { status: 204 };
    },
    remove: (ctx: Context) => (scope(ctx)?.delete(ctx.params.name.toUpperCase()) ? { status: 204 } : notFound()),
  });

  type SecretScope = { readonly secrets: Map<string, Secret>; readonly secretKey: Environment["secretKey"]; readonly label: string };
  const secretOps = (scope: (ctx: Context) => SecretScope | undefined, listPath: (ctx: Context) => string) => ({
    publicKey: (ctx: Context) => {
      const s = scope(ctx);
      return s ? { status: 200, body: { key_id: s.secretKey.keyId, key: s.secretKey.publicKey } } : notFound();
    },
    list: (ctx: Context) => {
      const s = scope(ctx);
      if (!s) return notFound();
      const all = [...s.secrets.values()].sort((a, b) => a.name.localeCompare(b.name));
      return paged(ctx, listPath(ctx), all, (secrets) => ({ total_count: all.length, secrets: secrets.map(secretJson) }));
    },
    get: (ctx: Context) => {
      const secret = scope(ctx)?.secrets.get(ctx.params.secret_name.toUpperCase());
      return secret ? { status: 200, body: secretJson(secret) } : notFound();
    },
    put: (ctx: Context) => {
      const s = scope(ctx);
      if (!s) return notFound();
      const name = ctx.params.secret_name.toUpperCase();
      const problem = nameProblem(name);
      if (problem) return invalid(`Secret name ${problem}`, [{ resource: "Secret", field: "name", code: "invalid" }]);
      // A value sealed to another scope's key (e.g. the repository's key for an environment secret) is refused.
      if (ctx.body.key_id !== s.secretKey.keyId)
        return invalid(`key_id ${ctx.body.key_id} is not the current public key of ${s.label}`, [{ resource: "Secret", field: "key_id", code: "invalid" }]);
      const value = open(ctx.body.encrypted_value, s.secretKey);
      if (value === undefined)
        return invalid(`encrypted_value is not a sealed box for the public key of ${s.label}`, [
          { resource: "Secret", field: "encrypted_value", code: "invalid" },
        ]);
      const existing = s.secrets.get(name);
      if (existing) {
        Object.assign(existing, { value, keyId: ctx.body.key_id, updatedAt: clock.stamp(existing.updatedAt) });
        return { status: 204 };
      }
      const now = clock.stamp();
      s.secrets.set(name, { name, value, keyId: ctx.body.key_id, createdAt: now, updatedAt: now });
      return { status: 201, body: {} };
    },
    remove: (ctx: Context) => (scope(ctx)?.secrets.delete(ctx.params.secret_name.toUpperCase()) ? { status: 204 } : notFound()),
  });

  const repoVars = variableOps(
    (ctx) => repoOf(ctx)?.variables,
    (ctx) => `/repos/${ctx.params.owner}/${ctx.params.repo}/actions/variables`,
  );
  const envVars = variableOps(
    (ctx) => envOf(ctx)?.variables,
    (ctx) => `/repos/${ctx.params.owner}/${ctx.params.repo}/environments/${encodeURIComponent(ctx.params.environment_name)}/variables`,
  );
  const repoSecrets = secretOps(
    (ctx) => {
      const repo = repoOf(ctx);
      return repo && { secrets: repo.secrets, secretKey: repo.secretKey, label: `repository ${repo.owner}/${repo.name}` };
    },
    (ctx) => `/repos/${ctx.params.owner}/${ctx.params.repo}/actions/secrets`,
  );
  const envSecrets = secretOps(
    (ctx) => {
      const env = envOf(ctx);
      return env && { secrets: env.secrets, secretKey: env.secretKey, label: `environment ${env.name}` };
    },
    (ctx) => `/repos/${ctx.params.owner}/${ctx.params.repo}/environments/${encodeURIComponent(ctx.params.environment_name)}/secrets`,
  );

  // ---------- environments ----------
  const putEnvironment = (ctx: Context): Reply => {
    const repo = repoOf(ctx);
    if (!repo) return notFound();
    const body = ctx.body ?? {};
    if (body.wait_timer !== undefined && (body.wait_timer < 0 || body.wait_timer > 43_200)) {
      return invalid("Validation Failed", [
        { resource: "Environment", field: "wait_timer", code: "invalid", message: "wait_timer must be between 0 and 43200" },
      ]);
    }
    let reviewers: Reviewer[] | undefined;
    if (body.reviewers !== undefined) {
      reviewers = (body.reviewers ?? []).map((r: { type?: string; id?: number }) => ({ type: r.type, id: r.id }));
      if (reviewers!.length > 6)
        return invalid("Validation Failed", [{ resource: "Environment", field: "reviewers", code: "invalid", message: "at most 6 reviewers" }]);
      for (const r of reviewers!) {
        const known = r.type === "Team" ? repo.ownerType === "Organization" && knownTeams.has(r.id) : r.type === "User" && knownUsers.has(r.id);
        if (!known)
          return invalid(`Reviewer ${r.type} ${r.id} does not exist or has no access to the repository`, [
            { resource: "Environment", field: "reviewers", code: "invalid" },
          ]);
      }
    }
    const dbp = body.deployment_branch_policy;
    if (dbp && dbp.protected_branches === dbp.custom_branch_policies) {
      return invalid("Validation Failed", [
        {
          resource: "Environment",
          field: "deployment_branch_policy",
          code: "invalid",
          message: "exactly one of protected_branches and custom_branch_policies must be true",
        },
      ]);
    }
    let env = findEnv(repo, ctx.params.environment_name);
    if (!env) {
      env = newEnvironment(ctx.params.environment_name, clock);
      repo.environments.set(env.name.toLowerCase(), env);
    } else {
      env.updatedAt = clock.stamp(env.updatedAt);
    }
    if (body.wait_timer !== undefined) env.waitTimer = body.wait_timer;
    if (body.prevent_self_review !== undefined) env.preventSelfReview = body.prevent_self_review;
    if (body.can_admins_bypass !== undefined) env.canAdminsBypass = body.can_admins_bypass;
    if (reviewers) env.reviewers = reviewers;
    if (dbp !== undefined) {
      env.deploymentBranchPolicy = dbp ? { protectedBranches: dbp.protected_branches, customBranchPolicies: dbp.custom_branch_policies } : null;
      // Name patterns exist only under custom branch policies; switching away drops them.
      if (!env.deploymentBranchPolicy?.customBranchPolicies) env.branchPolicies.clear();
    }
    return { status: 200, body: envJson(repo, env) };
  };

  const branchPolicyTarget = (ctx: Context) => {
    const env = envOf(ctx);
    return env?.deploymentBranchPolicy?.customBranchPolicies ? env : undefined;
  };
  const policyUrl = (ctx: Context, id: number) =>
    `${apiUrl}/repos/${ctx.params.owner}/${ctx.params.repo}/environments/${encodeURIComponent(ctx.params.environment_name)}/deployment-branch-policies/${id}`;

  const handlers: Record<string, Handler> = {
    "users/get-authenticated": () => ({
      status: 200,
      body: {
        ...account(login, 1_000_001, "User"),
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
        total_private_repos: repositories.length,
        owned_private_repos: 0,
        disk_usage: 0,
        collaborators: 0,
        two_factor_authentication: true,
      },
    }),
    "rate-limit/get": () => {
      const limit = { limit: 5000, remaining: 4999, reset: Math.floor(Date.now() / 1000) + 3600, used: 1 };
      return { status: 200, body: { resources: { core: limit, search: limit }, rate: limit } };
    },
    "orgs/get": (ctx) => {
      const repo = repositories.find((r) => r.ownerType === "Organization" && r.owner.toLowerCase() === ctx.params.org.toLowerCase());
      return repo ? { status: 200, body: orgJson(repo) } : notFound();
    },
    "repos/get": (ctx) => {
      const repo = repoOf(ctx);
      return repo ? { status: 200, body: repoJson(repo) } : notFound();
    },
    "repos/get-all-environments": (ctx) => {
      const repo = repoOf(ctx);
      if (!repo) return notFound();
      const all = [...repo.environments.values()].sort((a, b) => a.name.localeCompare(b.name));
      return paged(ctx, `/repos/${ctx.params.owner}/${ctx.params.repo}/environments`, all, (envs) => ({
        total_count: all.length,
        environments: envs.map((e) => envJson(repo, e)),
      }));
    },
    "repos/get-environment": (ctx) => {
      const repo = repoOf(ctx);
      const env = findEnv(repo, ctx.params.environment_name);
      return repo && env ? { status: 200, body: envJson(repo, env) } : notFound();
    },
    "repos/create-or-update-environment": putEnvironment,
    "repos/delete-an-environment": (ctx) => (repoOf(ctx)?.environments.delete(ctx.params.environment_name.toLowerCase()) ? { status: 204 } : notFound()),
    "repos/list-deployment-branch-policies": (ctx) => {
      const env = envOf(ctx);
      if (!env) return notFound();
      const all = [...env.branchPolicies.values()];
      return paged(ctx, `/repos/${ctx.params.owner}/${ctx.params.repo}/environments/${encodeURIComponent(env.name)}/deployment-branch-policies`, all, (ps) => ({
        total_count: all.length,
        branch_policies: ps.map(policyJson),
      }));
    },
    "repos/create-deployment-branch-policy": (ctx) => {
      // GitHub answers 404 also when the environment does not use custom branch policies.
      const env = branchPolicyTarget(ctx);
      if (!env) return notFound();
      const type = ctx.body.type ?? "branch";
      const same = [...env.branchPolicies.values()].find((p) => p.name === ctx.body.name && p.type === type);
      if (same) return { status: 303, headers: { location: policyUrl(ctx, same.id) } };
      const id = newId();
      const policy = { id, nodeId: nodeId("GateBranchPolicy", id), name: ctx.body.name, type };
      env.branchPolicies.set(id, policy);
      return { status: 200, body: policyJson(policy) };
    },
    "repos/get-deployment-branch-policy": (ctx) => {
      const p = envOf(ctx)?.branchPolicies.get(Number(ctx.params.branch_policy_id));
      return p ? { status: 200, body: policyJson(p) } : notFound();
    },
    "repos/update-deployment-branch-policy": (ctx) => {
      const p = envOf(ctx)?.branchPolicies.get(Number(ctx.params.branch_policy_id));
      if (!p) return notFound();
      p.name = ctx.body.name;
      return { status: 200, body: policyJson(p) };
    },
    "repos/delete-deployment-branch-policy": (ctx) => (envOf(ctx)?.branchPolicies.delete(Number(ctx.params.branch_policy_id)) ? { status: 204 } : notFound()),

    "actions/list-repo-variables": repoVars.list,
    "actions/create-repo-variable": repoVars.create,
    "actions/get-repo-variable": repoVars.get,
    "actions/update-repo-variable": repoVars.update,
    "actions/delete-repo-variable": repoVars.remove,
    "actions/list-environment-variables": envVars.list,
    "actions/create-environment-variable": envVars.create,
    "actions/get-environment-variable": envVars.get,
    "actions/update-environment-variable": envVars.update,
    "actions/delete-environment-variable": envVars.remove,

    "actions/get-repo-public-key": repoSecrets.publicKey,
    "actions/list-repo-secrets": repoSecrets.list,
    "actions/get-repo-secret": repoSecrets.get,
    "actions/create-or-update-repo-secret": repoSecrets.put,
    "actions/delete-repo-secret": repoSecrets.remove,
    "actions/get-environment-public-key": envSecrets.publicKey,
    "actions/list-environment-secrets": envSecrets.list,
    "actions/get-environment-secret": envSecrets.get,
    "actions/create-or-update-environment-secret": envSecrets.put,
    "actions/delete-environment-secret": envSecrets.remove,
  };

  // ---------- HTTP ----------
  const authorized = (req: IncomingMessage) => {
    const m = /^(?:bearer|token)\s+(\S+)$/i.exec(req.headers.authorization ?? "");
    return m?.[1] === token;
  };

  /**
   * GitHub serves every /repos/{owner}/{repo}/… route also as /repositories/{id}/…
   * (go-github 67 calls environment secrets that way); the description lists
   * only the /repos form, so such a path is routed and validated as that form.
   */
  const canonicalPath = (path: string): string | undefined => {
    const m = /^\/repositories\/(\d+)(\/.*)?$/.exec(path);
    if (!m) return path;
    const repo = repositories.find((r) => r.id === Number(m[1]));
    return repo ? `/repos/${repo.owner}/${repo.name}${m[2] ?? ""}` : undefined;
  };

  const handle = (method: string, rawPath: string, query: URLSearchParams, rawBody: string, req: IncomingMessage): Reply & { route?: RouteMatch } => {
    const path = canonicalPath(rawPath);
    const route = path === undefined ? undefined : description.route(method, path);
    if (!authorized(req)) {
      const reply = req.headers.authorization ? error(401, "Bad credentials") : error(401, "Requires authentication");
      return route && !("error" in route) ? { ...reply, route } : reply;
    }
    if (!route) return notFound();
    if ("error" in route) {
      unexpectedCalls.push({
        method,
        path: rawPath,
        reason: route.error === "no such path" ? "not a path of GitHub's REST description" : `${method} is not an operation of ${route.template}`,
      });
      return notFound();
    }
    const parameterProblems = description.validateParameters(method, route.template, route.params, query);
    if (parameterProblems.length > 0) {
      violations.push({ where: "request", method, template: route.template, errors: parameterProblems });
      return { ...notFound(), route };
    }
    let body: unknown;
    if (rawBody.length > 0) {
      try {
        body = JSON.parse(rawBody);
      } catch {
        violations.push({ where: "request", method, template: route.template, errors: ["body is not JSON"] });
        return { ...error(400, "Problems parsing JSON"), route };
      }
    }
    const gapsUsed: DescriptionGap[] = [];
    const problems = description.validateRequest(method, route.template, body, gapsUsed);
    gapsUsed.forEach((gap) => descriptionGaps.push({ method, path: rawPath, gap }));
    if (problems.length > 0) {
      violations.push({ where: "request", method, template: route.template, errors: problems });
      return { ...invalid(`Invalid request.\n\n${problems.join("\n")}`), route };
    }
    const handler = handlers[route.operationId];
    if (!handler) {
      unexpectedCalls.push({ method, path: rawPath, reason: `${route.operationId} is not implemented by the stand-in` });
      return { ...notFound(), route };
    }
    return { ...handler({ params: route.params, body, query }), route };
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const method = (req.method ?? "GET").toUpperCase();
      const url = new URL(req.url ?? "/", "http://stand-in");
      let reply: Reply & { route?: RouteMatch };
      let path = url.pathname;
      if (path === API_PREFIX || path.startsWith(API_PREFIX + "/")) {
        path = path.slice(API_PREFIX.length) || "/";
        try {
          reply = handle(method, path, url.searchParams, Buffer.concat(chunks).toString("utf8"), req);
        } catch (err) {
          reply = error(500, `stand-in failure: ${err instanceof Error ? err.message : String(err)}`);
          unexpectedCalls.push({ method, path, reason: `the stand-in failed: ${err instanceof Error ? err.stack : String(err)}` });
        }
      } else {
        unexpectedCalls.push({ method, path, reason: `outside the API root ${API_PREFIX}` });
        reply = notFound();
      }
      if (reply.route) {
        const problems = description.validateResponse(method, reply.route.template, reply.status, reply.body);
        if (problems.length > 0) violations.push({ where: "response", method, template: reply.route.template, status: reply.status, errors: problems });
      }
      calls.push({ method, path, template: reply.route?.template, operationId: reply.route?.operationId, status: reply.status });
      const payload = reply.body === undefined ? "" : JSON.stringify(reply.body);
      res.writeHead(reply.status, {
        ...(payload ? { "content-type": "application/json; charset=utf-8" } : {}),
        "x-github-media-type": "github.v3; format=json",
        "x-github-api-version-selected": "2022-11-28",
        "x-ratelimit-limit": "5000",
        "x-ratelimit-remaining": "4999",
        "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 3600),
        "x-ratelimit-resource": "core",
        ...reply.headers,
      });
      res.end(payload);
    });
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolveListen());
  });
  const port = (server.address() as AddressInfo).port;
  apiUrl = `http://127.0.0.1:${port}${API_PREFIX}`;

  const repoByName = (fullName: string) => {
    const [owner, name] = fullName.split("/");
    const repo = findRepo(owner, name);
    if (!repo) throw new Error(`the stand-in has no repository ${fullName}`);
    return repo;
  };
  const scopeOf = (t: { repository: string; environment?: string }) => {
    const repo = repoByName(t.repository);
    if (t.environment === undefined) return repo;
    const env = findEnv(repo, t.environment);
    if (!env) throw new Error(`${t.repository} has no environment ${t.environment}`);
    return env;
  };

  return {
    baseUrl: `http://127.0.0.1:${port}/`,
    apiUrl,
    token,
    state: () => {
      const views = repositories.map(viewOf);
      return {
        repositories: views,
        repository: (fullName: string) => {
          const v = views.find((r) => r.fullName.toLowerCase() === fullName.toLowerCase());
          if (!v) throw new Error(`the stand-in has no repository ${fullName}`);
          return v;
        },
      };
    },
    violations,
    descriptionGaps,
    unexpectedCalls,
    calls,
    setSecretBehindTerraform: (t) => {
      const scope = scopeOf(t);
      const name = t.name.toUpperCase();
      const existing = scope.secrets.get(name);
      if (existing) Object.assign(existing, { value: t.value, keyId: scope.secretKey.keyId, updatedAt: clock.stamp(existing.updatedAt) });
      else {
        const now = clock.stamp();
        scope.secrets.set(name, { name, value: t.value, keyId: scope.secretKey.keyId, createdAt: now, updatedAt: now });
      }
    },
    deleteSecretBehindTerraform: (t) => {
      if (!scopeOf(t).secrets.delete(t.name.toUpperCase()))
        throw new Error(`${t.repository} has no secret ${t.name}${t.environment ? ` in ${t.environment}` : ""}`);
    },
    setVariableBehindTerraform: (t) => {
      const scope = scopeOf(t);
      const name = t.name.toUpperCase();
      const existing = scope.variables.get(name);
      if (existing) Object.assign(existing, { value: t.value, updatedAt: clock.stamp(existing.updatedAt) });
      else {
        const now = clock.stamp();
        scope.variables.set(name, { name, value: t.value, createdAt: now, updatedAt: now });
      }
    },
    createEnvironmentBehindTerraform: (t) => {
      const repo = repoByName(t.repository);
      if (!findEnv(repo, t.name)) repo.environments.set(t.name.toLowerCase(), newEnvironment(t.name, clock));
    },
    editEnvironmentBehindTerraform: (t, change) => {
      const env = findEnv(repoByName(t.repository), t.name);
      if (!env) throw new Error(`${t.repository} has no environment ${t.name}`);
      if (change.waitTimer !== undefined) env.waitTimer = change.waitTimer;
      if (change.preventSelfReview !== undefined) env.preventSelfReview = change.preventSelfReview;
      if (change.canAdminsBypass !== undefined) env.canAdminsBypass = change.canAdminsBypass;
      if (change.reviewers) {
        env.reviewers = [
          ...(change.reviewers.teams ?? []).map((id) => ({ type: "Team" as const, id })),
          ...(change.reviewers.users ?? []).map((id) => ({ type: "User" as const, id })),
        ];
      }
      if (change.deploymentBranchPolicy !== undefined) {
        env.deploymentBranchPolicy = change.deploymentBranchPolicy && { ...change.deploymentBranchPolicy };
        if (!env.deploymentBranchPolicy?.customBranchPolicies) env.branchPolicies.clear();
      }
      for (const p of change.addBranchPolicies ?? []) {
        if (!env.deploymentBranchPolicy?.customBranchPolicies) throw new Error(`${t.name} has no custom branch policies to add ${p.name} to`);
        const id = newId();
        env.branchPolicies.set(id, { id, nodeId: nodeId("GateBranchPolicy", id), name: p.name, type: p.type });
      }
      for (const p of change.removeBranchPolicies ?? []) {
        for (const [id, existing] of env.branchPolicies) if (existing.name === p.name && existing.type === p.type) env.branchPolicies.delete(id);
      }
      env.updatedAt = clock.stamp(env.updatedAt);
    },
    stop: () => new Promise<void>((done) => server.close(() => done())),
  };
}
