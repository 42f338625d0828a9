import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Construct } from "constructs";
import { githubTrustPolicy, type GithubRepositoryRef, type GithubSubject } from "./github-oidc";
import { renderPolicy, type PolicyDocument } from "./policy-document";

export interface GithubOidcRoleProps {
  readonly roleName: string;
  readonly description: string;
  /** ARN of the account's GitHub OIDC provider (computed from config, never a cross-stack reference). */
  readonly providerArn: string;
  /** The repository and the subject form its tokens carry. */
  readonly repository: GithubRepositoryRef;
  /** The job subjects that may assume the role. */
  readonly subjects: readonly GithubSubject[];
  readonly policy: PolicyDocument;
  /** @default 3600 (one hour: the OIDC session of a CI job) */
  readonly maxSessionDuration?: number;
}

/** A role that named GitHub Actions jobs assume through OIDC, with one inline policy. */
export class GithubOidcRole extends Construct {
  readonly role: IamRole;
  readonly trustPolicyJson: string;
  readonly policyJson: string;

  constructor(scope: Construct, id: string, props: GithubOidcRoleProps) {
    super(scope, id);
    this.trustPolicyJson = renderPolicy(githubTrustPolicy(props.providerArn, props.repository, props.subjects), "trust");
    this.policyJson = renderPolicy(props.policy, "identity");
    this.role = new IamRole(this, "role", {
      name: props.roleName,
      description: props.description,
      assumeRolePolicy: this.trustPolicyJson,
      maxSessionDuration: props.maxSessionDuration ?? 3600,
    });
    new IamRolePolicy(this, "policy", { name: `${props.roleName}-policy`, role: this.role.name, policy: this.policyJson });
  }
}
