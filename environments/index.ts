import { dev } from "./dev";
import { withKeyRotation } from "./key-rotation";
import keyRotation from "./key-rotation.json";
import { prod } from "./prod";
import { staging } from "./staging";
import type { EnvironmentInput } from "./schema";

export { loadEnvironments, ConfigError } from "./load";
import { emulatorEnvironment } from "./local";
export { EMULATOR_ENVIRONMENT_NAME, emulatorEnvironment } from "./local";
export type { EnvironmentConfig, EnvironmentInput } from "./schema";

/**
 * The user's environments, with their key rotation state from
 * key-rotation.json. Adding one: a new file beside this one and a line here.
 * (The main job's emulator environment is added by the app when asked: stacks/synthesize.ts.)
 */
export const ENVIRONMENTS: readonly EnvironmentInput[] = withKeyRotation([dev, staging, prod], keyRotation);

/**
 * The environments the app and the operator commands see: the user's, and the emulator's
 * `local` environment when PLATFORM_EMULATOR_ENDPOINT names a running emulator (the main job
 * and `source .local/sandbox.env` set it).
 */
export function appEnvironments(committed: readonly EnvironmentInput[] = ENVIRONMENTS, vars: NodeJS.ProcessEnv = process.env): EnvironmentInput[] {
  const endpoint = vars.PLATFORM_EMULATOR_ENDPOINT;
  return endpoint ? [...committed, emulatorEnvironment(endpoint)] : [...committed];
}
