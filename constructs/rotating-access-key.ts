import { IamAccessKey } from "@cdktf/provider-aws/lib/iam-access-key";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { Construct } from "constructs";

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
  readonly active: number;
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
  readonly rotation: KeyRotation;
  /** SSM parameter names for the active key's id and secret (SecureString). */
  readonly accessKeyIdParameter: string;
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
  readonly activeKey: IamAccessKey;
  readonly previousKey?: IamAccessKey;
  readonly slots: KeySlots;
  readonly accessKeyIdParameter: SsmParameter;
  readonly secretAccessKeyParameter: SsmParameter;

  constructor(scope: Construct, id: string, props: RotatingAccessKeyProps) {
    super(scope, id);
    this.slots = keySlots(props.rotation);
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
