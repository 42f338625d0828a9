import { IamGroup } from "@cdktf/provider-aws/lib/iam-group";
import { IamGroupPolicy } from "@cdktf/provider-aws/lib/iam-group-policy";
import { IamUser } from "@cdktf/provider-aws/lib/iam-user";
import { IamUserGroupMembership } from "@cdktf/provider-aws/lib/iam-user-group-membership";
import { Construct } from "constructs";
import { renderPolicy, type PolicyDocument } from "./policy-document";
import { PropErrors } from "./validation";

export interface LeastPrivilegeUserProps {
  /** IAM user name, also its group's: 1-64 letters, digits and `+=,.@_-`. */
  readonly userName: string;
  /** The user's only permissions, on its own group. */
  readonly policy: PolicyDocument;
  /** IAM path of the user and its group. @default "/" */
  readonly path?: string;
}

/**
 * An IAM user for a tool that cannot use roles. Its one least-privilege
 * policy sits on a group of its own, of which the user is the only member
 * (AWS's advice, checkov CKV_AWS_40: no policy on a user directly), so the
 * permissions are reviewed, and could be handed over, apart from the
 * credential. No key here: the keys live in a stack of their own
 * (RotatingAccessKey), so the state that holds this user holds no secret.
 */
export class LeastPrivilegeUser extends Construct {
  /** The provider resource (no key: see RotatingAccessKey). */
  readonly user: IamUser;
  /** The user's own group, which holds the policy. */
  readonly group: IamGroup;
  /** The group's identity policy as stored. */
  readonly policyJson: string;

  constructor(scope: Construct, id: string, props: LeastPrivilegeUserProps) {
    super(scope, id);
    const path = props.path ?? "/";
    new PropErrors(`LeastPrivilegeUser '${this.node.path}'`).name("userName", props.userName, "iam").name("path", path, "iamPath").throwIfAny();
    this.user = new IamUser(this, "user", { name: props.userName, path });
    this.group = new IamGroup(this, "group", { name: props.userName, path });
    this.policyJson = renderPolicy(props.policy, "identity");
    new IamGroupPolicy(this, "policy", { name: `${props.userName}-least-privilege`, group: this.group.name, policy: this.policyJson });
    new IamUserGroupMembership(this, "membership", { user: this.user.name, groups: [this.group.name] });
  }
}
