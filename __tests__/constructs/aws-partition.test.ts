import {
  accountRootArn,
  dnsSuffixOf,
  ecrRegistryHost,
  ecrRepositoryArn,
  formatArn,
  iamResourceArn,
  logGroupArn,
  partitionOf,
  regionalServiceHost,
  s3BucketArn,
} from "../../constructs/aws-partition";

describe("AWS partition facts", () => {
  it.each([
    ["eu-west-1", "aws", "amazonaws.com", "ecr.eu-west-1.amazonaws.com"],
    ["cn-north-1", "aws-cn", "amazonaws.com.cn", "ecr.cn-north-1.amazonaws.com.cn"],
    ["us-gov-west-1", "aws-us-gov", "amazonaws.com", "ecr.us-gov-west-1.amazonaws.com"],
  ])("%s: partition %s, DNS suffix %s, ECR host %s", (region, partition, suffix, host) => {
    expect(partitionOf(region)).toBe(partition);
    expect(dnsSuffixOf(region)).toBe(suffix);
    expect(regionalServiceHost("ecr", region)).toBe(host);
    expect(s3BucketArn(region, "b")).toBe(`arn:${partition}:s3:::b`);
  });
});

describe("formatArn, the one ARN builder", () => {
  const account = "123456789012";
  it.each([
    // [what, built, expected]
    ["account root, commercial", accountRootArn("eu-west-1", account), "arn:aws:iam::123456789012:root"],
    ["account root, GovCloud", accountRootArn("us-gov-west-1", account), "arn:aws-us-gov:iam::123456789012:root"],
    ["IAM role, China (no region field)", iamResourceArn("cn-north-1", account, "role/deploy"), "arn:aws-cn:iam::123456789012:role/deploy"],
    ["S3 bucket (no region, no account)", s3BucketArn("cn-northwest-1", "state"), "arn:aws-cn:s3:::state"],
    ["log group", logGroupArn("us-gov-east-1", account, "/aws/x"), "arn:aws-us-gov:logs:us-gov-east-1:123456789012:log-group:/aws/x"],
    ["ECR repository", ecrRepositoryArn("cn-north-1", account, "shop/api"), "arn:aws-cn:ecr:cn-north-1:123456789012:repository/shop/api"],
    [
      "any regional service",
      formatArn({ region: "eu-west-1", service: "events", account, resource: "rule/r" }),
      "arn:aws:events:eu-west-1:123456789012:rule/r",
    ],
    [
      "STS (no region field)",
      formatArn({ region: "eu-west-1", service: "sts", account, resource: "assumed-role/r/s" }),
      "arn:aws:sts::123456789012:assumed-role/r/s",
    ],
  ])("%s", (_what, built, expected) => {
    expect(built).toBe(expected);
  });

  it.each([
    ["eu-west-1", "123456789012.dkr.ecr.eu-west-1.amazonaws.com"],
    ["cn-north-1", "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn"],
  ])("the registry host of %s is %s", (region, host) => {
    expect(ecrRegistryHost(region, account)).toBe(host);
  });
});
