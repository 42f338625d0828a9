import { Token } from "cdktf";
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

  /**
   * Records a problem when `value` breaks `pattern`. A reference (a token,
   * known only at apply) is not checked: the construct that made it checked it.
   */
  matches(field: string, value: string, pattern: RegExp, rule: string): this {
    if (Token.isUnresolved(value)) return this;
    return this.check(pattern.test(value), `${field} ${shown(value)} must be ${rule}`);
  }

  /** Records a problem when `value` breaks AWS's rule for names of `kind`. */
  name(field: string, value: string, kind: keyof typeof NAME_RULES): this {
    const [pattern, rule] = NAME_RULES[kind];
    return this.matches(field, value, pattern, rule);
  }

  /** Records a problem unless `value` is a whole number within [min, max]. */
  integer(field: string, value: number, min: number, max: number): this {
    return this.check(Number.isSafeInteger(value) && value >= min && value <= max, `${field} ${shown(value)} must be a whole number from ${min} to ${max}`);
  }

  /** The account id and region most constructs take. */
  accountAndRegion(props: { readonly accountId: string; readonly region: string }): this {
    return this.matches("accountId", props.accountId, ACCOUNT_ID_PATTERN, "a 12-digit AWS account id").region(props.region);
  }

  region(region: string, field = "region"): this {
    return this.matches(field, region, REGION_PATTERN, "an AWS region name such as eu-west-1");
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
/** ECR's pattern for a registry scanning filter (API Reference, ScanningRepositoryFilter), at most 255 characters. */
export const ECR_SCAN_FILTER_PATTERN = /^(?=.{1,255}$)[a-z0-9*](?:[._\-/a-z0-9*]?[a-z0-9*]+)*$/;
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

/** Rules of the names constructs create, each with the words its error uses. */
export const NAME_RULES = {
  ecrRepository: [ECR_REPOSITORY_NAME_PATTERN, "2-256 lowercase letters and digits, components joined by . _ - and namespaces by /"],
  ecrScanFilter: [ECR_SCAN_FILTER_PATTERN, "a repository name wildcard of at most 255 characters matching ECR's ScanningRepositoryFilter pattern"],
  iam: [IAM_NAME_PATTERN, "1-64 letters, digits and +=,.@_-"],
  iamPath: [IAM_PATH_PATTERN, "'/' or '/segments/' of letters, digits and +=,.@_-"],
  s3Bucket: [S3_BUCKET_NAME_PATTERN, "an S3 bucket name: 3-63 lowercase letters, digits, '.' and '-', starting and ending alphanumeric"],
  logGroup: [LOG_GROUP_NAME_PATTERN, "1-512 letters, digits and _-/.#"],
  eventRule: [EVENT_RULE_NAME_PATTERN, "1-64 letters, digits and ._-"],
  kmsAlias: [KMS_ALIAS_PATTERN, "'alias/' then letters, digits and /_- (not under alias/aws/)"],
  ssmParameter: [SSM_PARAMETER_NAME_PATTERN, "a fully qualified SSM parameter name ('/a/b') of letters, digits and _.-/, not under /aws or /ssm"],
} as const satisfies Record<string, readonly [RegExp, string]>;

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
