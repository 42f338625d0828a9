import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { Construct } from "constructs";
import { partitionOf } from "../environments/regions";
import { renderPolicy } from "./policy-document";

export interface EcrKmsKeyProps {
  readonly accountId: string;
  readonly region: string;
  /** Alias, `alias/...`. */
  readonly aliasName: string;
  /** Days before a scheduled deletion completes. @default 30 */
  readonly deletionWindowInDays?: number;
}

/**
 * A customer managed key for ECR encryption, with yearly rotation. Its
 * policy delegates to IAM in the owning account (the AWS default key policy,
 * written out so a PR diff shows it).
 */
export class EcrKmsKey extends Construct {
  readonly key: KmsKey;
  readonly alias: KmsAlias;
  readonly policyJson: string;

  constructor(scope: Construct, id: string, props: EcrKmsKeyProps) {
    super(scope, id);
    const root = `arn:${partitionOf(props.region)}:iam::${props.accountId}:root`;
    this.policyJson = renderPolicy(
      { statements: [{ sid: "EnableIamPoliciesOfTheAccount", actions: ["kms:*"], resources: ["*"], principal: { AWS: [root] } }] },
      "resource",
    );
    this.key = new KmsKey(this, "key", {
      description: `ECR image encryption (${props.aliasName})`,
      enableKeyRotation: true,
      deletionWindowInDays: props.deletionWindowInDays ?? 30,
      policy: this.policyJson,
    });
    this.alias = new KmsAlias(this, "alias", { name: props.aliasName, targetKeyId: this.key.keyId });
  }
}
