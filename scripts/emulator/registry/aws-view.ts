import { readFileSync } from "node:fs";
import { Agent } from "node:https";
import {
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetRepositoryPolicyCommand,
  PutImageCommand,
  type ImageIdentifier,
} from "@aws-sdk/client-ecr";
import {
  GetGroupPolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRolePolicyCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListAttachedGroupPoliciesCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupPoliciesCommand,
  ListGroupsForUserCommand,
  ListRolePoliciesCommand,
  ListUserPoliciesCommand,
  type AttachedPolicy,
} from "@aws-sdk/client-iam";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { NamedPolicy } from "../../lib/simulator";

export interface Repository {
  readonly name: string;
  readonly arn: string;
  readonly registryId: string;
  readonly mutability: "MUTABLE" | "IMMUTABLE";
}

/**
 * What is deployed, read back from the emulator with the operator's
 * credentials on every request: repositories, their policies and images, and
 * the identity policies of a principal. Nothing here comes from config.
 */
export interface AwsView {
  repository(name: string): Promise<Repository | undefined>;
  repositoryPolicy(name: string): Promise<unknown>;
  identityPolicies(principalArn: string): Promise<NamedPolicy[]>;
  imageDigestOfTag(repository: string, tag: string): Promise<string | undefined>;
  recordImage(repository: string, manifest: string, mediaType: string, digest: string, tag: string | undefined): Promise<void>;
}

const OPERATOR = { accessKeyId: "testing", secretAccessKey: "testing" };

const notFound = (e: unknown, ...names: string[]) => names.includes((e as { name?: string }).name ?? "");

export function awsView(endpoint: string, caFile: string, region: string): AwsView {
  const requestHandler = new NodeHttpHandler({ httpsAgent: new Agent({ ca: readFileSync(caFile, "utf8"), keepAlive: true }) });
  const base = { region, endpoint, requestHandler };
  const ecr = new ECRClient({ ...base, credentials: OPERATOR });
  const iamByAccount = new Map<string, Promise<IAMClient>>();

  /** IAM of another account is read with credentials of that account (the emulator scopes IAM by the signing key). */
  const iamOf = (account: string, homeAccount: string) => {
    if (!iamByAccount.has(account)) {
      iamByAccount.set(
        account,
        (async () => {
          if (account === homeAccount) return new IAMClient({ ...base, credentials: OPERATOR });
          const { Credentials: c } = await new STSClient({ ...base, credentials: OPERATOR }).send(
            new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/registry-standin-reader`, RoleSessionName: "registry-standin" }),
          );
          return new IAMClient({
            ...base,
            credentials: { accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken! },
          });
        })(),
      );
    }
    return iamByAccount.get(account)!;
  };

  let homeAccount: string | undefined;
  const home = async () => {
    if (!homeAccount) {
      const { GetCallerIdentityCommand } = await import("@aws-sdk/client-sts");
      homeAccount = (await new STSClient({ ...base, credentials: OPERATOR }).send(new GetCallerIdentityCommand({}))).Account!;
    }
    return homeAccount;
  };

  const attached = async (iam: IAMClient, list: AttachedPolicy[] | undefined): Promise<NamedPolicy[]> =>
    Promise.all(
      (list ?? []).map(async (p) => {
        const { Policy } = await iam.send(new GetPolicyCommand({ PolicyArn: p.PolicyArn }));
        const { PolicyVersion } = await iam.send(new GetPolicyVersionCommand({ PolicyArn: p.PolicyArn, VersionId: Policy!.DefaultVersionId }));
        return { name: p.PolicyName!, policy: JSON.parse(decodeURIComponent(PolicyVersion!.Document!)) };
      }),
    );
  const doc = (text: string | undefined) => JSON.parse(decodeURIComponent(text ?? "{}"));

  return {
    async repository(name) {
      try {
        const { repositories } = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [name] }));
        const r = repositories![0];
        return { name, arn: r.repositoryArn!, registryId: r.registryId!, mutability: r.imageTagMutability === "IMMUTABLE" ? "IMMUTABLE" : "MUTABLE" };
      } catch (e) {
        if (notFound(e, "RepositoryNotFoundException")) return undefined;
        throw e;
      }
    },
    async repositoryPolicy(name) {
      try {
        return JSON.parse((await ecr.send(new GetRepositoryPolicyCommand({ repositoryName: name }))).policyText!);
      } catch (e) {
        if (notFound(e, "RepositoryPolicyNotFoundException")) return undefined;
        throw e;
      }
    },
    async identityPolicies(principalArn) {
      const [, , service, , account, resource] = principalArn.split(":");
      if (resource === "root") return [];
      const iam = await iamOf(account, await home());
      if (service === "iam" && resource.startsWith("user/")) {
        const UserName = resource.split("/").pop()!;
        const inline = (await iam.send(new ListUserPoliciesCommand({ UserName }))).PolicyNames ?? [];
        const own = await Promise.all(
          inline.map(async (PolicyName) => ({
            name: PolicyName,
            policy: doc((await iam.send(new GetUserPolicyCommand({ UserName, PolicyName }))).PolicyDocument),
          })),
        );
        const ownAttached = await attached(iam, (await iam.send(new ListAttachedUserPoliciesCommand({ UserName }))).AttachedPolicies);
        const groups = (await iam.send(new ListGroupsForUserCommand({ UserName }))).Groups ?? [];
        const viaGroups = await Promise.all(
          groups.map(async ({ GroupName }) => {
            const names = (await iam.send(new ListGroupPoliciesCommand({ GroupName }))).PolicyNames ?? [];
            const inlineGroup = await Promise.all(
              names.map(async (PolicyName) => ({
                name: `${GroupName}/${PolicyName}`,
                policy: doc((await iam.send(new GetGroupPolicyCommand({ GroupName, PolicyName }))).PolicyDocument),
              })),
            );
            return [...inlineGroup, ...(await attached(iam, (await iam.send(new ListAttachedGroupPoliciesCommand({ GroupName }))).AttachedPolicies))];
          }),
        );
        return [...own, ...ownAttached, ...viaGroups.flat()];
      }
      if (service === "sts" && resource.startsWith("assumed-role/")) {
        const RoleName = resource.split("/")[1];
        const names = (await iam.send(new ListRolePoliciesCommand({ RoleName }))).PolicyNames ?? [];
        const inline = await Promise.all(
          names.map(async (PolicyName) => ({
            name: PolicyName,
            policy: doc((await iam.send(new GetRolePolicyCommand({ RoleName, PolicyName }))).PolicyDocument),
          })),
        );
        return [...inline, ...(await attached(iam, (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName }))).AttachedPolicies))];
      }
      return [];
    },
    async imageDigestOfTag(repository, tag) {
      try {
        const imageIds: ImageIdentifier[] = [{ imageTag: tag }];
        const { imageDetails } = await ecr.send(new DescribeImagesCommand({ repositoryName: repository, imageIds }));
        return imageDetails?.[0]?.imageDigest;
      } catch (e) {
        if (notFound(e, "ImageNotFoundException")) return undefined;
        throw e;
      }
    },
    async recordImage(repository, manifest, mediaType, digest, tag) {
      await ecr.send(
        new PutImageCommand({
          repositoryName: repository,
          imageManifest: manifest,
          imageManifestMediaType: mediaType,
          imageDigest: digest,
          ...(tag ? { imageTag: tag } : {}),
        }),
      );
    },
  };
}
