import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLoggingA } from "@cdktf/provider-aws/lib/s3-bucket-logging";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { privateBucketBasics } from "./private-bucket";
import { PropErrors } from "./validation";

export interface StateBucketProps {
  /** Name of the state bucket (S3's rules: 3-63 lowercase letters, digits, `.` and `-`). */
  readonly bucketName: string;
  /** Region of the bucket: the ARN partition derives from it. */
  readonly region: string;
  /**
   * Refuse `destroy` while the bucket exists (Terraform lifecycle
   * prevent_destroy). Only emulator runs turn it off. @default true
   */
  readonly preventDestroy?: boolean;
  /** Days a superseded state version is kept for recovery. @default 90 */
  readonly noncurrentVersionDays?: number;
  /**
   * Where this bucket's server access logs go (prefix `<bucket>/`), and what must exist
   * first: S3 refuses a logging target whose policy does not yet admit its logging service.
   * @default undefined (no access logging)
   */
  readonly accessLogs?: { readonly bucketName: string; readonly after: readonly ITerraformDependable[] };
}

/**
 * The remote-state bucket (cloudposse/tfstate-backend's checklist):
 * versioning for recovery (old versions expire after 90 days), SSE-KMS with
 * the account's aws/s3 key and a bucket key (its key policy admits callers of
 * this account through S3, so no identity needs extra KMS grants), no public
 * access, owner-enforced ACLs, TLS-only access, events to EventBridge and
 * server access logs (when given a log bucket) for audit, and protection from destroy.
 */
export class StateBucket extends Construct {
  /** The provider resource. */
  readonly bucket: S3Bucket;
  /** The bucket policy as stored (TLS only). */
  readonly bucketPolicyJson: string;

  constructor(scope: Construct, id: string, props: StateBucketProps) {
    super(scope, id);
    const errors = new PropErrors(`StateBucket '${this.node.path}'`).name("bucketName", props.bucketName, "s3Bucket").region(props.region);
    if (props.noncurrentVersionDays !== undefined) errors.integer("noncurrentVersionDays", props.noncurrentVersionDays, 1, 36_500);
    if (props.accessLogs) errors.name("accessLogs.bucketName", props.accessLogs.bucketName, "s3Bucket");
    errors.throwIfAny();
    this.bucket = new S3Bucket(this, "bucket", {
      bucket: props.bucketName,
      lifecycle: { preventDestroy: props.preventDestroy ?? true },
    });
    new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      bucket: this.bucket.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" }, bucketKeyEnabled: true }],
    });
    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      bucket: this.bucket.id,
      rule: [
        {
          id: "expire-old-state-versions",
          status: "Enabled",
          filter: [{}],
          noncurrentVersionExpiration: [{ noncurrentDays: props.noncurrentVersionDays ?? 90 }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
      ],
    });
    if (props.accessLogs) {
      new S3BucketLoggingA(this, "access-logs", {
        bucket: this.bucket.id,
        targetBucket: props.accessLogs.bucketName,
        targetPrefix: `${props.bucketName}/`,
        dependsOn: [...props.accessLogs.after],
      });
    }
    this.bucketPolicyJson = privateBucketBasics(this, this.bucket, { bucketName: props.bucketName, region: props.region, policyId: "tls-only" }).policyJson;
  }
}
