import { Testing } from "cdktf";
import { IamAccessKey } from "@cdktf/provider-aws/lib/iam-access-key";
import { IamUserPolicy } from "@cdktf/provider-aws/lib/iam-user-policy";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { AccessKeyUser } from "../../constructs/access-key-user";

describe("AccessKeyUser", () => {
  let user!: AccessKeyUser;
  const out = Testing.synthScope((scope) => {
    user = new AccessKeyUser(scope, "u", {
      userName: "shop-qa-ecr-user",
      policy: { statements: [{ sid: "EcrLogin", actions: ["ecr:GetAuthorizationToken"], resources: ["*"] }] },
      accessKeyIdParameter: "/shop/qa/ecr-aws-access-key-id",
      secretAccessKeyParameter: "/shop/qa/ecr-aws-secret-access-key",
    });
  });

  it("gives the user exactly the rendered policy and one access key", () => {
    expect(out).toHaveResourceWithProperties(IamUserPolicy, { name: "shop-qa-ecr-user-least-privilege", policy: user.policyJson });
    expect(out).toHaveResource(IamAccessKey);
  });

  it("stores both halves of the key as SecureString, adopting a parameter left by an interrupted apply", () => {
    expect(out).toHaveResourceWithProperties(SsmParameter, { name: "/shop/qa/ecr-aws-access-key-id", type: "SecureString", overwrite: true });
    expect(out).toHaveResourceWithProperties(SsmParameter, { name: "/shop/qa/ecr-aws-secret-access-key", type: "SecureString", overwrite: true });
  });

  it("refuses a policy that names no resources", () => {
    expect(() =>
      Testing.synthScope((scope) => {
        new AccessKeyUser(scope, "bad", { userName: "x", policy: { statements: [{ sid: "A", actions: ["s3:GetObject"] }] }, accessKeyIdParameter: "/a", secretAccessKeyParameter: "/b" });
      }),
    ).toThrow(/statement A needs resources/);
  });
});
