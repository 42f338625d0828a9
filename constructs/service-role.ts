import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Construct } from "constructs";
import { renderPolicy, type PolicyDocument } from "./policy-document";
import { PropErrors } from "./validation";

export interface ServiceRoleProps {
  /** IAM role name: 1-64 letters, digits and `+=,.@_-`. Its inline policy is `<roleName>-policy`. */
  readonly roleName: string;
  /** What the role is for, as IAM shows it (at most 1000 characters). */
  readonly description: string;
  /** Who may assume the role (AWS service principals, with their conditions). */
  readonly trust: PolicyDocument;
  /** The role's only permissions (an inline policy). */
  readonly policy: PolicyDocument;
}

/** A role that AWS services assume, with one inline policy; both rendered from typed documents. */
export class ServiceRole extends Construct {
  /** The provider resource. */
  readonly role: IamRole;
  /** The trust policy as stored. */
  readonly trustPolicyJson: string;
  /** The inline identity policy as stored. */
  readonly policyJson: string;

  constructor(scope: Construct, id: string, props: ServiceRoleProps) {
    super(scope, id);
    new PropErrors(`ServiceRole '${this.node.path}'`)
      .name("roleName", props.roleName, "iam")
      .check(props.description.length <= 1000, `description must be at most 1000 characters, got ${props.description.length}`)
      .throwIfAny();
    this.trustPolicyJson = renderPolicy(props.trust, "trust");
    this.policyJson = renderPolicy(props.policy, "identity");
    this.role = new IamRole(this, "role", { name: props.roleName, description: props.description, assumeRolePolicy: this.trustPolicyJson });
    new IamRolePolicy(this, "policy", { name: `${props.roleName}-policy`, role: this.role.name, policy: this.policyJson });
  }
}
