import { TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import {
  credentialsStackName,
  githubOidcProviderArn,
  githubRepositoryRef,
  kmsAliasName,
  outputKey,
  registryHost,
  repositoryName,
  scanLogGroupName,
  scanRuleName,
  ssmPath,
} from "../environments/naming";
import type { EnvironmentConfig } from "../environments/schema";
import { LeastPrivilegeUser } from "../constructs/least-privilege-user";
import { platformAwsProvider } from "../constructs/aws-provider";
import { environmentRemoteState, providerPropsOf } from "./environment-providers";
import { EnvironmentKey } from "../constructs/environment-key";
import { ServiceRepository, type RepositoryEncryption } from "../constructs/ecr-repository";
import { GithubOidcRole } from "../constructs/github-oidc-role";
import { standardLifecycleRules } from "../constructs/lifecycle-policy";
import { namedOutput } from "../constructs/outputs";
import { ServiceRole } from "../constructs/service-role";
import { identitiesOf, type IdentityKind } from "./identities";
import { ScanFindingsLog } from "../constructs/scan-findings-log";

/**
 * One environment's AWS side: repositories, scan logging, the two IAM users,
 * the GitHub OIDC roles and the outputs teams consume. Composition only:
 * every decision is in config or in a construct.
 */
export class EnvironmentStack extends TerraformStack {
  readonly repositories: ReadonlyMap<string, ServiceRepository>;
  readonly ecrUser: LeastPrivilegeUser;
  readonly s3User: LeastPrivilegeUser;
  readonly deployRole: GithubOidcRole;
  readonly planRole?: GithubOidcRole;
  /** Pull-only role for App Runner / ECS, when config names runtime services. */
  readonly runtimePullRole?: ServiceRole;
  /** Every identity of the catalogue (stacks/identities.ts), by kind. */
  readonly identities: ReadonlyMap<IdentityKind, LeastPrivilegeUser | GithubOidcRole | ServiceRole>;
  /** The environment's customer managed key (SSM, scan logs, ECR when KMS is chosen without a key ARN). */
  readonly key: EnvironmentKey;

  constructor(
    scope: Construct,
    readonly env: EnvironmentConfig,
  ) {
    super(scope, env.name);
    platformAwsProvider(this, "aws", providerPropsOf(env));
    environmentRemoteState(this, env);

    this.key = new EnvironmentKey(this, "key", {
      accountId: env.accountId,
      region: env.region,
      aliasName: kmsAliasName(env),
      logGroupName: scanLogGroupName(env),
    });
    const encryption = this.encryption();
    const repositories = new Map<string, ServiceRepository>();
    for (const service of env.services) {
      repositories.set(
        service.name,
        new ServiceRepository(this, `repository-${service.name}`, {
          name: repositoryName(env, service),
          accountId: env.accountId,
          region: env.region,
          tagMutability: env.ecr.tagMutability,
          scanOnPush: env.ecr.scanOnPush,
          encryption,
          forceDelete: env.ecr.forceDelete,
          crossAccountPullPrincipals: env.ecr.crossAccountPullPrincipals,
          lifecycleRules: standardLifecycleRules({
            taggedPrefixes: env.ecr.taggedPrefixes,
            taggedPatterns: env.ecr.taggedPatterns,
            keepLast: env.ecr.imageRetentionCount,
            untaggedExpiryDays: env.ecr.untaggedExpiryDays,
          }),
        }),
      );
    }
    this.repositories = repositories;

    new ScanFindingsLog(this, "scan-findings", {
      accountId: env.accountId,
      region: env.region,
      ruleName: scanRuleName(env),
      logGroupName: scanLogGroupName(env),
      repositoryNames: env.services.map((s) => repositoryName(env, s)),
      retentionInDays: env.ecr.scanLogRetentionDays,
      findings: env.ecr.registry?.scanType === "ENHANCED" ? "inspector" : "ecr",
      kmsKeyArn: this.key.key.arn,
    });

    // Every identity from the one catalogue. The users' keys are in the credentials stack: this state holds no secret.
    const providerArn = githubOidcProviderArn(env);
    const built = new Map<IdentityKind, LeastPrivilegeUser | GithubOidcRole | ServiceRole>();
    for (const identity of identitiesOf(env)) {
      const { kind, name, description, policy, trust } = identity;
      switch (trust.by) {
        case "access-key":
          built.set(kind, new LeastPrivilegeUser(this, kind, { userName: name, policy }));
          break;
        case "github":
          built.set(
            kind,
            new GithubOidcRole(this, kind, {
              roleName: name,
              description,
              providerArn,
              repository: githubRepositoryRef(env),
              subjects: trust.subjects,
              policy,
            }),
          );
          break;
        case "service":
          built.set(kind, new ServiceRole(this, kind, { roleName: name, description, trust: trust.policy, policy }));
          break;
      }
    }
    this.identities = built;
    this.ecrUser = built.get("ecr-user") as LeastPrivilegeUser;
    this.s3User = built.get("s3-user") as LeastPrivilegeUser;
    this.deployRole = built.get("deploy-role") as GithubOidcRole;
    this.planRole = built.get("plan-role") as GithubOidcRole | undefined;
    this.runtimePullRole = built.get("runtime-pull-role") as ServiceRole | undefined;
    this.addOutputs();
  }

  private encryption(): RepositoryEncryption {
    const enc = this.env.ecr.encryption;
    if (enc.type === "AES256") return enc;
    if (enc.kmsKeyArn) return { type: "KMS", kmsKeyArn: enc.kmsKeyArn };
    return { type: "KMS", kmsKeyArn: this.key.key.arn };
  }

  private addOutputs(): void {
    const env = this.env;
    const registry = registryHost(env);
    for (const [service, repo] of this.repositories) {
      const key = outputKey(service);
      namedOutput(this, `${key}_repository_url`, repo.repository.repositoryUrl, { description: `docker push target of ${service}` });
      namedOutput(this, `${key}_repository_arn`, repo.repository.arn, { description: `ARN of the ${service} repository` });
      namedOutput(this, `${key}_repository_name`, repo.repository.name, { description: `Name of the ${service} repository` });
    }
    namedOutput(this, "ecr_registry", registry, { description: "Registry host (docker login target)" });
    namedOutput(this, "image_tag_mutability", env.ecr.tagMutability, { description: "MUTABLE or IMMUTABLE: whether `latest` may be re-pushed" });
    namedOutput(this, "account_id", env.accountId, { description: "AWS account id" });
    namedOutput(this, "region", env.region, { description: "AWS region" });
    namedOutput(this, "docker_login_command", `aws ecr get-login-password --region ${env.region} | docker login --username AWS --password-stdin ${registry}`, {
      description: "Log docker in to the registry (token valid 12 hours)",
    });
    namedOutput(this, "deploy_role_arn", this.deployRole.role.arn, { description: "Role GitHub Actions deploy jobs assume" });
    if (this.planRole) namedOutput(this, "plan_role_arn", this.planRole.role.arn, { description: "Read-only role for plans on pull requests" });
    if (this.runtimePullRole)
      namedOutput(this, "runtime_pull_role_arn", this.runtimePullRole.role.arn, { description: "Role App Runner / ECS use to pull images" });
    namedOutput(this, "ecr_user_name", this.ecrUser.user.name, { description: "IAM user for ECR push/pull" });
    namedOutput(this, "s3_user_name", this.s3User.user.name, { description: "IAM user for S3" });
    namedOutput(this, "ecr_credentials_ssm_path", ssmPath(env, ""), {
      description: "SSM path of the key pairs (SecureString; written by the credentials stack)",
    });
    namedOutput(this, "credentials_stack", credentialsStackName(env), { description: "Stack whose outputs hold the users' access keys (operators only)" });
  }
}
