import {
  ECR_AUTH_ACTIONS,
  ECR_DESCRIBE_ACTIONS,
  ECR_PULL_ACTIONS,
  ECR_PUSH_ACTIONS,
  ecrGrantStatements,
  ecrPullPushStatements,
  ecrPullStatements,
  ecrPushStatements,
} from "../../constructs/ecr-actions";
import { renderPolicy } from "../../constructs/policy-document";

const REPO = "arn:aws:ecr:eu-west-1:123456789012:repository/shop-api-qa";

describe("ECR grant statements", () => {
  it.each([
    ["pull", ecrPullStatements, "EcrPull", [...ECR_PULL_ACTIONS]],
    ["push", ecrPushStatements, "EcrPush", [...ECR_PUSH_ACTIONS]],
    ["pull and push", ecrPullPushStatements, "EcrPullPush", [...new Set([...ECR_PULL_ACTIONS, ...ECR_PUSH_ACTIONS])]],
  ])("%s: the named actions on the repositories, and the login token on * by itself", (_what, grant, sid, actions) => {
    // GIVEN / WHEN
    const [login, onRepos] = grant([REPO]);
    // THEN
    expect(login).toEqual({ sid: "EcrLogin", actions: [...ECR_AUTH_ACTIONS], resources: ["*"] });
    expect(onRepos.sid).toBe(sid);
    expect([...onRepos.actions].sort()).toEqual([...actions].sort());
    expect(onRepos.resources).toEqual([REPO]);
  });

  it("never puts a repository action on *", () => {
    const statements = ecrGrantStatements([REPO], ["pull", "push", "describe"]);
    const onStar = statements.filter((s) => s.resources?.includes("*")).flatMap((s) => s.actions);
    expect(onStar).toEqual(["ecr:GetAuthorizationToken"]);
    expect(statements[1].actions).toEqual(expect.arrayContaining([...ECR_DESCRIBE_ACTIONS]));
  });

  it("takes the caller's Sids, and the result renders as an identity policy", () => {
    const statements = ecrGrantStatements([REPO], ["pull"], { sid: "PullOwn", loginSid: "Login" });
    expect(statements.map((s) => s.sid)).toEqual(["Login", "PullOwn"]);
    expect(JSON.parse(renderPolicy({ statements }, "identity")).Statement).toHaveLength(2);
  });

  it.each([
    [[], ["pull"], /at least one repository ARN/],
    [[REPO], [], /at least one kind of access/],
    [["arn:aws:s3:::bucket"], ["pull"], /"arn:aws:s3:::bucket" is not an ECR repository ARN/],
    [["*"], ["push"], /"\*" is not an ECR repository ARN/],
  ] as const)("refuses %j with %j", (arns, access, message) => {
    expect(() => ecrGrantStatements(arns, access)).toThrow(message);
  });
});
