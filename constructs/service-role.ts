import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Construct } from "constructs";
import { renderPolicy, type PolicyDocument } from "./policy-document";

export interface ServiceRoleProps {
  readonly roleName: string;
  readonly description: string;
  /** Who may assume the role (AWS service principals, with their conditions). */
  readonly trust: PolicyDocument;
  /** The role's only permissions (an inline policy). */
  readonly policy: PolicyDocument;
}

/** A role that AWS services assume, with one inline policy; both rendered from typed documents. */
export class ServiceRole extends Construct {
  readonly role: IamRole;
  readonly trustPolicyJson: string;
  readonly policyJson: string;

  constructor(scope: Construct, id: string, props: ServiceRoleProps) {
    super(scope, id);
    this.trustPolicyJson = renderPolicy(props.trust, "trust");
    this.policyJson = renderPolicy(props.policy, "identity");
    this.role = new IamRole(this, "role", { name: props.roleName, description: props.description, assumeRolePolicy: this.trustPolicyJson });
    new IamRolePolicy(this, "policy", { name: `${props.roleName}-policy`, role: this.role.name, policy: this.policyJson });
  }
}
