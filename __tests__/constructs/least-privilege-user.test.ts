import { Testing } from "cdktf";
import { IamAccessKey } from "@cdktf/provider-aws/lib/iam-access-key";
import { IamUser } from "@cdktf/provider-aws/lib/iam-user";
import { IamUserPolicy } from "@cdktf/provider-aws/lib/iam-user-policy";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { LeastPrivilegeUser } from "../../constructs/least-privilege-user";

describe("LeastPrivilegeUser", () => {
  let user!: LeastPrivilegeUser;
  const out = Testing.synthScope((scope) => {
    user = new LeastPrivilegeUser(scope, "u", {
      userName: "shop-qa-ecr-user",
      policy: { statements: [{ sid: "EcrLogin", actions: ["ecr:GetAuthorizationToken"], resources: ["*"] }] },
    });
  });

  it("gives the user exactly the rendered policy", () => {
    expect(out).toHaveResourceWithProperties(IamUser, { name: "shop-qa-ecr-user", path: "/" });
    expect(out).toHaveResourceWithProperties(IamUserPolicy, { name: "shop-qa-ecr-user-least-privilege", policy: user.policyJson });
  });

  it("creates no key and no parameter: secrets live in the credentials stack", () => {
    expect(out).not.toHaveResource(IamAccessKey);
    expect(out).not.toHaveResource(SsmParameter);
  });

  it("refuses a policy that names no resources", () => {
    expect(() =>
      Testing.synthScope((scope) => {
        new LeastPrivilegeUser(scope, "bad", { userName: "x", policy: { statements: [{ sid: "A", actions: ["s3:GetObject"] }] } });
      }),
    ).toThrow(/statement A needs resources/);
  });
});
