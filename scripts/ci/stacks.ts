/**
 * What the workflows need per environment, from config (never from a live
 * account): `node dist/scripts/ci/stacks.js` prints a JSON array used as the
 * plan matrix. The workflow/trust agreement test reads the same function.
 */
import { ENVIRONMENTS, loadEnvironments, type EnvironmentConfig } from "../../environments";
import { deployRoleArn, planRoleArn } from "../../environments/naming";

export interface CiStack {
  readonly environment: string;
  readonly stack: string;
  readonly region: string;
  readonly planRoleArn: string;
  readonly deployRoleArn: string;
  /** GitHub environment of the deploy job, when deploys come from one. */
  readonly githubEnvironment: string | null;
}

/** Environments a pull request plans: real accounts only (not the emulator target), plan role present. */
export function ciStacks(envs: readonly EnvironmentConfig[] = loadEnvironments(ENVIRONMENTS)): CiStack[] {
  return envs
    .filter((e) => !e.emulatorEndpoint && e.github.planOnPullRequests)
    .map((e) => ({
      environment: e.name,
      stack: e.name,
      region: e.region,
      planRoleArn: planRoleArn(e),
      deployRoleArn: deployRoleArn(e),
      githubEnvironment: e.github.deployFrom.kind === "environment" ? e.github.deployFrom.name : null,
    }));
}

if (require.main === module) process.stdout.write(`${JSON.stringify(ciStacks())}\n`);
