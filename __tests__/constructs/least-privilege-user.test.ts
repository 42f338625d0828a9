import { Testing } from "cdktf";
import { IamAccessKey } from "@cdktf/provider-aws/lib/iam-access-key";
import { IamGroup } from "@cdktf/provider-aws/lib/iam-group";
import { IamGroupPolicy } from "@cdktf/provider-aws/lib/iam-group-policy";
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
  const json = JSON.parse(out);
  const only = (type: string) => {
    const all = Object.values(json.resource[type] ?? {}) as Record<string, unknown>[];
    expect(all).toHaveLength(1);
    return all[0];
  };

  it("gives the rendered policy to a group of the user's own, never to the user directly", () => {
    expect(out).toHaveResourceWithProperties(IamUser, { name: "shop-qa-ecr-user", path: "/" });
    expect(out).toHaveResourceWithProperties(IamGroup, { name: "shop-qa-ecr-user" });
    expect(out).toHaveResourceWithProperties(IamGroupPolicy, { name: "shop-qa-ecr-user-least-privilege", policy: user.policyJson });
    expect(out).not.toHaveResource(IamUserPolicy);
  });

  it("makes the user the group's only member", () => {
    const membership = only("aws_iam_user_group_membership");
    expect(membership.user).toMatch(/^\$\{aws_iam_user\.u_user_[A-Z0-9]+\.name\}$/);
    expect(membership.groups).toEqual([expect.stringMatching(/^\$\{aws_iam_group\.u_group_[A-Z0-9]+\.name\}$/)]);
    expect(only("aws_iam_group_policy").group).toBe(membership.groups && (membership.groups as string[])[0]);
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
