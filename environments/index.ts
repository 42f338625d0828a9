import { APP } from "./app";
import { environmentInputs } from "./app-config";
import { withKeyRotation } from "./key-rotation";
import keyRotation from "./key-rotation.json";
import { emulatorEnvironment } from "./local";
import type { EnvironmentInput } from "./schema";

export { loadEnvironments, ConfigError } from "./load";
export { EMULATOR_ENVIRONMENT_NAME, emulatorEnvironment } from "./local";
export { APP } from "./app";
export type { AppConfig, AppEnvironment } from "./app-config";
export type { EnvironmentConfig, EnvironmentInput } from "./schema";

/**
 * The user's environments, as environments/app.ts states them, with their key
 * rotation state from key-rotation.json. (The main job's emulator environment is
 * added by the app when asked: appEnvironments below.)
 */
export const ENVIRONMENTS: readonly EnvironmentInput[] = withKeyRotation(environmentInputs(APP), keyRotation);

/**
 * The environments the app and the operator commands see: the user's, and the emulator's
 * `local` environment when PLATFORM_EMULATOR_ENDPOINT names a running emulator (the main job
 * and `source .local/sandbox.env` set it).
 */
export function appEnvironments(committed: readonly EnvironmentInput[] = ENVIRONMENTS, vars: NodeJS.ProcessEnv = process.env): EnvironmentInput[] {
  const endpoint = vars.PLATFORM_EMULATOR_ENDPOINT;
  return endpoint ? [...committed, emulatorEnvironment(endpoint)] : [...committed];
}
