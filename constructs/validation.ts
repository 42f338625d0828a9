import { partitionOf } from "./aws-partition";

/**
 * Validation at construction: a construct checks every prop it was given,
 * collects all problems (so one synth shows them all, not the first) and
 * throws once, naming the construct and each offending value.
 */
export class PropErrors {
  private readonly problems: string[] = [];

  constructor(private readonly what: string) {}

  /** Records `message` when `ok` is false. */
  check(ok: boolean, message: string): this {
    if (!ok) this.problems.push(message);
    return this;
  }

  /** Runs a check that reports by throwing (a renderer's own rules) and records its message. */
  attempt<T>(fn: () => T): T | undefined {
    try {
      return fn();
    } catch (e) {
      this.problems.push(e instanceof Error ? e.message : String(e));
      return undefined;
    }
  }

  /** Throws one error listing every problem, if there is any. */
  throwIfAny(): void {
    if (this.problems.length === 0) return;
    throw new Error(`${this.what}: ${this.problems.length} invalid prop${this.problems.length === 1 ? "" : "s"}:\n- ${this.problems.join("\n- ")}`);
  }
}

/** How values are quoted in messages: JSON escaping, so control characters and quotes show as what they are. */
export const shown = (value: unknown): string => JSON.stringify(value) ?? String(value);

export const ACCOUNT_ID_PATTERN = /^\d{12}$/;
/** What AWS accepts as a region name (`eu-west-1`, `us-gov-east-1`, `cn-north-1`). */
export const REGION_PATTERN = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;

/** ECR: 2-256 characters, lowercase components separated by `.`, `_` or `-`, namespaces by `/`. */
export const ECR_REPOSITORY_NAME_PATTERN = /^(?=.{2,256}$)(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
/** IAM users, groups and roles: 1-64 of letters, digits and `+=,.@_-`. */
export const IAM_NAME_PATTERN = /^[\w+=,.@-]{1,64}$/;
/** An IAM path: `/` or `/segments/` of the same characters, at most 512. */
export const IAM_PATH_PATTERN = /^(?=.{1,512}$)\/(?:[\w+=,.@-]+\/)*$/;
/** S3 bucket names (general purpose): 3-63 of lowercase letters, digits, `.` and `-`, starting and ending alphanumeric. */
export const S3_BUCKET_NAME_PATTERN = /^(?!\d+\.\d+\.\d+\.\d+$)(?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** CloudWatch Logs group names: 1-512 of letters, digits and `_-/.#`. */
export const LOG_GROUP_NAME_PATTERN = /^[\w\-/.#]{1,512}$/;
/** EventBridge rule names: 1-64 of letters, digits and `.-_`. */
export const EVENT_RULE_NAME_PATTERN = /^[\w.-]{1,64}$/;
/** KMS alias names: `alias/` then 1-250 of letters, digits and `/_-`; `alias/aws/` is reserved for AWS managed keys. */
export const KMS_ALIAS_PATTERN = /^alias\/(?!aws\/)[\w/-]{1,250}$/;
/** SSM parameter names: fully qualified, 1-1011 of letters, digits and `_.-/`, not under `/aws` or `/ssm`. */
export const SSM_PARAMETER_NAME_PATTERN = /^(?=.{1,1011}$)(?!\/(?:aws|ssm)(?:\/|$))\/[\w./-]+$/i;

/**
 * A principal as an account id or an IAM ARN of the region's partition
 * (`root`, a role or a user). A principal of another partition cannot be
 * granted anything here, so it is a mistake, not a choice.
 */
export function principalProblem(principal: string, region: string): string | undefined {
  if (ACCOUNT_ID_PATTERN.test(principal)) return undefined;
  const partition = partitionOf(region);
  const arn = new RegExp(`^arn:${partition}:iam::\\d{12}:(?:root|(?:role|user)(?:/[\\w+=,.@-]+)*/[\\w+=,.@-]{1,64})$`);
  if (arn.test(principal)) return undefined;
  return `principal ${shown(principal)} must be a 12-digit account id or an IAM root, role or user ARN of partition '${partition}' (region ${region})`;
}
