import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import type { Construct } from "constructs";
import { PropErrors } from "./validation";

export interface PlatformAwsProviderProps {
  /** The only account this provider may act in (allowed_account_ids): credentials of another account fail the plan. */
  readonly accountId: string;
  /** Region of every resource the provider manages. */
  readonly region: string;
  /**
   * The provider talks to a loopback emulator: S3 path-style requests, no credential validation,
   * no instance metadata. The emulator's URL reaches the provider through the engine's environment,
   * AWS_ENDPOINT_URL, not through an `endpoints` block (see platformAwsProvider).
   * @default false (real AWS)
   */
  readonly emulated?: boolean;
  /** Tags on every resource. @default {} */
  readonly tags?: Record<string, string>;
}

/**
 * The AWS provider pinned to the configured account (allowed_account_ids
 * stops a plan against the wrong credentials), or set up for an emulator.
 *
 * For an emulator the endpoint comes from AWS_ENDPOINT_URL (the SDKs' own setting, which the main
 * job gives its engine and the sandbox's env file exports), never from an `endpoints` block:
 * hashicorp/aws 5.100 validates that block's ~300 attributes for about 2 CPU-seconds in every
 * provider process, and an engine command starts two to four (a plan of a config with one data
 * source: 8.8 CPU-s with the block, 3.4 without). Without AWS_ENDPOINT_URL the provider reaches
 * real AWS, where allowed_account_ids (the emulator's account) fails the plan, whatever
 * credentials it finds.
 */
export function platformAwsProvider(scope: Construct, id: string, props: PlatformAwsProviderProps): AwsProvider {
  new PropErrors(`platformAwsProvider '${id}'`).accountAndRegion(props).throwIfAny();
  return new AwsProvider(scope, id, {
    region: props.region,
    allowedAccountIds: [props.accountId],
    defaultTags: props.tags && Object.keys(props.tags).length > 0 ? [{ tags: props.tags }] : undefined,
    ...(props.emulated
      ? {
          s3UsePathStyle: true,
          skipCredentialsValidation: true,
          skipMetadataApiCheck: "true",
          skipRequestingAccountId: false,
        }
      : {}),
  });
}
