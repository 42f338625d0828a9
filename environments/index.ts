import { dev } from "./dev";
import { withKeyRotation } from "./key-rotation";
import keyRotation from "./key-rotation.json";
import { prod } from "./prod";
import { staging } from "./staging";
import type { EnvironmentInput } from "./schema";

export { loadEnvironments, ConfigError } from "./load";
export { EMULATOR_ENVIRONMENT_NAME, emulatorEnvironment } from "./local";
export type { EnvironmentConfig, EnvironmentInput } from "./schema";

/**
 * The user's environments, with their key rotation state from
 * key-rotation.json. Adding one: a new file beside this one and a line here.
 * (The main job's emulator environment is added by the app when asked: stacks/synthesize.ts.)
 */
export const ENVIRONMENTS: readonly EnvironmentInput[] = withKeyRotation([dev, staging, prod], keyRotation);
