import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchLogResourcePolicy } from "@cdktf/provider-aws/lib/cloudwatch-log-resource-policy";
import { Construct } from "constructs";
import { logGroupArn } from "./aws-partition";
import { renderPolicy } from "./policy-document";
import { PropErrors } from "./validation";

export interface ScanFindingsLogProps {
  /** Account of the repositories and of the log group. */
  readonly accountId: string;
  /** Region of the repositories, the rule and the log group. */
  readonly region: string;
  /** EventBridge rule name (1-64 letters, digits and `._-`); the log resource policy is `<ruleName>-delivery`. */
  readonly ruleName: string;
  /** Log group name (1-512 letters, digits and `_-/.#`). */
  readonly logGroupName: string;
  /** Repositories whose scan results are logged; at least one. */
  readonly repositoryNames: readonly string[];
  /** Days the log group keeps events (one of CloudWatch Logs' retention values). @default 30 */
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

/** The retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS: readonly number[] = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/**
 * Image scan results (seed 001): an EventBridge rule for "ECR Image Scan"
 * events of these repositories, delivered to a CloudWatch log group. The log
 * resource policy lets EventBridge write to that one group only.
 */
export class ScanFindingsLog extends Construct {
  /** The log group resource. */
  readonly logGroup: CloudwatchLogGroup;
  /** The EventBridge rule resource. */
  readonly rule: CloudwatchEventRule;
  /** The rule's event pattern as stored. */
  readonly eventPatternJson: string;

  constructor(scope: Construct, id: string, props: ScanFindingsLogProps) {
    super(scope, id);
    const errors = new PropErrors(`ScanFindingsLog '${this.node.path}'`).accountAndRegion(props);
    errors.name("ruleName", props.ruleName, "eventRule").name("logGroupName", props.logGroupName, "logGroup");
    errors.check(props.repositoryNames.length > 0, "repositoryNames: at least one repository's scan results must be logged");
    props.repositoryNames.forEach((n, i) => errors.name(`repositoryNames[${i}]`, n, "ecrRepository"));
    if (props.retentionInDays !== undefined)
      errors.check(
        LOG_RETENTION_DAYS.includes(props.retentionInDays),
        `retentionInDays ${props.retentionInDays} must be one of CloudWatch Logs' values (${LOG_RETENTION_DAYS.join(", ")})`,
      );
    errors.throwIfAny();
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
