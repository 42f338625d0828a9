import {
  addBranchPolicy,
  ensureEnvironment,
  errorJson,
  putSecret,
  putVariable,
  rateLimit,
  setDeploymentBranchPolicy,
  stamp,
  type ActionsScope,
  type Environment,
  type FieldError,
  type GithubJson,
  type GithubState,
  type Repository,
  type Reviewer,
} from "./model";
import { open } from "./sealed-box";

/**
 * What each GitHub REST operation the provider calls does, one handler per
 * operation, keyed by the operationId of GitHub's OpenAPI description. By the
 * time a handler runs, the HTTP layer (server.ts) has routed, authenticated and
 * validated the request against that description (openapi.ts), so a handler
 * holds only the rules the description cannot express: naming rules, conflicts,
 * keys, known reviewers, and what GitHub answers.
 */

export interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface OperationRequest {
  readonly params: Readonly<Record<string, string>>;
  /** Already validated against the operation's request schema. */
  readonly body: any;
  readonly query: URLSearchParams;
}

export interface Github {
  readonly state: GithubState;
  readonly json: GithubJson;
}

export type Handler = (github: Github, request: OperationRequest) => Reply;

export const error = (status: number, message: string, errors?: readonly FieldError[]): Reply => ({ status, body: errorJson(status, message, errors) });
export const notFound = () => error(404, "Not Found");
export const invalid = (message: string, errors: readonly FieldError[] = []) => error(422, message, errors);

const ok = (body: unknown): Reply => ({ status: 200, body });
const created = (): Reply => ({ status: 201, body: {} });
const noContent = (): Reply => ({ status: 204 });

/** Variable and secret names: letters, digits, underscores, not starting with a digit nor GITHUB_ (GitHub's rules). */
function nameProblem(name: string): string | undefined {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return "may only contain alphanumeric characters or underscores and must not start with a number";
  if (/^GITHUB_/i.test(name)) return "must not start with the GITHUB_ prefix";
  return undefined;
}

type Params = OperationRequest["params"];
/** From the names as the request spelled them: Link headers and redirects point back at what the client asked for. */
const repositoryPath = (p: Params) => `/repos/${p.owner}/${p.repo}`;
const environmentPath = (p: Params, name = p.environment_name) => `${repositoryPath(p)}/environments/${encodeURIComponent(name)}`;

const repositoryOf = ({ state }: Github, { params }: OperationRequest) => state.repository(params.owner, params.repo);
const environmentOf = (github: Github, request: OperationRequest) => github.state.environment(repositoryOf(github, request), request.params.environment_name);

const byName = <T extends { readonly name: string }>(items: Iterable<T>) => [...items].sort((a, b) => a.name.localeCompare(b.name));

/** GitHub's page/per_page with a Link header, so a paging client sees what it would on GitHub. */
function paged<T>(github: Github, request: OperationRequest, path: string, items: readonly T[], field: string, render: (item: T) => object): Reply {
  const perPage = Math.min(100, Math.max(1, Number(request.query.get("per_page") ?? 30) || 30));
  const page = Math.max(1, Number(request.query.get("page") ?? 1) || 1);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const link = (p: number, rel: string) => `<${github.json.apiUrl}${path}?per_page=${perPage}&page=${p}>; rel="${rel}"`;
  const links = [...(page < last ? [link(page + 1, "next"), link(last, "last")] : []), ...(page > 1 ? [link(1, "first"), link(page - 1, "prev")] : [])];
  return {
    status: 200,
    body: { total_count: items.length, [field]: items.slice((page - 1) * perPage, page * perPage).map(render) },
    headers: links.length ? { link: links.join(", ") } : undefined,
  };
}

// ---------- account, repository, rate limit ----------

const getAuthenticatedUser: Handler = ({ state, json }) => ok(json.authenticatedUser(state));

const getRateLimit: Handler = () => {
  const limit = rateLimit();
  return ok({ resources: { core: limit, search: limit }, rate: limit });
};

const getOrganization: Handler = ({ state, json }, { params }) => {
  const repo = state.organization(params.org);
  return repo ? ok(json.organization(repo)) : notFound();
};

const getRepository: Handler = (github, request) => {
  const repo = repositoryOf(github, request);
  return repo ? ok(github.json.repository(repo)) : notFound();
};

// ---------- environments ----------

const listEnvironments: Handler = (github, request) => {
  const repo = repositoryOf(github, request);
  if (!repo) return notFound();
  return paged(github, request, `${repositoryPath(request.params)}/environments`, byName(repo.environments.values()), "environments", (e) =>
    github.json.environment(repo, e),
  );
};

const getEnvironment: Handler = (github, request) => {
  const repo = repositoryOf(github, request);
  const env = github.state.environment(repo, request.params.environment_name);
  return repo && env ? ok(github.json.environment(repo, env)) : notFound();
};

const invalidEnvironment = (field: string, message: string) => invalid("Validation Failed", [{ resource: "Environment", field, code: "invalid", message }]);

const putEnvironment: Handler = (github, request) => {
  const repo = repositoryOf(github, request);
  if (!repo) return notFound();
  const body = request.body ?? {};
  if (body.wait_timer !== undefined && (body.wait_timer < 0 || body.wait_timer > 43_200)) {
    return invalidEnvironment("wait_timer", "wait_timer must be between 0 and 43200");
  }
  let reviewers: Reviewer[] | undefined;
  if (body.reviewers !== undefined) {
    const requested: Reviewer[] = (body.reviewers ?? []).map((r: Reviewer) => ({ type: r.type, id: r.id }));
    if (requested.length > 6) return invalidEnvironment("reviewers", "at most 6 reviewers");
    const unknown = requested.find((r) => !github.state.mayReview(repo, r));
    if (unknown)
      return invalid(`Reviewer ${unknown.type} ${unknown.id} does not exist or has no access to the repository`, [
        { resource: "Environment", field: "reviewers", code: "invalid" },
      ]);
    reviewers = requested;
  }
  const dbp = body.deployment_branch_policy;
  if (dbp && dbp.protected_branches === dbp.custom_branch_policies) {
    return invalidEnvironment("deployment_branch_policy", "exactly one of protected_branches and custom_branch_policies must be true");
  }
  const { environment: env, created: isNew } = ensureEnvironment(repo, request.params.environment_name);
  if (!isNew) env.updatedAt = stamp(env.updatedAt);
  if (body.wait_timer !== undefined) env.waitTimer = body.wait_timer;
  if (body.prevent_self_review !== undefined) env.preventSelfReview = body.prevent_self_review;
  if (body.can_admins_bypass !== undefined) env.canAdminsBypass = body.can_admins_bypass;
  if (reviewers) env.reviewers = reviewers;
  if (dbp !== undefined)
    setDeploymentBranchPolicy(env, dbp ? { protectedBranches: dbp.protected_branches, customBranchPolicies: dbp.custom_branch_policies } : null);
  return ok(github.json.environment(repo, env));
};

const deleteEnvironment: Handler = (github, request) =>
  repositoryOf(github, request)?.environments.delete(request.params.environment_name.toLowerCase()) ? noContent() : notFound();

// ---------- deployment branch policies ----------

const branchPolicyOf = (github: Github, request: OperationRequest) =>
  environmentOf(github, request)?.branchPolicies.get(Number(request.params.branch_policy_id));

const listBranchPolicies: Handler = (github, request) => {
  const env = environmentOf(github, request);
  if (!env) return notFound();
  const path = `${environmentPath(request.params, env.name)}/deployment-branch-policies`;
  return paged(github, request, path, [...env.branchPolicies.values()], "branch_policies", (p) => github.json.branchPolicy(p));
};

const createBranchPolicy: Handler = (github, request) => {
  // GitHub answers 404 also when the environment does not use custom branch policies.
  const env = environmentOf(github, request);
  if (!env?.deploymentBranchPolicy?.customBranchPolicies) return notFound();
  const type = request.body.type ?? "branch";
  const same = [...env.branchPolicies.values()].find((p) => p.name === request.body.name && p.type === type);
  if (same) return { status: 303, headers: { location: `${github.json.apiUrl}${environmentPath(request.params)}/deployment-branch-policies/${same.id}` } };
  return ok(github.json.branchPolicy(addBranchPolicy(env, request.body.name, type)));
};

const getBranchPolicy: Handler = (github, request) => {
  const p = branchPolicyOf(github, request);
  return p ? ok(github.json.branchPolicy(p)) : notFound();
};

const updateBranchPolicy: Handler = (github, request) => {
  const p = branchPolicyOf(github, request);
  if (!p) return notFound();
  p.name = request.body.name;
  return ok(github.json.branchPolicy(p));
};

const deleteBranchPolicy: Handler = (github, request) =>
  environmentOf(github, request)?.branchPolicies.delete(Number(request.params.branch_policy_id)) ? noContent() : notFound();

// ---------- Actions variables and secrets: the same operations on a repository and on an environment ----------

interface ScopeRoute<S extends ActionsScope> {
  find(github: Github, request: OperationRequest): S | undefined;
  /** Where GitHub lists the scope's variables and secrets. */
  root(params: Params): string;
  /** How a refusal names the scope. */
  label(scope: S): string;
}

const REPOSITORY_SCOPE: ScopeRoute<Repository> = {
  find: repositoryOf,
  root: (p) => `${repositoryPath(p)}/actions`,
  label: (repo) => `repository ${repo.owner}/${repo.name}`,
};

const ENVIRONMENT_SCOPE: ScopeRoute<Environment> = {
  find: environmentOf,
  root: (p) => environmentPath(p),
  label: (env) => `environment ${env.name}`,
};

function variableNameRefusal(variables: ReadonlyMap<string, unknown>, name: string): Reply | undefined {
  const problem = nameProblem(name);
  if (problem) return invalid(`Variable name ${problem}`, [{ resource: "ActionsVariable", field: "name", code: "invalid" }]);
  if (variables.has(name)) return error(409, "Already exists - Variable already exists");
  return undefined;
}

function variableHandlers<S extends ActionsScope>(scope: ScopeRoute<S>) {
  const variablesOf = (github: Github, request: OperationRequest) => scope.find(github, request)?.variables;
  const list: Handler = (github, request) => {
    const variables = variablesOf(github, request);
    if (!variables) return notFound();
    return paged(github, request, `${scope.root(request.params)}/variables`, byName(variables.values()), "variables", (v) => github.json.variable(v));
  };
  const create: Handler = (github, request) => {
    const variables = variablesOf(github, request);
    if (!variables) return notFound();
    const name = String(request.body.name).toUpperCase();
    const refusal = variableNameRefusal(variables, name);
    if (refusal) return refusal;
    putVariable(variables, name, request.body.value);
    return created();
  };
  const get: Handler = (github, request) => {
    const v = variablesOf(github, request)?.get(request.params.name.toUpperCase());
    return v ? ok(github.json.variable(v)) : notFound();
  };
  const update: Handler = (github, request) => {
    const variables = variablesOf(github, request);
    const v = variables?.get(request.params.name.toUpperCase());
    if (!variables || !v) return notFound();
    const rename = request.body.name !== undefined ? String(request.body.name).toUpperCase() : v.name;
    if (rename !== v.name) {
      const refusal = variableNameRefusal(variables, rename);
      if (refusal) return refusal;
      variables.delete(v.name);
      v.name = rename;
      variables.set(rename, v);
    }
    if (request.body.value !== undefined) v.value = request.body.value;
    v.updatedAt = stamp(v.updatedAt);
    return noContent();
  };
  const remove: Handler = (github, request) => (variablesOf(github, request)?.delete(request.params.name.toUpperCase()) ? noContent() : notFound());
  return { list, create, get, update, remove };
}

function secretHandlers<S extends ActionsScope>(scope: ScopeRoute<S>) {
  const publicKey: Handler = (github, request) => {
    const s = scope.find(github, request);
    return s ? ok(github.json.publicKey(s.secretKey)) : notFound();
  };
  const list: Handler = (github, request) => {
    const s = scope.find(github, request);
    if (!s) return notFound();
    return paged(github, request, `${scope.root(request.params)}/secrets`, byName(s.secrets.values()), "secrets", (secret) => github.json.secret(secret));
  };
  const get: Handler = (github, request) => {
    const secret = scope.find(github, request)?.secrets.get(request.params.secret_name.toUpperCase());
    return secret ? ok(github.json.secret(secret)) : notFound();
  };
  const put: Handler = (github, request) => {
    const s = scope.find(github, request);
    if (!s) return notFound();
    const name = request.params.secret_name.toUpperCase();
    const problem = nameProblem(name);
    if (problem) return invalid(`Secret name ${problem}`, [{ resource: "Secret", field: "name", code: "invalid" }]);
    // A value sealed to another scope's key (e.g. the repository's key for an environment secret) is refused.
    if (request.body.key_id !== s.secretKey.keyId)
      return invalid(`key_id ${request.body.key_id} is not the current public key of ${scope.label(s)}`, [
        { resource: "Secret", field: "key_id", code: "invalid" },
      ]);
    const value = open(request.body.encrypted_value, s.secretKey);
    if (value === undefined)
      return invalid(`encrypted_value is not a sealed box for the public key of ${scope.label(s)}`, [
        { resource: "Secret", field: "encrypted_value", code: "invalid" },
      ]);
    return putSecret(s, name, value) === "created" ? created() : noContent();
  };
  const remove: Handler = (github, request) =>
    scope.find(github, request)?.secrets.delete(request.params.secret_name.toUpperCase()) ? noContent() : notFound();
  return { publicKey, list, get, put, remove };
}

const repositoryVariables = variableHandlers(REPOSITORY_SCOPE);
const environmentVariables = variableHandlers(ENVIRONMENT_SCOPE);
const repositorySecrets = secretHandlers(REPOSITORY_SCOPE);
const environmentSecrets = secretHandlers(ENVIRONMENT_SCOPE);

/** The operations the stand-in implements; any other operation of the description is answered 404 and recorded. */
export const HANDLERS: Readonly<Record<string, Handler>> = {
  "users/get-authenticated": getAuthenticatedUser,
  "rate-limit/get": getRateLimit,
  "orgs/get": getOrganization,
  "repos/get": getRepository,

  "repos/get-all-environments": listEnvironments,
  "repos/get-environment": getEnvironment,
  "repos/create-or-update-environment": putEnvironment,
  "repos/delete-an-environment": deleteEnvironment,
  "repos/list-deployment-branch-policies": listBranchPolicies,
  "repos/create-deployment-branch-policy": createBranchPolicy,
  "repos/get-deployment-branch-policy": getBranchPolicy,
  "repos/update-deployment-branch-policy": updateBranchPolicy,
  "repos/delete-deployment-branch-policy": deleteBranchPolicy,

  "actions/list-repo-variables": repositoryVariables.list,
  "actions/create-repo-variable": repositoryVariables.create,
  "actions/get-repo-variable": repositoryVariables.get,
  "actions/update-repo-variable": repositoryVariables.update,
  "actions/delete-repo-variable": repositoryVariables.remove,
  "actions/list-environment-variables": environmentVariables.list,
  "actions/create-environment-variable": environmentVariables.create,
  "actions/get-environment-variable": environmentVariables.get,
  "actions/update-environment-variable": environmentVariables.update,
  "actions/delete-environment-variable": environmentVariables.remove,

  "actions/get-repo-public-key": repositorySecrets.publicKey,
  "actions/list-repo-secrets": repositorySecrets.list,
  "actions/get-repo-secret": repositorySecrets.get,
  "actions/create-or-update-repo-secret": repositorySecrets.put,
  "actions/delete-repo-secret": repositorySecrets.remove,
  "actions/get-environment-public-key": environmentSecrets.publicKey,
  "actions/list-environment-secrets": environmentSecrets.list,
  "actions/get-environment-secret": environmentSecrets.get,
  "actions/create-or-update-environment-secret": environmentSecrets.put,
  "actions/delete-environment-secret": environmentSecrets.remove,
};
