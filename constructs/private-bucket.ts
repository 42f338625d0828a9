import type { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketNotification } from "@cdktf/provider-aws/lib/s3-bucket-notification";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import type { Construct } from "constructs";
import { s3BucketArn } from "./aws-partition";
import { renderPolicy, type PolicyStatement } from "./policy-document";

/**
 * What every bucket of the platform has: versioning, no public access,
 * owner-enforced ACLs, events to EventBridge, and a bucket policy that denies
 * plain HTTP, plus the statements the caller adds. Created in `scope` under
 * fixed ids, so the buckets' logical ids do not depend on who calls this.
 */
export function privateBucketBasics(
  scope: Construct,
  bucket: S3Bucket,
  props: { readonly bucketName: string; readonly region: string; readonly policyId: string; readonly statements?: readonly PolicyStatement[] },
): { readonly policy: S3BucketPolicy; readonly policyJson: string } {
  new S3BucketVersioningA(scope, "versioning", { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } });
  new S3BucketNotification(scope, "events", { bucket: bucket.id, eventbridge: true });
  const publicAccessBlock = new S3BucketPublicAccessBlock(scope, "public-access-block", {
    bucket: bucket.id,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  });
  new S3BucketOwnershipControls(scope, "ownership", { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } });
  const arn = s3BucketArn(props.region, props.bucketName);
  const policyJson = renderPolicy(
    {
      statements: [
        {
          sid: "DenyInsecureTransport",
          effect: "Deny",
          principal: "*",
          actions: ["s3:*"],
          resources: [arn, `${arn}/*`],
          conditions: { Bool: { "aws:SecureTransport": "false" } },
        },
        ...(props.statements ?? []),
      ],
    },
    "resource",
  );
  // The public access block first: a policy put before it could be judged public and refused.
  const policy = new S3BucketPolicy(scope, props.policyId, { bucket: bucket.id, policy: policyJson, dependsOn: [publicAccessBlock] });
  return { policy, policyJson };
}
