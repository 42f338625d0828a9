import { IamAccessKey } from "@cdktf/provider-aws/lib/iam-access-key";
import { IamUser } from "@cdktf/provider-aws/lib/iam-user";
import { IamUserPolicy } from "@cdktf/provider-aws/lib/iam-user-policy";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { Construct } from "constructs";
import { renderPolicy, type PolicyDocument } from "./policy-document";

export interface AccessKeyUserProps {
  readonly userName: string;
  /** The user's only permissions (an inline policy). */
  readonly policy: PolicyDocument;
  /** SSM parameter names for the key id and the secret (SecureString). */
  readonly accessKeyIdParameter: string;
  readonly secretAccessKeyParameter: string;
  /** @default "/" */
  readonly path?: string;
  /** KMS key for the SecureString parameters. @default the account's aws/ssm key */
  readonly parameterKeyArn?: string;
}

/**
 * An IAM user for a tool that cannot use roles (seed 000): one inline
 * least-privilege policy, one access key, and the key pair as SSM
 * SecureString parameters. The secret lives only in (encrypted) state, SSM
 * and sensitive outputs.
 */
export class AccessKeyUser extends Construct {
  readonly user: IamUser;
  readonly accessKey: IamAccessKey;
  readonly policyJson: string;
  readonly accessKeyIdParameter: SsmParameter;
  readonly secretAccessKeyParameter: SsmParameter;

  constructor(scope: Construct, id: string, props: AccessKeyUserProps) {
    super(scope, id);
    this.user = new IamUser(this, "user", { name: props.userName, path: props.path ?? "/" });
    this.policyJson = renderPolicy(props.policy, "identity");
    new IamUserPolicy(this, "policy", { name: `${props.userName}-least-privilege`, user: this.user.name, policy: this.policyJson });
    this.accessKey = new IamAccessKey(this, "access-key", { user: this.user.name });
    // overwrite: these paths have one writer, this construct. A parameter left
    // behind by an interrupted apply (created in AWS, never recorded in state)
    // is adopted on the next apply instead of failing with ParameterAlreadyExists.
    const secureParameter = (id: string, name: string, what: string, value: string) =>
      new SsmParameter(this, id, { overwrite: true, name, description: `${what} of IAM user ${props.userName}`, type: "SecureString", keyId: props.parameterKeyArn, value });
    this.accessKeyIdParameter = secureParameter("access-key-id", props.accessKeyIdParameter, "Access key id", this.accessKey.id);
    this.secretAccessKeyParameter = secureParameter("secret-access-key", props.secretAccessKeyParameter, "Secret access key", this.accessKey.secret);
  }
}
