import { DataAwsS3Objects } from "@cdktf/provider-aws/lib/data-aws-s3-objects";
import type { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Construct } from "constructs";

export interface StackPrerequisiteProps {
  /** Bucket that holds the prerequisite stack's state. */
  readonly stateBucket: string;
  /** Exact object key of the prerequisite stack's state. */
  readonly stateKey: string;
  /** Why this stack needs the other one first, as one sentence. */
  readonly reason: string;
  /** The command that applies the prerequisite, e.g. `cdktf deploy dev-github`. */
  readonly command: string;
  /** Provider for the state bucket's region. @default the stack's default AWS provider */
  readonly provider?: AwsProvider;
}

/**
 * Fails a stack's plan, with a message naming the command to run, until
 * another stack has been applied (its state object exists). Stacks carry no
 * cdktf-level dependencies, so that `cdktf deploy <stack>` runs as typed;
 * the order they need is enforced here instead, in every engine's plan.
 * Only the object's name is listed: never its content (a state can hold secrets).
 */
export class StackPrerequisite extends Construct {
  readonly listing: DataAwsS3Objects;

  constructor(scope: Construct, id: string, props: StackPrerequisiteProps) {
    super(scope, id);
    if (!props.stateKey || props.stateKey.startsWith("/")) throw new Error(`${id}: stateKey must be a relative object key, got '${props.stateKey}'`);
    this.listing = new DataAwsS3Objects(this, "state", {
      bucket: props.stateBucket,
      prefix: props.stateKey,
      maxKeys: 10,
      provider: props.provider,
      lifecycle: {
        postcondition: [
          {
            condition: `\${contains(self.keys, ${JSON.stringify(props.stateKey)})}`,
            errorMessage: `${props.reason} Run \`${props.command}\` first (no state at s3://${props.stateBucket}/${props.stateKey}).`,
          },
        ],
      },
    });
  }
}
