import type { TerraformStack } from "cdktf";
import type { PlatformAwsProviderProps } from "../constructs/aws-provider";
import { configureRemoteState } from "../constructs/remote-state";
import { siblingStateKey } from "../environments/naming";
import type { EnvironmentConfig } from "../environments/schema";

/** The AWS provider of an environment's stacks: its account and region, its tags, the emulator when local. */
export function providerPropsOf(env: EnvironmentConfig): PlatformAwsProviderProps {
  return {
    accountId: env.accountId,
    region: env.region,
    emulated: env.emulatorEndpoint !== undefined,
    tags: { Application: env.app, Environment: env.name, ManagedBy: "cdktf", ...env.tags },
  };
}

/** The S3 backend of one of an environment's stacks: its own state object beside the environment's. */
export function environmentRemoteState(stack: TerraformStack, env: EnvironmentConfig, sibling?: "credentials" | "github"): void {
  configureRemoteState(stack, {
    bucket: env.state.bucket,
    key: sibling ? siblingStateKey(env, sibling) : env.state.key,
    region: env.state.region,
    lock: env.state.lock,
    emulatorEndpoint: env.emulatorEndpoint,
  });
}
