import { TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { credentialsStackName, kmsAliasName, keyParameterLeaves, ssmPath } from "../environments/naming";
import type { EnvironmentConfig } from "../environments/schema";
import { platformAwsProvider } from "../constructs/aws-provider";
import { environmentRemoteState, providerPropsOf } from "./environment-providers";
import { namedOutput } from "../constructs/outputs";
import { RotatingAccessKey } from "../constructs/rotating-access-key";
import { identitiesOf } from "./identities";

/**
 * The long-lived secrets of one environment: the ECR and S3 users' access
 * keys (two slots each, rotated without downtime) and their SSM SecureString
 * parameters. A stack of its own so that its state, the only one holding these
 * secrets, is read by operators alone: the plan role that pull requests assume
 * can read the environment's state, never this one. The users and their
 * policies stay in the environment stack, where pull requests see them change.
 */
export class CredentialsStack extends TerraformStack {
  readonly ecrKey: RotatingAccessKey;
  readonly s3Key: RotatingAccessKey;

  constructor(
    scope: Construct,
    readonly env: EnvironmentConfig,
  ) {
    super(scope, credentialsStackName(env));
    platformAwsProvider(this, "aws", providerPropsOf(env));
    environmentRemoteState(this, env, "credentials");

    // One rotating key per identity of the catalogue that authenticates with access keys.
    const keys = new Map<"ecr" | "s3", RotatingAccessKey>();
    for (const identity of identitiesOf(env)) {
      if (identity.trust.by !== "access-key") continue;
      const user = identity.trust.keyUser;
      const leaves = keyParameterLeaves(user);
      keys.set(
        user,
        new RotatingAccessKey(this, `${user}-key`, {
          userName: identity.name,
          rotation: env.keyRotation[user],
          accessKeyIdParameter: ssmPath(env, leaves.accessKeyId),
          secretAccessKeyParameter: ssmPath(env, leaves.secretAccessKey),
          // By alias: the key belongs to the environment stack and is never read across stacks.
          parameterKeyId: kmsAliasName(env),
        }),
      );
    }
    this.ecrKey = keys.get("ecr")!;
    this.s3Key = keys.get("s3")!;

    for (const [user, rotating] of [
      ["ecr", this.ecrKey],
      ["s3", this.s3Key],
    ] as const) {
      const upper = user.toUpperCase();
      namedOutput(this, `${user}_aws_access_key_id`, rotating.activeKey.id, { description: `${upper} user access key id (active key)`, sensitive: true });
      namedOutput(this, `${user}_aws_secret_access_key`, rotating.activeKey.secret, {
        description: `${upper} user secret access key (active key)`,
        sensitive: true,
      });
      namedOutput(this, `${user}_key_generation`, String(env.keyRotation[user].generation), {
        description: `Rotation generation of the ${upper} user's active key`,
      });
      if (rotating.previousKey) {
        namedOutput(this, `${user}_previous_access_key_id`, rotating.previousKey.id, {
          description: `${upper} user previous key (${env.keyRotation[user].previousKey}), until retired`,
          sensitive: true,
        });
      }
    }
    namedOutput(this, "credentials_ssm_path", ssmPath(env, ""), { description: "SSM path of the active key pairs (SecureString)" });
  }
}
