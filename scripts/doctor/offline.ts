import type { EnvironmentConfig } from "../../environments";
import { repositoryArn } from "../../environments/naming";
import { simulate, type Decision } from "../lib/simulator";
import type { Identity } from "./identities";
import { PULL_STEPS, PUSH_STEPS, type Step } from "./steps";

export interface StepVerdict {
  readonly flow: "push" | "pull";
  readonly step: Step;
  readonly resource: string;
  readonly decision: Decision;
  readonly decidedBy: string[];
}

/** Each step of a push and a pull, decided by the IAM simulator over the synthesized policies. */
export async function offlineCheck(env: EnvironmentConfig, identity: Identity, repository: string, repositoryPolicy?: unknown): Promise<StepVerdict[]> {
  const repoArn = repositoryArn(env, repository);
  const verdicts: StepVerdict[] = [];
  for (const [flow, steps] of [
    ["push", PUSH_STEPS],
    ["pull", PULL_STEPS],
  ] as const) {
    for (const step of steps) {
      const resource = step.on === "account" ? "*" : repoArn;
      const v = await simulate({
        principal: identity.arn,
        action: step.action,
        resource,
        resourceAccount: env.accountId,
        identityPolicies: identity.policies,
        resourcePolicy: step.on === "repository" ? repositoryPolicy : undefined,
      });
      verdicts.push({ flow, step, resource, decision: v.decision, decidedBy: v.decidedBy });
    }
  }
  return verdicts;
}
