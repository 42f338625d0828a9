import { TerraformStack } from "cdktf";
import { configureRemoteState } from "../constructs/remote-state";
import type { Construct } from "constructs";
import type { EnvironmentConfig } from "../environments/schema";
import { platformAwsProvider } from "../constructs/aws-provider";
import { GithubOidcProvider } from "../constructs/github-oidc-provider";
import { namedOutput } from "../constructs/outputs";
import { AccessLogBucket } from "../constructs/access-log-bucket";
import { RegistrySettings } from "../constructs/registry-settings";
import { StateBucket } from "../constructs/state-bucket";
import { accessLogBucketName, bootstrapStackName, bootstrapStateKey, repositoryName } from "../environments/naming";

export interface BootstrapStackProps {
  readonly accountId: string;
  readonly region: string;
  /** Environments whose state buckets live in this account and region. */
  readonly environments: readonly EnvironmentConfig[];
  /** Environments whose repositories live in this account and region (their registry settings apply here). */
  readonly registryEnvironments?: readonly EnvironmentConfig[];
  /** Create the account's GitHub OIDC provider here (one stack per account does). */
  readonly ownsGithubOidcProvider: boolean;
}

/**
 * Where a bootstrap stack keeps its state: in the first state bucket it creates, or, for a
 * registry-only account and region, in the state bucket of the first environment whose registry
 * it configures (created by that environment's own bootstrap).
 */
export function bootstrapStateHome(props: Pick<BootstrapStackProps, "accountId" | "region" | "environments" | "registryEnvironments">) {
  const owner = props.environments[0] ?? props.registryEnvironments?.[0];
  if (!owner) throw new Error(`${bootstrapStackName(props.accountId, props.region)}: no environment keeps its state or registry here`);
  const bucket = props.environments.length > 0 ? [...new Set(props.environments.map((e) => e.state.bucket))].sort()[0] : owner.state.bucket;
  return { bucket, region: owner.state.region, key: bootstrapStateKey(props.accountId, props.region) };
}

export { bootstrapStackName };

/**
 * What must exist before any environment can init, and what an account has
 * once per region: the state bucket(s), the account's GitHub OIDC provider,
 * and the registry's scanning and replication settings. Local state, applied once per account
 * and region by an administrator.
 */
export class BootstrapStack extends TerraformStack {
  readonly stateBuckets: StateBucket[] = [];
  readonly oidcProvider?: GithubOidcProvider;
  readonly registry?: RegistrySettings;

  constructor(scope: Construct, props: BootstrapStackProps) {
    const name = bootstrapStackName(props.accountId, props.region);
    super(scope, name);
    const emulator = [...props.environments, ...(props.registryEnvironments ?? [])].find((e) => e.emulatorEndpoint)?.emulatorEndpoint;
    platformAwsProvider(this, "aws", {
      accountId: props.accountId,
      region: props.region,
      emulated: emulator !== undefined,
      tags: { ManagedBy: "cdktf", Purpose: "bootstrap" },
    });
    // Its own state lives in a bucket it creates: the first apply runs with a local state that
    // `npm run bootstrap` then moves into that bucket (scripts/bootstrap.ts), so every operator
    // plans the same state afterwards.
    const home = bootstrapStateHome(props);
    configureRemoteState(this, { ...home, lock: "lockfile", emulatorEndpoint: emulator });

    const buckets = [...new Set(props.environments.map((e) => e.state.bucket))].sort();
    for (const bucket of buckets) {
      const logs = new AccessLogBucket(this, `logs-${bucket}`, {
        bucketName: accessLogBucketName(bucket),
        region: props.region,
        accountId: props.accountId,
        sourceBucketNames: [bucket],
      });
      this.stateBuckets.push(
        new StateBucket(this, `state-${bucket}`, {
          bucketName: bucket,
          region: props.region,
          accessLogs: { bucketName: logs.bucket.bucket, after: [logs.deliveryPolicy] },
        }),
      );
      namedOutput(this, `state_bucket_${bucket.replace(/[^a-z0-9]+/g, "_")}`, bucket, { description: "Remote state bucket" });
    }
    // Config guarantees that every environment of this registry states the same settings.
    const registryOwner = (props.registryEnvironments ?? []).find((e) => e.ecr.registry);
    const registry = registryOwner?.ecr.registry;
    if (registryOwner && registry) {
      this.registry = new RegistrySettings(this, "registry", {
        scanType: registry.scanType,
        scanFrequency: registry.scanFrequency,
        scanFilters: registry.scanFilters,
        replicationDestinations: registry.replicateTo.map((d) => ({ region: d.region, registryId: d.accountId ?? props.accountId })),
        replicationPrefixes: [...new Set((props.registryEnvironments ?? []).flatMap((e) => e.services.map((svc) => repositoryName(e, svc))))].sort(),
      });
      namedOutput(this, "registry_scan_type", registry.scanType, { description: "Registry scanning: BASIC (ECR) or ENHANCED (Amazon Inspector)" });
    }
    if (props.ownsGithubOidcProvider) {
      this.oidcProvider = new GithubOidcProvider(this, "github-oidc");
      namedOutput(this, "github_oidc_provider_arn", this.oidcProvider.provider.arn, { description: "The account's GitHub Actions OIDC provider" });
    }
  }
}
