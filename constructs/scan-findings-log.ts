import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchLogResourcePolicy } from "@cdktf/provider-aws/lib/cloudwatch-log-resource-policy";
import { Construct } from "constructs";
import { logGroupArn } from "./aws-partition";
import { renderPolicy } from "./policy-document";

export interface ScanFindingsLogProps {
  readonly accountId: string;
  readonly region: string;
  readonly ruleName: string;
  readonly logGroupName: string;
  /** Repositories whose scan results are logged. */
  readonly repositoryNames: readonly string[];
  /** @default 30 */
  readonly retentionInDays?: number;
  /**
   * Which scanner's events: `ecr` (basic scanning: "ECR Image Scan" from
   * aws.ecr) or `inspector` (enhanced scanning: "Inspector2 Finding" from
   * aws.inspector2, one event per vulnerability). @default "ecr"
   */
  readonly findings?: "ecr" | "inspector";
  /** KMS key for the log group. @default CloudWatch Logs' own encryption */
  readonly kmsKeyArn?: string;
}

/**
 * Image scan results (seed 001): an EventBridge rule for "ECR Image Scan"
 * events of these repositories, delivered to a CloudWatch log group. The log
 * resource policy lets EventBridge write to that one group only.
 */
export class ScanFindingsLog extends Construct {
  readonly logGroup: CloudwatchLogGroup;
  readonly rule: CloudwatchEventRule;
  readonly eventPatternJson: string;

  constructor(scope: Construct, id: string, props: ScanFindingsLogProps) {
    super(scope, id);
    const groupArn = logGroupArn(props.region, props.accountId, props.logGroupName);
    this.logGroup = new CloudwatchLogGroup(this, "log-group", {
      name: props.logGroupName,
      retentionInDays: props.retentionInDays ?? 30,
      kmsKeyId: props.kmsKeyArn,
    });
    const repositories = [...props.repositoryNames].sort();
    this.eventPatternJson = JSON.stringify(
      props.findings === "inspector"
        ? {
            source: ["aws.inspector2"],
            "detail-type": ["Inspector2 Finding"],
            detail: { resources: { details: { awsEcrContainerImage: { repositoryName: repositories } } } },
          }
        : { source: ["aws.ecr"], "detail-type": ["ECR Image Scan"], detail: { "repository-name": repositories } },
    );
    this.rule = new CloudwatchEventRule(this, "rule", {
      name: props.ruleName,
      description: "ECR image scan results of this environment's repositories",
      eventPattern: this.eventPatternJson,
    });
    new CloudwatchLogResourcePolicy(this, "delivery-policy", {
      policyName: `${props.ruleName}-delivery`,
      policyDocument: renderPolicy(
        {
          statements: [
            {
              sid: "EventBridgeWritesScanFindings",
              actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
              principal: { Service: ["events.amazonaws.com", "delivery.logs.amazonaws.com"] },
              resources: [`${groupArn}:*`],
            },
          ],
        },
        "resource",
      ),
    });
    new CloudwatchEventTarget(this, "target", { rule: this.rule.name, targetId: "scan-findings-log", arn: this.logGroup.arn });
  }
}
