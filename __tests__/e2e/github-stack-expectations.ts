/**
 * What a synthesized `<env>-github` stack (cdk.tf.json) declares, read the way
 * the integrations/github provider will apply it, so the end-to-end test
 * compares GitHub's state with the stack rather than with hard-coded values.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import type { Toolchain } from "../../scripts/lib/toolchain";
import type { EnvironmentConfig } from "../../environments";
import { startGithubStandin, type EnvironmentView, type GithubStandin } from "../support/github-standin";

/** Terraform JSON of one stack, as much of it as this module reads. */
export interface StackJson {
  readonly provider?: {
    readonly github?: readonly { readonly owner?: string }[];
    readonly aws?: readonly object[];
  };
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly data?: Record<string, Record<string, Record<string, unknown>>>;
  readonly terraform?: {
    readonly backend?: { readonly s3?: { readonly endpoints?: Record<string, string> } } & Record<string, unknown>;
    readonly required_providers?: Record<string, unknown>;
  };
}

export interface ExpectedValue {
  /** Environment name; undefined for repository-level values. */
  readonly environment?: string;
  readonly name: string;
  readonly value: string;
}

/** An environment's protection as GitHub holds it: the stand-in's view, less what it holds inside. */
export type ExpectedEnvironment = Omit<EnvironmentView, "variables" | "secrets" | "secretKeyId">;

export interface ExpectedGithub {
  /** `owner/name` */
  readonly repository: string;
  readonly variables: readonly ExpectedValue[];
  readonly secrets: readonly ExpectedValue[];
  readonly environments: readonly ExpectedEnvironment[];
}

/** Resource types this module knows how to expect; any other makes the test fail until it is taught. */
export const KNOWN_RESOURCE_TYPES = [
  "github_actions_variable",
  "github_actions_environment_variable",
  "github_actions_secret",
  "github_actions_environment_secret",
  "github_repository_environment",
  "github_repository_environment_deployment_policy",
] as const;
const KNOWN_DATA_TYPES = ["aws_ssm_parameter"];

export const readStack = (file: string): StackJson => JSON.parse(readFileSync(file, "utf8"));

export const needsAws = (json: StackJson) => Boolean(json.terraform?.required_providers?.aws);
/**
 * The stack belongs to an environment on a loopback emulator (the `local` environment's kind): its
 * backend names the emulator, and its AWS provider reaches it through AWS_ENDPOINT_URL.
 */
export const awsOnLoopback = (json: StackJson) =>
  /^https?:\/\/(127\.|localhost|\[::1\])/.test(json.terraform?.backend?.s3?.endpoints?.s3 ?? "") && (json.provider?.aws ?? []).length > 0;

/**
 * The state backend becomes a local file in the working copy, the one edit
 * made to a synthesized stack: its S3 bucket exists only in the real account.
 */
export function useLocalBackend(dir: string): void {
  const file = join(dir, "cdk.tf.json");
  const json = JSON.parse(readFileSync(file, "utf8"));
  json.terraform.backend = { local: { path: "terraform.tfstate" } };
  writeFileSync(file, JSON.stringify(json, null, 2));
}

/**
 * The second edit, only where a stack reads SSM: hashicorp/aws pinned to the
 * version this machine has (`awsVersion`, from scripts/toolchain.sh) when that
 * differs from the pin. In a GitHub stack the AWS provider reads two SSM
 * parameters from the emulator, which every hashicorp/aws version does alike;
 * `registry` or empty leaves the pin alone.
 */
export function useAvailableAws(dir: string, awsVersion: string): void {
  const file = join(dir, "cdk.tf.json");
  const json = JSON.parse(readFileSync(file, "utf8"));
  const aws = json.terraform?.required_providers?.aws;
  if (!aws || !/^\d+\.\d+\.\d+$/.test(awsVersion) || aws.version === awsVersion) return;
  aws.version = awsVersion;
  writeFileSync(file, JSON.stringify(json, null, 2));
}

/** Provider defaults (integrations/github 6.9 to 6.13) for attributes a stack may leave out. */
const DEFAULTS = { waitTimer: 0, preventSelfReview: false, canAdminsBypass: true };

export function expectationsOf(json: StackJson, ssmValue: (parameterName: string) => string): ExpectedGithub {
  const resources = json.resource ?? {};
  const data = json.data ?? {};
  const unknown = [
    ...Object.keys(resources).filter((t) => !(KNOWN_RESOURCE_TYPES as readonly string[]).includes(t)),
    ...Object.keys(data).filter((t) => !KNOWN_DATA_TYPES.includes(t)),
  ];
  if (unknown.length > 0)
    throw new Error(`the GitHub stack declares ${unknown.join(", ")}: teach __tests__/e2e/github-stack-expectations.ts what GitHub must hold for them`);

  const resolve = (value: unknown): unknown => {
    if (typeof value !== "string") return value;
    const ref = /^\$\{([^}]+)\}$/.exec(value);
    if (!ref) {
      if (value.includes("${")) throw new Error(`interpolation inside a string is not supported here: ${value}`);
      return value;
    }
    const parts = ref[1].split(".");
    if (parts[0] === "data") {
      const [, type, name, attr] = parts;
      if (type !== "aws_ssm_parameter" || attr !== "value") throw new Error(`unsupported reference ${ref[1]}`);
      return ssmValue(String(resolve(data[type][name].name)));
    }
    const [type, name, attr] = parts;
    const target = resources[type]?.[name];
    if (!target || parts.length !== 3 || !(attr in target)) throw new Error(`unsupported reference ${ref[1]}`);
    return resolve(target[attr]);
  };
  const all = (type: string) => Object.values(resources[type] ?? {});
  const str = (v: unknown) => String(resolve(v));
  // `value` since 6.12; `plaintext_value` in stacks written for older providers (the upgrade test's first apply).
  const secretValue = (r: Record<string, unknown>) => str(r.value ?? r.plaintext_value);

  const owner = json.provider?.github?.[0]?.owner;
  if (!owner) throw new Error("the GitHub provider has no owner");
  const repositories = new Set<string>();
  const repo = (r: Record<string, unknown>) => {
    repositories.add(str(r.repository));
    return r;
  };

  const variables = [
    ...all("github_actions_variable").map((r) => ({ name: str(repo(r).variable_name), value: str(r.value) })),
    ...all("github_actions_environment_variable").map((r) => ({ environment: str(repo(r).environment), name: str(r.variable_name), value: str(r.value) })),
  ];
  const secrets = [
    ...all("github_actions_secret").map((r) => ({ name: str(repo(r).secret_name), value: secretValue(r) })),
    ...all("github_actions_environment_secret").map((r) => ({
      environment: str(repo(r).environment),
      name: str(r.secret_name),
      value: secretValue(r),
    })),
  ];
  if (
    [...all("github_actions_secret"), ...all("github_actions_environment_secret")].some(
      (r) => r.encrypted_value !== undefined || r.value_encrypted !== undefined,
    )
  ) {
    throw new Error("pre-encrypted secrets (encrypted_value) cannot be checked against config");
  }
  const policies = all("github_repository_environment_deployment_policy").map((r) => ({
    environment: str(repo(r).environment),
    name: str(r.branch_pattern ?? r.tag_pattern),
    type: (r.branch_pattern !== undefined ? "branch" : "tag") as "branch" | "tag",
  }));
  const one = <T>(v: T | readonly T[] | undefined): T | undefined => (Array.isArray(v) ? v[0] : (v as T | undefined));
  const environments = all("github_repository_environment").map((r): ExpectedEnvironment => {
    const name = str(repo(r).environment);
    const reviewers = one(r.reviewers as { users?: number[]; teams?: number[] } | undefined);
    const dbp = one(r.deployment_branch_policy as { protected_branches: boolean; custom_branch_policies: boolean } | undefined);
    return {
      name,
      waitTimer: (resolve(r.wait_timer) as number | undefined) ?? DEFAULTS.waitTimer,
      preventSelfReview: (resolve(r.prevent_self_review) as boolean | undefined) ?? DEFAULTS.preventSelfReview,
      canAdminsBypass: (resolve(r.can_admins_bypass) as boolean | undefined) ?? DEFAULTS.canAdminsBypass,
      reviewers: { users: [...(reviewers?.users ?? [])].sort((a, b) => a - b), teams: [...(reviewers?.teams ?? [])].sort((a, b) => a - b) },
      deploymentBranchPolicy: dbp ? { protectedBranches: dbp.protected_branches, customBranchPolicies: dbp.custom_branch_policies } : null,
      deploymentBranchPolicies: policies
        .filter((p) => p.environment === name)
        .map(({ name: n, type }) => ({ name: n, type }))
        .sort((a, b) => `${a.type}:${a.name}`.localeCompare(`${b.type}:${b.name}`)),
    };
  });
  if (repositories.size > 1) throw new Error(`one GitHub stack, one repository; found ${[...repositories].join(", ")}`);
  return {
    repository: `${owner}/${[...repositories][0]}`,
    variables,
    secrets,
    environments,
  };
}

/** SSM parameter names the stack reads through the AWS provider (secret values). */
export const ssmParametersOf = (json: StackJson): string[] => Object.values(json.data?.aws_ssm_parameter ?? {}).map((d) => String(d.name));

export const resourceCount = (json: StackJson) => Object.values(json.resource ?? {}).reduce((n, byName) => n + Object.keys(byName).length, 0);

/** The GitHub world the environments expect: their repositories (with the configured ids) and the reviewers they name. */
export function standinFor(envs: readonly EnvironmentConfig[]): Promise<GithubStandin> {
  const repos = new Map<string, { owner: string; ownerId: number; name: string; id: number }>();
  envs.forEach((e, i) => {
    const [owner, name] = e.github.repository.split("/");
    if (!repos.has(e.github.repository))
      repos.set(e.github.repository, { owner, name, ownerId: e.github.ownerId ?? 1_000_101 + i, id: e.github.repositoryId ?? 2_000_202 + i });
  });
  const protections = envs.flatMap((e) => (e.github.deployFrom.kind === "environment" ? [e.github.deployFrom.protection] : []));
  return startGithubStandin({
    repositories: [...repos.values()],
    reviewers: { users: protections.flatMap((p) => p.reviewers.users), teams: protections.flatMap((p) => p.reviewers.teams) },
  });
}

const GITHUB_ADDRESSES = ["registry.opentofu.org/integrations/github", "registry.terraform.io/integrations/github"];
const AWS_ADDRESSES = ["registry.opentofu.org/hashicorp/aws", "registry.terraform.io/hashicorp/aws"];

/** `terraform-provider-github_v6.13.0` (optionally `_x5`) -> `6.13.0`, read as scripts/toolchain.sh reads it. */
export const githubProviderVersionOf = (bin: string) => /^terraform-provider-github_v(\d+\.\d+\.\d+)(?:_x\d+)?$/.exec(basename(bin))?.[1];

/** `version` meets a `~> X.Y.Z` constraint (same X.Y, patch at least Z). */
export function satisfiesPessimistic(version: string, constraint: string): boolean {
  const c = /^~>\s*(\d+)\.(\d+)\.(\d+)$/.exec(constraint);
  const v = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
  if (!c) throw new Error(`not a ~> X.Y.Z constraint: ${constraint}`);
  return Boolean(v && v[1] === c[1] && v[2] === c[2] && Number(v[3]) >= Number(c[3]));
}

/**
 * A provider mirror and CLI config of the test's own, in `work`: the given
 * integrations/github binaries, and the hashicorp/aws binaries of the
 * toolchain's mirrors linked by their real path. The toolchain's mirror is
 * rewritten by every run of scripts/toolchain.sh (other suites, other
 * sessions); this one stays as it was for the whole test. Without a mirror
 * in the toolchain's config hashicorp/aws comes from the registry.
 */
export function testProviderConfig(work: string, githubBinaries: readonly string[], toolchain: Pick<Toolchain, "cliConfigFile">): string {
  const mirror = join(work, "provider-mirror");
  const link = (address: string, version: string, bin: string) => {
    const dir = join(mirror, address, version, "linux_amd64");
    mkdirSync(dir, { recursive: true });
    if (!existsSync(join(dir, basename(bin)))) symlinkSync(bin, join(dir, basename(bin)));
  };
  for (const bin of githubBinaries) {
    const version = githubProviderVersionOf(bin);
    if (!version) throw new Error(`${bin} is not named terraform-provider-github_v<version>`);
    for (const address of GITHUB_ADDRESSES) link(address, version, realpathSync(bin));
  }
  const toolchainConfig = toolchain.cliConfigFile && existsSync(toolchain.cliConfigFile) ? readFileSync(toolchain.cliConfigFile, "utf8") : "";
  let haveAws = false;
  for (const [, path] of toolchainConfig.matchAll(/filesystem_mirror\s*\{[^}]*?path\s*=\s*"([^"]+)"/g)) {
    for (const address of AWS_ADDRESSES) {
      const versions = join(path, address);
      if (!existsSync(versions)) continue;
      for (const version of readdirSync(versions)) {
        const platform = join(versions, version, "linux_amd64");
        for (const file of existsSync(platform) ? readdirSync(platform) : []) {
          for (const a of AWS_ADDRESSES) link(a, version, realpathSync(join(platform, file)));
          haveAws = true;
        }
      }
    }
  }
  const list = (xs: readonly string[]) => xs.map((x) => JSON.stringify(x)).join(", ");
  const file = join(work, "providers.tfrc");
  writeFileSync(
    file,
    [
      "# Written by the GitHub end-to-end tests: integrations/github only from this mirror.",
      "provider_installation {",
      "  filesystem_mirror {",
      `    path    = ${JSON.stringify(mirror)}`,
      `    include = [${list(haveAws ? [...GITHUB_ADDRESSES, ...AWS_ADDRESSES] : GITHUB_ADDRESSES)}]`,
      "  }",
      "  direct {",
      `    exclude = [${list(haveAws ? ["*/*/*"] : GITHUB_ADDRESSES)}]`,
      "  }",
      "}",
      "",
    ].join("\n"),
  );
  return file;
}
