import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import type { Construct } from "constructs";
import { PropErrors } from "./validation";

/** Services the platform's resources and backend call; an emulator must answer all of them. */
const EMULATED_SERVICES = ["ecr", "iam", "ssm", "kms", "s3", "sts", "logs", "events", "dynamodb"] as const;

export interface PlatformAwsProviderProps {
  /** The only account this provider may act in (allowed_account_ids): credentials of another account fail the plan. */
  readonly accountId: string;
  /** Region of every resource the provider manages. */
  readonly region: string;
  /** Loopback emulator URL. @default undefined (real AWS) */
  readonly emulatorEndpoint?: string;
  /** Tags on every resource. @default {} */
  readonly tags?: Record<string, string>;
}

/**
 * The AWS provider pinned to the configured account (allowed_account_ids
 * stops a plan against the wrong credentials), or pointed at an emulator.
 */
export function platformAwsProvider(scope: Construct, id: string, props: PlatformAwsProviderProps): AwsProvider {
  new PropErrors(`platformAwsProvider '${id}'`).accountAndRegion(props).throwIfAny();
  const emulator = props.emulatorEndpoint;
  return new AwsProvider(scope, id, {
    region: props.region,
    allowedAccountIds: [props.accountId],
    defaultTags: props.tags && Object.keys(props.tags).length > 0 ? [{ tags: props.tags }] : undefined,
    ...(emulator
      ? {
          endpoints: [Object.fromEntries(EMULATED_SERVICES.map((s) => [s, emulator]))],
          s3UsePathStyle: true,
          skipCredentialsValidation: true,
          skipMetadataApiCheck: "true",
          skipRequestingAccountId: false,
        }
      : {}),
  });
}
