import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import type { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { Construct } from "constructs";
import { privateBucketBasics } from "./private-bucket";
import { s3BucketArn } from "./aws-partition";
import { PropErrors } from "./validation";

export interface AccessLogBucketProps {
  /** Name of the log bucket (S3's rules: 3-63 lowercase letters, digits, `.` and `-`). */
  readonly bucketName: string;
  /** Region of the bucket (the provider's): the ARN partition derives from it. */
  readonly region: string;
  /** Account of the source buckets: S3's logging service may write only on their behalf. */
  readonly accountId: string;
  /** Buckets whose server access logs land here (S3's logging service may write only for them); at least one. */
  readonly sourceBucketNames: readonly string[];
  /** Days a log object is kept. @default 365 */
  readonly retentionDays?: number;
  /** Refuse `destroy` while the bucket exists (Terraform lifecycle prevent_destroy). @default true */
  readonly preventDestroy?: boolean;
}

/**
 * Where state buckets write their server access logs: who read or wrote which
 * state, kept a year. S3 delivers these logs only to buckets encrypted with
 * SSE-S3 and authorizes the delivery by bucket policy (the logging service
 * principal, for these source buckets of this account only).
 */
export class AccessLogBucket extends Construct {
  /** The provider resource. */
  readonly bucket: S3Bucket;
  /** The bucket policy as stored (TLS only, log delivery for the source buckets). */
  readonly bucketPolicyJson: string;
  /** The policy that admits S3's logging service: a source bucket's logging must wait for it. */
  readonly deliveryPolicy: S3BucketPolicy;

  constructor(scope: Construct, id: string, props: AccessLogBucketProps) {
    super(scope, id);
    const errors = new PropErrors(`AccessLogBucket '${this.node.path}'`).name("bucketName", props.bucketName, "s3Bucket").accountAndRegion(props);
    errors.check(props.sourceBucketNames.length > 0, "sourceBucketNames: an access log bucket needs at least one source bucket");
    props.sourceBucketNames.forEach((b, i) => errors.name(`sourceBucketNames[${i}]`, b, "s3Bucket"));
    if (props.retentionDays !== undefined) errors.integer("retentionDays", props.retentionDays, 1, 36_500);
    errors.throwIfAny();
    this.bucket = new S3Bucket(this, "bucket", { bucket: props.bucketName, lifecycle: { preventDestroy: props.preventDestroy ?? true } });
    new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      bucket: this.bucket.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
    });
    const days = props.retentionDays ?? 365;
    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      bucket: this.bucket.id,
      rule: [
        {
          id: "expire-access-logs",
          status: "Enabled",
          filter: [{}],
          expiration: [{ days }],
          noncurrentVersionExpiration: [{ noncurrentDays: 30 }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
      ],
    });
    const arn = s3BucketArn(props.region, props.bucketName);
    const { policy, policyJson } = privateBucketBasics(this, this.bucket, {
      bucketName: props.bucketName,
      region: props.region,
      policyId: "policy",
      statements: [
        {
          sid: "S3ServerAccessLogsOfTheStateBuckets",
          principal: { Service: ["logging.s3.amazonaws.com"] },
          actions: ["s3:PutObject"],
          resources: [`${arn}/*`],
          conditions: {
            ArnLike: { "aws:SourceArn": props.sourceBucketNames.map((b) => s3BucketArn(props.region, b)) },
            StringEquals: { "aws:SourceAccount": props.accountId },
          },
        },
      ],
    });
    this.deliveryPolicy = policy;
    this.bucketPolicyJson = policyJson;
  }
}
