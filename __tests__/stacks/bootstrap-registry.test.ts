import { Testing } from "cdktf";
import { loadEnvironments } from "../../environments";
import { addPlatformStacks } from "../../stacks/platform-app";
import { envInput, onlyResource, resourcesOf, synthJson } from "../helpers";

describe("registry settings in the bootstrap stack (once per account and region)", () => {
  const envs = loadEnvironments([
    envInput({
      ecr: {
        registry: {
          scanType: "ENHANCED",
          scanFrequency: "CONTINUOUS_SCAN",
          scanFilters: ["shop-*"],
          replicateTo: [{ region: "us-west-2" }, { region: "us-east-1", accountId: "999999999999" }],
        },
      },
    }),
  ]);
  const stacks = addPlatformStacks(Testing.app(), envs);
  const json = synthJson(stacks.bootstrap[0]);

  it("scans every matching repository with Amazon Inspector, continuously", () => {
    expect(onlyResource(json, "aws_ecr_registry_scanning_configuration")).toEqual(
      expect.objectContaining({
        scan_type: "ENHANCED",
        rule: [{ scan_frequency: "CONTINUOUS_SCAN", repository_filter: [{ filter: "shop-*", filter_type: "WILDCARD" }] }],
      }),
    );
  });

  it("replicates this registry's repositories to the destinations, by exact name prefix", () => {
    const { replication_configuration } = onlyResource(json, "aws_ecr_replication_configuration");
    expect(replication_configuration.rule).toEqual([
      {
        destination: [
          { region: "us-west-2", registry_id: "111111111111" },
          { region: "us-east-1", registry_id: "999999999999" },
        ],
        repository_filter: [
          { filter: "shop-api-qa", filter_type: "PREFIX_MATCH" },
          { filter: "shop-worker-qa", filter_type: "PREFIX_MATCH" },
        ],
      },
    ]);
  });

  it("routes Inspector findings (not ECR basic scan events) of the environment's repositories to its log group", () => {
    const rule = onlyResource(synthJson(stacks.environments[0]), "aws_cloudwatch_event_rule");
    expect(JSON.parse(rule.event_pattern)).toEqual({
      source: ["aws.inspector2"],
      "detail-type": ["Inspector2 Finding"],
      detail: { resources: { details: { awsEcrContainerImage: { repositoryName: ["shop-api-qa", "shop-worker-qa"] } } } },
    });
  });

  it("manages nothing registry-wide when no environment asks", () => {
    const plain = synthJson(addPlatformStacks(Testing.app(), loadEnvironments([envInput()])).bootstrap[0]);
    expect(resourcesOf(plain, "aws_ecr_registry_scanning_configuration")).toHaveLength(0);
    expect(resourcesOf(plain, "aws_ecr_replication_configuration")).toHaveLength(0);
  });

  it("puts a registry whose region holds no state bucket in a bootstrap stack of its own region", () => {
    const split = loadEnvironments([envInput({ region: "eu-west-1", ecr: { registry: { scanType: "BASIC" } } })]);
    const { bootstrap } = addPlatformStacks(Testing.app(), split);
    const byName = Object.fromEntries(bootstrap.map((b) => [b.node.id, synthJson(b)]));
    expect(Object.keys(byName).sort()).toEqual(["bootstrap-111111111111-eu-west-1", "bootstrap-111111111111-us-east-1"]);
    expect(resourcesOf(byName["bootstrap-111111111111-eu-west-1"], "aws_ecr_registry_scanning_configuration")).toHaveLength(1);
    expect(resourcesOf(byName["bootstrap-111111111111-eu-west-1"], "aws_s3_bucket")).toHaveLength(0);
    expect(resourcesOf(byName["bootstrap-111111111111-us-east-1"], "aws_s3_bucket").map((b) => b.bucket)).toEqual([
      "acme-state-111111111111-logs",
      "acme-state-111111111111",
    ]);
  });
});
