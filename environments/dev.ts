import { ENVIRONMENTS } from ".";

/**
 * The first environment of environments/app.ts, for the checkov scan's
 * "a new environment made like an existing one" (scripts/security/checkov-scan.ts).
 */
export const dev = ENVIRONMENTS[0];
