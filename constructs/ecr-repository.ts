import { EcrLifecyclePolicy } from "@cdktf/provider-aws/lib/ecr-lifecycle-policy";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { EcrRepositoryPolicy } from "@cdktf/provider-aws/lib/ecr-repository-policy";
import { Token } from "cdktf";
import { Construct } from "constructs";
import { accountRootArn, ecrRegistryHost, ecrRepositoryArn, partitionOf } from "./aws-partition";
import { ECR_PULL_ACTIONS, ecrGrantStatements, type EcrGrantOptions } from "./ecr-actions";
import { renderLifecyclePolicy, type LifecycleRule } from "./lifecycle-policy";
import { renderPolicy, type PolicyStatement } from "./policy-document";
import { ACCOUNT_ID_PATTERN, PropErrors, principalProblem, shown } from "./validation";

/** Encryption at rest of a repository's images. */
export type RepositoryEncryption =
  | {
      /** ECR's own keys (SSE-S3). */
      readonly type: "AES256";
    }
  | {
      /** A KMS key the account controls. */
      readonly type: "KMS";
      /** ARN of the key (of the region's partition), or a reference to a key created in the same stack. */
      readonly kmsKeyArn: string;
    };

export interface ServiceRepositoryProps {
  /**
   * Repository name: 2-256 characters, lowercase letters and digits in
   * components joined by `.`, `_` or `-`, with `/` between namespaces
   * (`shop/api-dev`). A plain string, not a reference: the handles derive from it.
   * Checked here, since ECR would refuse anything else only at apply.
   */
  readonly name: string;
  /** Account that owns the repository (the provider's): its ARN, URL and root principal derive from it. */
  readonly accountId: string;
  /** Region of the repository (the provider's): the ARN partition and the registry host derive from it. */
  readonly region: string;
  /**
   * Lifecycle rules, rendered in order with the `any` catch-all moved last
   * (lifecycle-policy.ts). At least one: a repository without one keeps every image forever.
   */
  readonly lifecycleRules: readonly LifecycleRule[];
  /** Whether a pushed tag may be moved to another image. @default "IMMUTABLE" */
  readonly tagMutability?: "MUTABLE" | "IMMUTABLE";
  /** Scan each image as it is pushed. @default true */
  readonly scanOnPush?: boolean;
  /** Encryption at rest; KMS names an existing key ARN. @default { type: "AES256" } */
  readonly encryption?: RepositoryEncryption;
  /**
   * 12-digit account ids (granted as the account's root) or IAM root, role or
   * user ARNs of the region's partition that may pull (never push).
   * @default [] (no repository policy)
   */
  readonly crossAccountPullPrincipals?: readonly string[];
  /** Delete even when images remain. @default false */
  readonly forceDelete?: boolean;
}

/**
 * One service's repository with its lifecycle policy and, when asked, a
 * pull-only repository policy. Its handles (`repositoryName`, `repositoryArn`,
 * `repositoryUrl`) are known at synthesis, so policies that name the
 * repository are final in the synthesized JSON; `grantPull`/`grantPush`
 * return the statements an identity needs, as data.
 */
export class ServiceRepository extends Construct {
  readonly repositoryName: string;
  /** `arn:<partition>:ecr:<region>:<account>:repository/<name>` */
  readonly repositoryArn: string;
  /** `<account>.dkr.ecr.<region>.<dns suffix>/<name>`: the docker push and pull target. */
  readonly repositoryUrl: string;
  /**
   * The provider resource. Its attributes (`repositoryUrl`, `arn`) are references
   * that make a consumer wait for the repository to exist (outputs use them).
   */
  readonly repository: EcrRepository;
  readonly lifecyclePolicyJson: string;
  /** The repository policy, or undefined when no cross-account principal is configured. */
  readonly repositoryPolicyJson?: string;

  constructor(scope: Construct, id: string, props: ServiceRepositoryProps) {
    super(scope, id);
    const errors = new PropErrors(`ServiceRepository '${this.node.path}'`);
    errors
      .check(!Token.isUnresolved(props.name), "name must be a plain string, not a reference: the repository's handles derive from it")
      .name("name", props.name, "ecrRepository")
      .accountAndRegion(props);
    const encryption = props.encryption ?? { type: "AES256" };
    // A key created in the same stack is a reference, known only at apply.
    if (encryption.type === "KMS" && !Token.isUnresolved(encryption.kmsKeyArn)) {
      const partition = partitionOf(props.region);
      errors.check(
        new RegExp(`^arn:${partition}:kms:[a-z0-9-]+:\\d{12}:key/[\\w-]+$`).test(encryption.kmsKeyArn),
        `encryption.kmsKeyArn ${shown(encryption.kmsKeyArn)} must be a KMS key ARN of partition '${partition}'`,
      );
    }
    const requested = props.crossAccountPullPrincipals ?? [];
    for (const principal of requested) {
      const problem = principalProblem(principal, props.region);
      if (problem) errors.check(false, `crossAccountPullPrincipals: ${problem}`);
    }
    const lifecyclePolicyJson = errors.attempt(() => renderLifecyclePolicy(props.lifecycleRules));
    errors.throwIfAny();

    this.repositoryName = props.name;
    this.repositoryArn = ecrRepositoryArn(props.region, props.accountId, props.name);
    this.repositoryUrl = `${ecrRegistryHost(props.region, props.accountId)}/${props.name}`;
    this.repository = new EcrRepository(this, "repository", {
      name: props.name,
      imageTagMutability: props.tagMutability ?? "IMMUTABLE",
      imageScanningConfiguration: { scanOnPush: props.scanOnPush ?? true },
      encryptionConfiguration: [encryption.type === "KMS" ? { encryptionType: "KMS", kmsKey: encryption.kmsKeyArn } : { encryptionType: "AES256" }],
      forceDelete: props.forceDelete ?? false,
    });

    this.lifecyclePolicyJson = lifecyclePolicyJson!;
    new EcrLifecyclePolicy(this, "lifecycle", { repository: this.repository.name, policy: this.lifecyclePolicyJson });

    const principals = requested.map((p) => (ACCOUNT_ID_PATTERN.test(p) ? accountRootArn(props.region, p) : p));
    if (principals.length > 0) {
      this.repositoryPolicyJson = renderPolicy(
        { statements: [{ sid: "CrossAccountPullOnly", actions: [...ECR_PULL_ACTIONS], principal: { AWS: principals } }] },
        "resource",
      );
      new EcrRepositoryPolicy(this, "policy", { repository: this.repository.name, policy: this.repositoryPolicyJson });
    }
  }

  /** Identity statements to pull this repository's images, with `ecr:GetAuthorizationToken` on `*`. */
  grantPull(options?: EcrGrantOptions): PolicyStatement[] {
    return ecrGrantStatements([this.repositoryArn], ["pull"], options);
  }

  /** Identity statements to push images here, with `ecr:GetAuthorizationToken` on `*`. */
  grantPush(options?: EcrGrantOptions): PolicyStatement[] {
    return ecrGrantStatements([this.repositoryArn], ["push"], options);
  }

  /** Identity statements to pull and push, with `ecr:GetAuthorizationToken` on `*`. */
  grantPullPush(options?: EcrGrantOptions): PolicyStatement[] {
    return ecrGrantStatements([this.repositoryArn], ["pull", "push"], options);
  }
}
