import { summarize } from "../../scripts/ci/plan-summary";
import { loadEnvironments } from "../../environments";
import { ciStacks } from "../../scripts/ci/stacks";
import { FIXTURE_APP_ENVIRONMENTS } from "../helpers";

describe("plan summary for the PR comment", () => {
  it("counts creates, updates and deletes; a replacement counts as both and names what is destroyed", () => {
    const line = summarize("prod", {
      resource_changes: [
        { address: "aws_ecr_repository.a", change: { actions: ["create"] } },
        { address: "aws_iam_role_policy.b", change: { actions: ["update"] } },
        { address: "aws_kms_key.c", change: { actions: ["delete", "create"] } },
        { address: "aws_iam_user.d", change: { actions: ["no-op"] } },
      ],
    });
    expect(line).toBe("**prod**: 2 to add, 1 to change, 1 to destroy\n  - destroys: `aws_kms_key.c`");
  });

  it("reports an empty plan", () => {
    expect(summarize("dev", {})).toBe("**dev**: 0 to add, 0 to change, 0 to destroy");
  });
});

describe("the plan matrix", () => {
  it("lists the real environments with their plan roles, never the emulator target", () => {
    expect(ciStacks(loadEnvironments(FIXTURE_APP_ENVIRONMENTS)).map((s) => [s.environment, s.planRoleArn, s.githubEnvironment])).toEqual([
      ["dev", "arn:aws:iam::111111111111:role/shop-dev-github-plan", "dev"],
      ["staging", "arn:aws:iam::111111111111:role/shop-staging-github-plan", "staging"],
      ["prod", "arn:aws:iam::222222222222:role/shop-prod-github-plan", "prod"],
    ]);
  });
});
