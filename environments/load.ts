import type { z } from "zod";
import { keyRotationProblemsOf } from "./key-rotation";
import { repositoryName } from "./naming";
import { crossEnvironmentRuleProblems, environmentProblems } from "./rules";
import { environmentSchema, type EnvironmentConfig } from "./schema";

/** Every configuration problem at once, each line naming environment and field. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid environment configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** A name shown as the label of its problems only when it cannot forge a line (schema: lowercase, digits, hyphens). */
const ENV_LABEL = /^[a-z0-9-]{1,40}$/;

/** A rule that throws is a bug, but the user still gets a refusal naming the environment, never a stack trace. */
function guarded(label: string, rule: () => string[]): string[] {
  try {
    return rule();
  } catch (err) {
    return [`${label}: cannot be checked (${err instanceof Error ? err.message : String(err)}); please report this configuration`];
  }
}

function formatPath(envLabel: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, seg) => (typeof seg === "number" ? `${acc}[${seg}]` : `${acc}.${String(seg)}`), envLabel);
}

function describeIssues(envLabel: string, error: z.ZodError): string[] {
  return error.issues.map((issue) => `${formatPath(envLabel, issue.path)}: ${issue.message}`);
}

/**
 * Validates every environment and the rules that span environments (unique
 * names, unique state keys, one OIDC provider decision per account).
 * Throws ConfigError listing all problems; returns configs with defaults filled.
 */
export function loadEnvironments(inputs: readonly unknown[]): EnvironmentConfig[] {
  const problems: string[] = [];
  const configs: EnvironmentConfig[] = [];
  problems.push(...keyRotationProblemsOf(inputs));
  inputs.forEach((input, index) => {
    const rawName = (input as { name?: unknown } | null | undefined)?.name;
    const label = typeof rawName === "string" && ENV_LABEL.test(rawName) ? rawName : `environments[${index}]`;
    const parsed = environmentSchema.safeParse(input);
    if (parsed.success) {
      configs.push(parsed.data);
      problems.push(...guarded(parsed.data.name, () => environmentProblems(parsed.data)));
    } else problems.push(...describeIssues(label, parsed.error));
  });
  if (inputs.length === 0) problems.push("no environments configured");
  problems.push(...crossEnvironmentProblems(configs), ...guarded("environments", () => crossEnvironmentRuleProblems(configs)));
  if (problems.length > 0) throw new ConfigError(problems);
  return configs;
}

function crossEnvironmentProblems(configs: readonly EnvironmentConfig[]): string[] {
  const problems: string[] = [];
  const firstBy = <K>(key: (c: EnvironmentConfig) => K) => {
    const seen = new Map<K, EnvironmentConfig>();
    return (c: EnvironmentConfig) => {
      const k = key(c);
      const first = seen.get(k);
      if (!first) seen.set(k, c);
      return first;
    };
  };
  const byName = firstBy((c) => c.name);
  const byAccount = firstBy((c) => c.accountId);
  const byBucket = firstBy((c) => c.state.bucket);
  const byRepository = new Map<string, string>();
  // GitHub names are case-insensitive: `Acme/shop` is the same repository as `acme/shop`.
  const byGithubRepository = firstBy((c) => c.github.repository.toLowerCase());
  const byRegistry = firstBy((c) => `${c.accountId}/${c.region}`);
  for (const c of configs) {
    const sameName = byName(c);
    if (sameName) problems.push(`${c.name}.name: duplicate environment name`);
    const sameAccount = byAccount(c);
    if (sameAccount && sameAccount.githubOidcProvider !== c.githubOidcProvider) {
      problems.push(
        `${c.name}.githubOidcProvider: '${c.githubOidcProvider}' but ${sameAccount.name} in the same account ${c.accountId} says '${sameAccount.githubOidcProvider}'; an account has one provider`,
      );
    }
    const sameGithubRepository = byGithubRepository(c);
    if (sameGithubRepository) {
      const g = c.github;
      const first = sameGithubRepository.github;
      if (g.subjectFormat !== first.subjectFormat || g.ownerId !== first.ownerId || g.repositoryId !== first.repositoryId) {
        problems.push(
          `${c.name}.github: subjectFormat/ownerId/repositoryId differ from ${sameGithubRepository.name}, which uses the same repository ${g.repository}; GitHub issues one subject form per repository`,
        );
      }
    }
    const sameRegistry = byRegistry(c);
    if (sameRegistry && JSON.stringify(sameRegistry.ecr.registry ?? null) !== JSON.stringify(c.ecr.registry ?? null)) {
      problems.push(
        `${c.name}.ecr.registry: differs from ${sameRegistry.name} in the same account ${c.accountId} and region ${c.region}; a registry has one scanning and replication configuration, state it identically in both`,
      );
    }
    const sameBucket = byBucket(c);
    if (sameBucket && (sameBucket.accountId !== c.accountId || sameBucket.state.region !== c.state.region)) {
      problems.push(`${c.name}.state.bucket: '${c.state.bucket}' is also used by ${sameBucket.name} with another account or region`);
    }
    c.services.forEach((svc, i) => {
      const repo = `${c.accountId}/${c.region}/${repositoryName(c, svc)}`;
      const owner = byRepository.get(repo);
      if (owner) problems.push(`${c.name}.services[${i}].repositoryName: repository already belongs to ${owner}`);
      else byRepository.set(repo, `${c.name}.services[${i}]`);
    });
  }
  return problems;
}
