/** Partition and DNS facts of AWS regions: ARNs and endpoints never hard-code `arn:aws` or `amazonaws.com`. */

/** The ARN partition of a region: policies never hard-code `arn:aws`. */
export function partitionOf(region: string): "aws" | "aws-cn" | "aws-us-gov" {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

/** DNS suffix of a region's service endpoints (ECR registry host names). */
export function dnsSuffixOf(region: string): string {
  return region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
}

/** ARN of an S3 bucket (global name, partition from the region). */
export function s3BucketArn(region: string, bucket: string): string {
  return `arn:${partitionOf(region)}:s3:::${bucket}`;
}

/** A regional service endpoint name (`ecr.eu-west-1.amazonaws.com`, `.amazonaws.com.cn` in China), as kms:ViaService and regional service principals spell it. */
export function regionalServiceHost(service: string, region: string): string {
  return `${service}.${region}.${dnsSuffixOf(region)}`;
}
