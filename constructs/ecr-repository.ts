import { EcrLifecyclePolicy } from "@cdktf/provider-aws/lib/ecr-lifecycle-policy";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { EcrRepositoryPolicy } from "@cdktf/provider-aws/lib/ecr-repository-policy";
import { Construct } from "constructs";
import { partitionOf } from "./aws-partition";
import { ECR_PULL_ACTIONS } from "./ecr-actions";
import { renderLifecyclePolicy, type LifecycleRule } from "./lifecycle-policy";
import { renderPolicy } from "./policy-document";

export type RepositoryEncryption = { readonly type: "AES256" } | { readonly type: "KMS"; readonly kmsKeyArn: string };

export interface ServiceRepositoryProps {
  readonly name: string;
  readonly region: string;
  readonly lifecycleRules: readonly LifecycleRule[];
  /** @default "IMMUTABLE" */
  readonly tagMutability?: "MUTABLE" | "IMMUTABLE";
  /** @default true */
  readonly scanOnPush?: boolean;
  /** @default { type: "AES256" } */
  readonly encryption?: RepositoryEncryption;
  /** 12-digit account ids or role ARNs that may pull (never push). @default [] (no repository policy) */
  readonly crossAccountPullPrincipals?: readonly string[];
  /** Delete even when images remain. @default false */
  readonly forceDelete?: boolean;
}

/** One service's repository with its lifecycle policy and, when asked, a pull-only repository policy. */
export class ServiceRepository extends Construct {
  readonly repository: EcrRepository;
  readonly lifecyclePolicyJson: string;
  /** The repository policy, or undefined when no cross-account principal is configured. */
  readonly repositoryPolicyJson?: string;

  constructor(scope: Construct, id: string, props: ServiceRepositoryProps) {
    super(scope, id);
    const encryption = props.encryption ?? { type: "AES256" };
    this.repository = new EcrRepository(this, "repository", {
      name: props.name,
      imageTagMutability: props.tagMutability ?? "IMMUTABLE",
      imageScanningConfiguration: { scanOnPush: props.scanOnPush ?? true },
      encryptionConfiguration: [encryption.type === "KMS" ? { encryptionType: "KMS", kmsKey: encryption.kmsKeyArn } : { encryptionType: "AES256" }],
      forceDelete: props.forceDelete ?? false,
    });

    this.lifecyclePolicyJson = renderLifecyclePolicy(props.lifecycleRules);
    new EcrLifecyclePolicy(this, "lifecycle", { repository: this.repository.name, policy: this.lifecyclePolicyJson });

    const principals = (props.crossAccountPullPrincipals ?? []).map((p) => (/^\d{12}$/.test(p) ? `arn:${partitionOf(props.region)}:iam::${p}:root` : p));
    if (principals.length > 0) {
      this.repositoryPolicyJson = renderPolicy(
        { statements: [{ sid: "CrossAccountPullOnly", actions: [...ECR_PULL_ACTIONS], principal: { AWS: principals } }] },
        "resource",
      );
      new EcrRepositoryPolicy(this, "policy", { repository: this.repository.name, policy: this.repositoryPolicyJson });
    }
  }
}
