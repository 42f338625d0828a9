/**
 * Partition and DNS facts of AWS regions, and the one ARN builder: ARNs and
 * endpoints never hard-code `arn:aws` or `amazonaws.com`, so the same code
 * serves the commercial, China and GovCloud partitions.
 */

export type Partition = "aws" | "aws-cn" | "aws-us-gov";

/** The ARN partition of a region. */
export function partitionOf(region: string): Partition {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

/** DNS suffix of a region's service endpoints (ECR registry host names). */
export function dnsSuffixOf(region: string): string {
  return region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
}

/** A regional service endpoint name (`ecr.eu-west-1.amazonaws.com`, `.amazonaws.com.cn` in China), as kms:ViaService and regional service principals spell it. */
export function regionalServiceHost(service: string, region: string): string {
  return `${service}.${region}.${dnsSuffixOf(region)}`;
}

/** Services whose ARNs carry no region (IAM, STS) or neither region nor account (S3 buckets). */
const REGIONLESS_SERVICES: ReadonlySet<string> = new Set(["iam", "sts", "s3"]);
const ACCOUNTLESS_SERVICES: ReadonlySet<string> = new Set(["s3"]);

export interface ArnComponents {
  /** The region the resource lives in, or for a global service any region of its partition: it decides the partition. */
  readonly region: string;
  /** Service namespace (`iam`, `ecr`, `logs`, ...). */
  readonly service: string;
  /** Owning account id. Ignored for S3, whose bucket ARNs carry none. */
  readonly account: string;
  /** Everything after the account field (`role/deploy`, `repository/shop-api`, `log-group:/aws/x`). */
  readonly resource: string;
}

/**
 * The one place ARNs are built: `arn:<partition>:<service>:<region>:<account>:<resource>`,
 * with the region left empty for IAM, STS and S3 and the account left empty for S3, as AWS spells them.
 */
export function formatArn(c: ArnComponents): string {
  const region = REGIONLESS_SERVICES.has(c.service) ? "" : c.region;
  const account = ACCOUNTLESS_SERVICES.has(c.service) ? "" : c.account;
  return `arn:${partitionOf(c.region)}:${c.service}:${region}:${account}:${c.resource}`;
}

/** `arn:<partition>:iam::<account>:<resource>` (`role/x`, `user/x`, `root`, `oidc-provider/host`). */
export const iamResourceArn = (region: string, account: string, resource: string) => formatArn({ region, service: "iam", account, resource });

/** The account itself as a principal: policies that delegate to the account's IAM. */
export const accountRootArn = (region: string, account: string) => iamResourceArn(region, account, "root");

/** ARN of an S3 bucket (global name, partition from the region). */
export const s3BucketArn = (region: string, bucket: string) => formatArn({ region, service: "s3", account: "", resource: bucket });

/** ARN of a CloudWatch Logs group, as KMS encryption contexts and resource policies name it. */
export const logGroupArn = (region: string, account: string, logGroupName: string) =>
  formatArn({ region, service: "logs", account, resource: `log-group:${logGroupName}` });

/** ARN of an ECR repository. */
export const ecrRepositoryArn = (region: string, account: string, repositoryName: string) =>
  formatArn({ region, service: "ecr", account, resource: `repository/${repositoryName}` });

/** An account's private registry host (`docker login` target; the repository URL is `<host>/<name>`). */
export const ecrRegistryHost = (region: string, account: string) => `${account}.dkr.ecr.${region}.${dnsSuffixOf(region)}`;
