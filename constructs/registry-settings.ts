import { EcrRegistryScanningConfiguration } from "@cdktf/provider-aws/lib/ecr-registry-scanning-configuration";
import { EcrReplicationConfiguration } from "@cdktf/provider-aws/lib/ecr-replication-configuration";
import { Construct } from "constructs";

export interface RegistryDestination {
  readonly region: string;
  /** Destination account (registry id). */
  readonly registryId: string;
}

export interface RegistrySettingsProps {
  /**
   * `BASIC`: ECR's own scan (on push). `ENHANCED`: Amazon Inspector, which can
   * rescan continuously as new vulnerabilities are published.
   */
  readonly scanType: "BASIC" | "ENHANCED";
  /** `CONTINUOUS_SCAN` only with `ENHANCED`. */
  readonly scanFrequency: "SCAN_ON_PUSH" | "CONTINUOUS_SCAN";
  /** Repository name wildcards the scanning rule covers (at least one). */
  readonly scanFilters: readonly string[];
  /** Where images are replicated for disaster recovery. @default [] (no replication resource) */
  readonly replicationDestinations?: readonly RegistryDestination[];
  /** Repository name prefixes that replicate. Required with destinations. */
  readonly replicationPrefixes?: readonly string[];
}

/**
 * One account's registry settings in one region: scanning for every matching
 * repository, and replication to other regions or accounts. A registry has
 * one of each, so exactly one stack per account and region may own them.
 */
export class RegistrySettings extends Construct {
  readonly scanning: EcrRegistryScanningConfiguration;
  readonly replication?: EcrReplicationConfiguration;

  constructor(scope: Construct, id: string, props: RegistrySettingsProps) {
    super(scope, id);
    if (props.scanFrequency === "CONTINUOUS_SCAN" && props.scanType !== "ENHANCED")
      throw new Error("continuous scanning needs scanType ENHANCED (Amazon Inspector)");
    if (props.scanFilters.length === 0) throw new Error("a scanning rule needs at least one repository filter");
    this.scanning = new EcrRegistryScanningConfiguration(this, "scanning", {
      scanType: props.scanType,
      rule: [{ scanFrequency: props.scanFrequency, repositoryFilter: props.scanFilters.map((filter) => ({ filter, filterType: "WILDCARD" })) }],
    });
    const destinations = props.replicationDestinations ?? [];
    if (destinations.length > 0) {
      const prefixes = props.replicationPrefixes ?? [];
      if (prefixes.length === 0) throw new Error("replication needs the repository prefixes it applies to");
      this.replication = new EcrReplicationConfiguration(this, "replication", {
        replicationConfiguration: {
          rule: [
            {
              destination: destinations.map((d) => ({ region: d.region, registryId: d.registryId })),
              repositoryFilter: prefixes.map((filter) => ({ filter, filterType: "PREFIX_MATCH" })),
            },
          ],
        },
      });
    }
  }
}
