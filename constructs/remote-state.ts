import { S3Backend, type TerraformStack } from "cdktf";
import type { EnvironmentConfig } from "../environments/schema";

/**
 * The environment's S3 backend: its own key, encryption on, and locking.
 * cdktf 0.21's S3Backend has no `useLockfile`, so native S3 locking is set
 * with an override (Terraform >= 1.10 / OpenTofu >= 1.10).
 */
export function configureRemoteState(stack: TerraformStack, env: EnvironmentConfig): S3Backend {
  const lock = env.state.lock;
  const emulator = env.emulatorEndpoint;
  const backend = new S3Backend(stack, {
    bucket: env.state.bucket,
    key: env.state.key,
    region: env.state.region,
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
