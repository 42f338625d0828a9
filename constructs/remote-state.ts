import { S3Backend, type TerraformStack } from "cdktf";
import { PropErrors } from "./validation";

export interface RemoteStateProps {
  /** The state bucket (created by the bootstrap stack). */
  readonly bucket: string;
  /** Object key of this stack's state (no leading `/`). */
  readonly key: string;
  /** Region of the state bucket. */
  readonly region: string;
  /** `lockfile`: S3 native locking (a `<key>.tflock` object), or a DynamoDB table. */
  readonly lock: "lockfile" | { readonly dynamodbTable: string };
  /** Loopback emulator URL. @default undefined (real AWS) */
  readonly emulatorEndpoint?: string;
}

/**
 * A stack's S3 backend: its own key, encryption on, and locking.
 * cdktf 0.21's S3Backend has no `useLockfile`, so native S3 locking is set
 * with an override (Terraform >= 1.10 / OpenTofu >= 1.10).
 */
export function configureRemoteState(stack: TerraformStack, props: RemoteStateProps): S3Backend {
  const { lock, emulatorEndpoint: emulator } = props;
  new PropErrors(`configureRemoteState '${stack.node.path}'`)
    .name("bucket", props.bucket, "s3Bucket")
    .matches("key", props.key, /^(?!\/)\S{1,1024}$/, "an S3 object key of 1-1024 characters without spaces or a leading /")
    .region(props.region)
    .throwIfAny();
  const backend = new S3Backend(stack, {
    bucket: props.bucket,
    key: props.key,
    region: props.region,
    encrypt: true,
    ...(lock === "lockfile" ? {} : { dynamodbTable: lock.dynamodbTable }),
    ...(emulator
      ? {
          endpoints: { s3: emulator, iam: emulator, sts: emulator, dynamodb: emulator },
          usePathStyle: true,
          skipCredentialsValidation: true,
          skipRequestingAccountId: true,
          skipMetadataApiCheck: true,
          skipRegionValidation: true,
        }
      : {}),
  });
  if (lock === "lockfile") backend.addOverride("use_lockfile", true);
  return backend;
}
