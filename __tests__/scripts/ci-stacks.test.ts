import { ENVIRONMENTS, loadEnvironments } from "../../environments";
import { credentialsStackName, githubStackName } from "../../environments/naming";
import { ciStacks } from "../../scripts/ci/stacks";
import { synthesizePlatform } from "../../stacks/synthesize";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

describe("the pull-request plan matrix", () => {
  const envs = loadEnvironments(ENVIRONMENTS);
  const matrix = ciStacks(envs);

  it("plans each real environment's own stack, never the emulator target", () => {
    expect(matrix.map((s) => s.stack)).toEqual(envs.filter((e) => !e.emulatorEndpoint).map((e) => e.name));
  });

  it("never plans a stack whose state holds secrets (credentials, GitHub)", () => {
    const secretBearing = envs.flatMap((e) => [credentialsStackName(e), githubStackName(e)]);
    expect(matrix.filter((s) => secretBearing.includes(s.stack))).toEqual([]);
  });

  it("plans stacks that hold no secret: no access key, no parameter, no sensitive output", () => {
    const dir = mkdtempSync(join(tmpdir(), "ci-stacks-"));
    try {
      synthesizePlatform({ outdir: join(dir, "out"), environments: ENVIRONMENTS });
      for (const { stack } of matrix) {
        const json = JSON.parse(readFileSync(join(dir, "out", "stacks", stack, "cdk.tf.json"), "utf8"));
        expect([
          stack,
          Object.keys(json.resource).filter((t) =>
            ["aws_iam_access_key", "aws_ssm_parameter", "github_actions_secret", "github_actions_environment_secret"].includes(t),
          ),
        ]).toEqual([stack, []]);
        expect([
          stack,
          Object.entries<{ sensitive?: boolean }>(json.output ?? {})
            .filter(([, o]) => o.sensitive)
            .map(([k]) => k),
        ]).toEqual([stack, []]);
        // The one data source: the listing of a sibling stack's state name (its order check), never a content.
        expect([stack, Object.keys(json.data ?? {}).filter((t) => t !== "aws_s3_objects")]).toEqual([stack, []]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
