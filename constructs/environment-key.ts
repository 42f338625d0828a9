import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { Construct } from "constructs";
import { accountRootArn, logGroupArn, regionalServiceHost } from "./aws-partition";
import { renderPolicy } from "./policy-document";
import { PropErrors } from "./validation";

export interface EnvironmentKeyProps {
  /** Account that owns the key: its root is the key policy's administrator, delegating to IAM. */
  readonly accountId: string;
  /** Region of the key and of the log group. */
  readonly region: string;
  /** Alias, `alias/...` (not under `alias/aws/`, which AWS reserves). */
  readonly aliasName: string;
  /** Log group whose events CloudWatch Logs may encrypt with this key. */
  readonly logGroupName: string;
  /** Days before a scheduled deletion completes (KMS allows 7-30). @default 30 */
  readonly deletionWindowInDays?: number;
}

/**
 * One customer managed key per environment, rotated yearly: it encrypts the
 * SSM SecureString key pairs, the scan-finding log group and, when config
 * chooses KMS, the ECR repositories. Its policy delegates to IAM in the owning
 * account (so identity policies decide who may use it) and lets CloudWatch
 * Logs use it for the one log group, bound by encryption context.
 */
export class EnvironmentKey extends Construct {
  /** The provider resource; `key.arn` is what encryption settings reference. */
  readonly key: KmsKey;
  /** The alias resource. */
  readonly alias: KmsAlias;
  /** The key policy as stored. */
  readonly policyJson: string;

  constructor(scope: Construct, id: string, props: EnvironmentKeyProps) {
    super(scope, id);
    const errors = new PropErrors(`EnvironmentKey '${this.node.path}'`).accountAndRegion(props);
    errors.name("aliasName", props.aliasName, "kmsAlias").name("logGroupName", props.logGroupName, "logGroup");
    if (props.deletionWindowInDays !== undefined) errors.integer("deletionWindowInDays", props.deletionWindowInDays, 7, 30);
    errors.throwIfAny();
    this.policyJson = renderPolicy(
      {
        statements: [
          { sid: "EnableIamPoliciesOfTheAccount", actions: ["kms:*"], resources: ["*"], principal: { AWS: [accountRootArn(props.region, props.accountId)] } },
          {
            sid: "CloudWatchLogsEncryptsScanFindings",
            principal: { Service: [regionalServiceHost("logs", props.region)] },
            actions: [
              "kms:Encrypt",
              "kms:Decrypt",
              "kms:ReEncryptFrom",
              "kms:ReEncryptTo",
              "kms:GenerateDataKey",
              "kms:GenerateDataKeyWithoutPlaintext",
              "kms:DescribeKey",
            ],
            resources: ["*"],
            conditions: { ArnEquals: { "kms:EncryptionContext:aws:logs:arn": logGroupArn(props.region, props.accountId, props.logGroupName) } },
          },
        ],
      },
      "resource",
    );
    this.key = new KmsKey(this, "key", {
      description: `Encryption of ${props.aliasName}: SSM key pairs, scan-finding logs, ECR when chosen`,
      enableKeyRotation: true,
      deletionWindowInDays: props.deletionWindowInDays ?? 30,
      policy: this.policyJson,
    });
    this.alias = new KmsAlias(this, "alias", { name: props.aliasName, targetKeyId: this.key.keyId });
  }
}
