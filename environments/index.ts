import { dev } from "./dev";
import { local } from "./local";
import { prod } from "./prod";
import { staging } from "./staging";
import type { EnvironmentInput } from "./schema";

export { loadEnvironments, ConfigError } from "./load";
export type { EnvironmentConfig, EnvironmentInput } from "./schema";

/** Every environment the app synthesizes. Adding one: a new file beside this one and a line here. */
export const ENVIRONMENTS: readonly EnvironmentInput[] = [dev, staging, prod, local];
