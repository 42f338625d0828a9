import { Testing } from "cdktf";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { ScanFindingsLog } from "../../constructs/scan-findings-log";

describe("ScanFindingsLog", () => {
  let log!: ScanFindingsLog;
  const out = Testing.synthScope((scope) => {
    log = new ScanFindingsLog(scope, "scan", {
      accountId: "111111111111",
      region: "us-east-1",
      ruleName: "shop-qa-ecr-scan-findings",
      logGroupName: "/aws/events/ecr-scan/shop-qa",
      repositoryNames: ["shop-worker-qa", "shop-api-qa"],
    });
  });

  it("keeps findings 30 days by default", () => {
    expect(out).toHaveResourceWithProperties(CloudwatchLogGroup, { name: "/aws/events/ecr-scan/shop-qa", retention_in_days: 30 });
  });

  it("matches only ECR image scan events of the given repositories", () => {
    expect(JSON.parse(log.eventPatternJson)).toEqual({
      source: ["aws.ecr"],
      "detail-type": ["ECR Image Scan"],
      detail: { "repository-name": ["shop-api-qa", "shop-worker-qa"] },
    });
  });

  it("delivers to the log group", () => {
    expect(out).toHaveResourceWithProperties(CloudwatchEventTarget, { target_id: "scan-findings-log" });
  });
});
