/**
 * Is the GitHub environment that guards the deploy role as narrow as config
 * says? Terraform puts back what the environment resource carries (reviewers,
 * wait timer, self-review, admin bypass, kind of branch policy), but each
 * deployment pattern is a resource of its own that reads only its own id, so
 * a pattern added by hand in GitHub (`*`: every branch) is invisible to every
 * plan. (integrations/github 6.9.0's data source that lists the patterns
 * panics: it reads `environment_name`, its schema says `environment`; fixed
 * in 6.9.1 by #2993.) This reads the environment and its whole pattern list
 * from the REST API and names every difference.
 */
import type { EnvironmentConfig } from "../../environments/schema";

export interface GithubApi {
  /** REST root, e.g. https://api.github.com */
  readonly url: string;
  readonly token: string;
}

interface EnvironmentAnswer {
  can_admins_bypass?: boolean;
  deployment_branch_policy?: { protected_branches: boolean; custom_branch_policies: boolean } | null;
  protection_rules?: { type: string; wait_timer?: number; prevent_self_review?: boolean; reviewers?: { type: string; reviewer?: { id?: number } }[] }[];
}

async function get<T>(api: GithubApi, path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${api.url.replace(/\/+$/, "")}${path}`, {
    headers: {
      accept: "application/vnd.github+json",
      authorization: `Bearer ${api.token}`,
      "x-github-api-version": "2022-11-28",
      "user-agent": "container-delivery-platform/doctor",
    },
    signal: AbortSignal.timeout(30_000),
  });
  return { status: res.status, body: (await res.json().catch(() => undefined)) as T };
}

const sorted = (xs: Iterable<string | number>) => [...xs].map(String).sort();
const same = (a: Iterable<string | number>, b: Iterable<string | number>) => JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));

/** Every way the environment in GitHub differs from config; empty when it is exactly as narrow. */
export async function protectionDrift(env: EnvironmentConfig, api: GithubApi): Promise<string[]> {
  const deploy = env.github.deployFrom;
  if (deploy.kind !== "environment") return [];
  const [owner, repo] = env.github.repository.split("/");
  const base = `/repos/${owner}/${repo}/environments/${encodeURIComponent(deploy.name)}`;
  const found = await get<EnvironmentAnswer & { message?: string }>(api, base);
  if (found.status === 404) return [`GitHub environment '${deploy.name}' does not exist: apply ${env.name}-github`];
  if (found.status !== 200) throw new Error(`GitHub answered ${found.status} for ${base}: ${found.body?.message ?? ""}`);
  const problems: string[] = [];
  const want = deploy.protection;
  const actual = found.body;
  const refs = want.deploymentRefs;
  const wantPolicy = { protected_branches: refs === "protected-branches", custom_branch_policies: refs !== "protected-branches" };
  const policy = actual.deployment_branch_policy ?? null;
  if (!policy)
    problems.push(
      `'${deploy.name}' has no deployment branch policy: every branch can deploy (config: ${refs === "protected-branches" ? "protected branches" : "named patterns"})`,
    );
  else if (policy.protected_branches !== wantPolicy.protected_branches || policy.custom_branch_policies !== wantPolicy.custom_branch_policies) {
    problems.push(
      `'${deploy.name}' deploys from ${policy.protected_branches ? "protected branches" : "named patterns"}, config says ${wantPolicy.protected_branches ? "protected branches" : "named patterns"}`,
    );
  }
  if (policy?.custom_branch_policies) {
    const listed: string[] = [];
    for (let page = 1; ; page++) {
      const r = await get<{ branch_policies?: { name: string; type?: string }[] }>(api, `${base}/deployment-branch-policies?per_page=100&page=${page}`);
      if (r.status !== 200) throw new Error(`GitHub answered ${r.status} listing the deployment patterns of '${deploy.name}'`);
      const batch = r.body.branch_policies ?? [];
      listed.push(...batch.map((p) => `${p.type ?? "branch"} '${p.name}'`));
      if (batch.length < 100) break;
    }
    const configured = refs === "protected-branches" ? [] : [...refs.branches.map((p) => `branch '${p}'`), ...refs.tags.map((p) => `tag '${p}'`)];
    for (const extra of listed.filter((p) => !configured.includes(p)))
      problems.push(`'${deploy.name}' lets ${extra} deploy, config does not: remove it in GitHub or add it to github.deployFrom.protection.deploymentRefs`);
    for (const missing of configured.filter((p) => !listed.includes(p)))
      problems.push(`'${deploy.name}' is missing ${missing} that config allows: apply ${env.name}-github`);
  }
  const reviewersRule = actual.protection_rules?.find((r) => r.type === "required_reviewers");
  const ids = (type: string) => (reviewersRule?.reviewers ?? []).filter((r) => r.type === type).map((r) => r.reviewer?.id ?? 0);
  if (!same(ids("User"), want.reviewers.users) || !same(ids("Team"), want.reviewers.teams)) {
    problems.push(
      `'${deploy.name}' requires reviewers users [${sorted(ids("User"))}] teams [${sorted(ids("Team"))}], config says users [${sorted(want.reviewers.users)}] teams [${sorted(want.reviewers.teams)}]`,
    );
  }
  const hasReviewers = want.reviewers.users.length + want.reviewers.teams.length > 0;
  if (hasReviewers && (reviewersRule?.prevent_self_review ?? false) !== want.preventSelfReview)
    problems.push(`'${deploy.name}' prevent self-review is ${reviewersRule?.prevent_self_review ?? false}, config says ${want.preventSelfReview}`);
  const waitTimer = actual.protection_rules?.find((r) => r.type === "wait_timer")?.wait_timer ?? 0;
  if (waitTimer !== want.waitTimerMinutes) problems.push(`'${deploy.name}' waits ${waitTimer} minutes, config says ${want.waitTimerMinutes}`);
  if ((actual.can_admins_bypass ?? true) !== want.adminsCanBypass)
    problems.push(`'${deploy.name}' lets administrators bypass its rules: ${actual.can_admins_bypass ?? true}, config says ${want.adminsCanBypass}`);
  return problems;
}
