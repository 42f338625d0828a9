import { dev } from "./dev";
import { withKeyRotation, type KeyRotationFile } from "./key-rotation";
import keyRotation from "./key-rotation.json";
import { local } from "./local";
import { prod } from "./prod";
import { staging } from "./staging";
import type { EnvironmentInput } from "./schema";

export { loadEnvironments, ConfigError } from "./load";
export type { EnvironmentConfig, EnvironmentInput } from "./schema";

/**
 * Every environment the app synthesizes, with its key rotation state from
 * key-rotation.json. Adding one: a new file beside this one and a line here.
 */
export const ENVIRONMENTS: readonly EnvironmentInput[] = withKeyRotation([dev, staging, prod, local], keyRotation as KeyRotationFile);
