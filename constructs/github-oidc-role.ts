import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Construct } from "constructs";
import { githubTrustPolicy, type GithubRepositoryRef, type GithubSubject } from "./github-oidc";
import { renderPolicy, type PolicyDocument } from "./policy-document";
import { PropErrors } from "./validation";

export interface GithubOidcRoleProps {
  /** IAM role name: 1-64 letters, digits and `+=,.@_-`. Its inline policy is `<roleName>-policy`. */
  readonly roleName: string;
  /** What the role is for, as IAM shows it (at most 1000 characters). */
  readonly description: string;
  /** ARN of the account's GitHub OIDC provider (computed from config, never a cross-stack reference). */
  readonly providerArn: string;
  /** The repository and the subject form its tokens carry. */
  readonly repository: GithubRepositoryRef;
  /** The job subjects that may assume the role. */
  readonly subjects: readonly GithubSubject[];
  /** The role's only permissions (an inline identity policy). */
  readonly policy: PolicyDocument;
  /** Seconds a session may last (IAM allows 3600-43200). @default 3600 (one hour: the OIDC session of a CI job) */
  readonly maxSessionDuration?: number;
}

/** A role that named GitHub Actions jobs assume through OIDC, with one inline policy. */
export class GithubOidcRole extends Construct {
  /** The provider resource. */
  readonly role: IamRole;
  /** The trust policy as stored: the exact audience and subjects. */
  readonly trustPolicyJson: string;
  /** The inline identity policy as stored. */
  readonly policyJson: string;

  constructor(scope: Construct, id: string, props: GithubOidcRoleProps) {
    super(scope, id);
    const errors = new PropErrors(`GithubOidcRole '${this.node.path}'`).name("roleName", props.roleName, "iam");
    errors.check(props.description.length <= 1000, `description must be at most 1000 characters, got ${props.description.length}`);
    errors.matches("providerArn", props.providerArn, /^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/\S+$/, "an IAM OIDC provider ARN");
    if (props.maxSessionDuration !== undefined) errors.integer("maxSessionDuration", props.maxSessionDuration, 3600, 43_200);
    errors.throwIfAny();
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
