import { IamUser } from "@cdktf/provider-aws/lib/iam-user";
import { IamUserPolicy } from "@cdktf/provider-aws/lib/iam-user-policy";
import { Construct } from "constructs";
import { renderPolicy, type PolicyDocument } from "./policy-document";

export interface LeastPrivilegeUserProps {
  readonly userName: string;
  /** The user's only permissions (an inline policy). */
  readonly policy: PolicyDocument;
  /** @default "/" */
  readonly path?: string;
}

/**
 * An IAM user for a tool that cannot use roles, with one inline
 * least-privilege policy and no key: its access keys live in a stack of their
 * own (RotatingAccessKey), so the state that holds this user holds no secret.
 */
export class LeastPrivilegeUser extends Construct {
  readonly user: IamUser;
  readonly policyJson: string;

  constructor(scope: Construct, id: string, props: LeastPrivilegeUserProps) {
    super(scope, id);
    this.user = new IamUser(this, "user", { name: props.userName, path: props.path ?? "/" });
    this.policyJson = renderPolicy(props.policy, "identity");
    new IamUserPolicy(this, "policy", { name: `${props.userName}-least-privilege`, user: this.user.name, policy: this.policyJson });
  }
}
