import { dnsSuffixOf, partitionOf, regionalServiceHost, s3BucketArn } from "../../constructs/aws-partition";

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
