import { EcrRegistryScanningConfiguration } from "@cdktf/provider-aws/lib/ecr-registry-scanning-configuration";
import { EcrReplicationConfiguration } from "@cdktf/provider-aws/lib/ecr-replication-configuration";
import { Construct } from "constructs";
import { ACCOUNT_ID_PATTERN, PropErrors } from "./validation";

export interface RegistryDestination {
  /** Destination region. */
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
  /** Repository name prefixes that replicate; at least one when there are destinations. @default [] */
  readonly replicationPrefixes?: readonly string[];
}

/**
 * One account's registry settings in one region: scanning for every matching
 * repository, and replication to other regions or accounts. A registry has
 * one of each, so exactly one stack per account and region may own them.
 */
export class RegistrySettings extends Construct {
  /** The registry's scanning configuration resource. */
  readonly scanning: EcrRegistryScanningConfiguration;
  /** The replication configuration resource. @default undefined when there is no destination */
  readonly replication?: EcrReplicationConfiguration;

  constructor(scope: Construct, id: string, props: RegistrySettingsProps) {
    super(scope, id);
    const errors = new PropErrors(`RegistrySettings '${this.node.path}'`);
    errors.check(
      props.scanFrequency !== "CONTINUOUS_SCAN" || props.scanType === "ENHANCED",
      `scanFrequency "CONTINUOUS_SCAN": continuous scanning needs scanType ENHANCED (Amazon Inspector), got ${JSON.stringify(props.scanType)}`,
    );
    errors.check(props.scanFilters.length > 0, "scanFilters: a scanning rule needs at least one repository filter");
    props.scanFilters.forEach((f, i) => errors.name(`scanFilters[${i}]`, f, "ecrScanFilter"));
    (props.replicationDestinations ?? []).forEach((d, i) => {
      errors.region(d.region, `replicationDestinations[${i}].region`);
      errors.matches(`replicationDestinations[${i}].registryId`, d.registryId, ACCOUNT_ID_PATTERN, "a 12-digit AWS account id");
    });
    errors.check(
      (props.replicationDestinations ?? []).length === 0 || (props.replicationPrefixes ?? []).length > 0,
      "replicationPrefixes: replication needs the repository prefixes it applies to",
    );
    errors.throwIfAny();
    this.scanning = new EcrRegistryScanningConfiguration(this, "scanning", {
      scanType: props.scanType,
      rule: [{ scanFrequency: props.scanFrequency, repositoryFilter: props.scanFilters.map((filter) => ({ filter, filterType: "WILDCARD" })) }],
    });
    const destinations = props.replicationDestinations ?? [];
    if (destinations.length > 0) {
      const prefixes = props.replicationPrefixes ?? [];
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
