import { IamAccessKey } from "@cdktf/provider-aws/lib/iam-access-key";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { Construct } from "constructs";
import { PropErrors } from "./validation";

/**
 * Where a user's key rotation stands, as reviewable data (never the clock):
 * the same commit plans the same way tomorrow.
 */
export interface KeyRotation {
  /** Counts rotations; each generation's key is a resource of its own (`key-g<generation>`). */
  readonly generation: number;
  /**
   * The previous generation's key: `active` during the overlap (both keys
   * authenticate, consumers move at their pace), `inactive` once retired (AWS
   * refuses it, and it can still be re-activated), `deleted` once gone.
   */
  readonly previousKey: "active" | "inactive" | "deleted";
}

/** At most two keys exist (AWS allows two per user): the active generation's and, until deleted, the previous one's. */
export interface KeySlots {
  /** Generation of the key that is published. */
  readonly active: number;
  /** The previous generation's key while it exists. @default undefined (deleted) */
  readonly previous?: { readonly generation: number; readonly status: "Active" | "Inactive" };
}

export function keySlots(rotation: KeyRotation): KeySlots {
  if (!Number.isSafeInteger(rotation.generation) || rotation.generation < 1)
    throw new Error(`key generation must be a whole number >= 1, got ${rotation.generation}`);
  if (rotation.generation === 1 && rotation.previousKey !== "deleted") throw new Error("generation 1 has no previous key");
  const active = rotation.generation;
  if (rotation.previousKey === "deleted") return { active };
  return { active, previous: { generation: active - 1, status: rotation.previousKey === "active" ? "Active" : "Inactive" } };
}

export interface RotatingAccessKeyProps {
  /** The IAM user (created elsewhere: its policy is planned with the environment, its keys are not). */
  readonly userName: string;
  /** Where the rotation stands (keySlots decides which keys exist). */
  readonly rotation: KeyRotation;
  /** SSM parameter name (SecureString) of the active key's id, fully qualified (`/app/env/...`). */
  readonly accessKeyIdParameter: string;
  /** SSM parameter name (SecureString) of the active key's secret, fully qualified. */
  readonly secretAccessKeyParameter: string;
  /** KMS key id, ARN or alias for the SecureString parameters. @default the account's aws/ssm key */
  readonly parameterKeyId?: string;
}

/**
 * A user's access keys, one per generation and at most two at once, so a rotation never has a moment without
 * a working key: the new generation's key is created and becomes the one
 * published (SSM parameters, outputs), while the previous one keeps working
 * until it is retired on a later apply. Replacement-based rotation (one key,
 * recreated) leaves consumers with a dead key until they pick up the new one.
 */
export class RotatingAccessKey extends Construct {
  /** The published key. */
  readonly activeKey: IamAccessKey;
  /** The previous generation's key. @default undefined once deleted */
  readonly previousKey?: IamAccessKey;
  /** Which generations exist, and in which state. */
  readonly slots: KeySlots;
  /** Parameter holding the active key's id. */
  readonly accessKeyIdParameter: SsmParameter;
  /** Parameter holding the active key's secret. */
  readonly secretAccessKeyParameter: SsmParameter;

  constructor(scope: Construct, id: string, props: RotatingAccessKeyProps) {
    super(scope, id);
    const errors = new PropErrors(`RotatingAccessKey '${this.node.path}'`).name("userName", props.userName, "iam");
    errors
      .name("accessKeyIdParameter", props.accessKeyIdParameter, "ssmParameter")
      .name("secretAccessKeyParameter", props.secretAccessKeyParameter, "ssmParameter");
    errors.check(
      props.accessKeyIdParameter !== props.secretAccessKeyParameter,
      `the key id and the secret need two parameters, both are ${JSON.stringify(props.accessKeyIdParameter)}`,
    );
    const slots = errors.attempt(() => keySlots(props.rotation));
    errors.throwIfAny();
    this.slots = slots!;
    // One logical id per generation: a new generation always creates a new key (a slot reused
    // across generations would turn a retired key back on), and a step never replaces a key.
    const key = (generation: number, status: "Active" | "Inactive") => new IamAccessKey(this, `key-g${generation}`, { user: props.userName, status });
    this.activeKey = key(this.slots.active, "Active");
    if (this.slots.previous) this.previousKey = key(this.slots.previous.generation, this.slots.previous.status);
    // overwrite: these paths have one writer, this construct. A parameter left
    // behind by an interrupted apply (created in AWS, never recorded in state)
    // is adopted on the next apply instead of failing with ParameterAlreadyExists.
    const secureParameter = (id: string, name: string, what: string, value: string) =>
      new SsmParameter(this, id, {
        overwrite: true,
        name,
        description: `${what} of IAM user ${props.userName} (active key)`,
        type: "SecureString",
        keyId: props.parameterKeyId,
        value,
      });
    this.accessKeyIdParameter = secureParameter("access-key-id", props.accessKeyIdParameter, "Access key id", this.activeKey.id);
    this.secretAccessKeyParameter = secureParameter("secret-access-key", props.secretAccessKeyParameter, "Secret access key", this.activeKey.secret);
  }
}
