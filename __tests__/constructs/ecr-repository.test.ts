import { Testing } from "cdktf";
import { EcrLifecyclePolicy } from "@cdktf/provider-aws/lib/ecr-lifecycle-policy";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { EcrRepositoryPolicy } from "@cdktf/provider-aws/lib/ecr-repository-policy";
import { ServiceRepository, type ServiceRepositoryProps } from "../../constructs/ecr-repository";
import { ECR_AUTH_ACTIONS, ECR_PULL_ACTIONS, ECR_PUSH_ACTIONS } from "../../constructs/ecr-actions";
import { standardLifecycleRules } from "../../constructs/lifecycle-policy";

const base: ServiceRepositoryProps = {
  name: "shop-api-qa",
  accountId: "111111111111",
  region: "eu-west-1",
  lifecycleRules: standardLifecycleRules({ taggedPrefixes: ["v"], keepLast: 5, untaggedExpiryDays: 3 }),
};

function synth(props: Partial<ServiceRepositoryProps> = {}) {
  let repo!: ServiceRepository;
  const out = Testing.synthScope((scope) => {
    repo = new ServiceRepository(scope, "repo", { ...base, ...props });
  });
  return { out, repo };
}

describe("ServiceRepository", () => {
  it("defaults to immutable tags, scan on push, AES256 and no force delete", () => {
    expect(synth().out).toHaveResourceWithProperties(EcrRepository, {
      name: "shop-api-qa",
      image_tag_mutability: "IMMUTABLE",
      image_scanning_configuration: { scan_on_push: true },
      encryption_configuration: [{ encryption_type: "AES256" }],
      force_delete: false,
    });
  });

  it("attaches the rendered lifecycle policy", () => {
    const { out, repo } = synth();
    expect(out).toHaveResourceWithProperties(EcrLifecyclePolicy, { policy: repo.lifecyclePolicyJson });
    expect(JSON.parse(repo.lifecyclePolicyJson).rules.map((r: any) => r.selection.tagStatus)).toEqual(["untagged", "tagged"]);
  });

  it("has no repository policy by default", () => {
    const { out, repo } = synth();
    expect(out).not.toHaveResource(EcrRepositoryPolicy);
    expect(repo.repositoryPolicyJson).toBeUndefined();
  });

  it("turns account ids into root principals of the region's partition", () => {
    const { repo } = synth({ region: "us-gov-west-1", crossAccountPullPrincipals: ["123456789012"] });
    expect(JSON.parse(repo.repositoryPolicyJson!).Statement[0].Principal).toEqual({ AWS: ["arn:aws-us-gov:iam::123456789012:root"] });
  });

  it.each([
    "arn:aws:iam::222222222222:root",
    "arn:aws:iam::222222222222:role/runtime",
    "arn:aws:iam::222222222222:role/path/x/runtime",
    "arn:aws:iam::222222222222:user/ci",
  ])("accepts the IAM principal %s as given", (principal) => {
    const { repo } = synth({ crossAccountPullPrincipals: [principal] });
    expect(JSON.parse(repo.repositoryPolicyJson!).Statement[0]).toMatchObject({ Principal: { AWS: [principal] }, Action: [...ECR_PULL_ACTIONS].sort() });
  });

  it("uses the given KMS key", () => {
    const arn = "arn:aws:kms:eu-west-1:111111111111:key/0f6a3b2c-1111-2222-3333-444455556666";
    expect(synth({ encryption: { type: "KMS", kmsKeyArn: arn } }).out).toHaveResourceWithProperties(EcrRepository, {
      encryption_configuration: [{ encryption_type: "KMS", kms_key: arn }],
    });
  });

  describe("handles", () => {
    it.each([
      ["eu-west-1", "arn:aws:ecr:eu-west-1:111111111111:repository/shop/api", "111111111111.dkr.ecr.eu-west-1.amazonaws.com/shop/api"],
      ["cn-north-1", "arn:aws-cn:ecr:cn-north-1:111111111111:repository/shop/api", "111111111111.dkr.ecr.cn-north-1.amazonaws.com.cn/shop/api"],
    ])("in %s: name, ARN and URL known at synthesis", (region, arn, url) => {
      const { repo } = synth({ region, name: "shop/api" });
      expect(repo.repositoryName).toBe("shop/api");
      expect(repo.repositoryArn).toBe(arn);
      expect(repo.repositoryUrl).toBe(url);
    });
  });

  describe("grants", () => {
    it.each([
      ["grantPull", [...ECR_PULL_ACTIONS]],
      ["grantPush", [...ECR_PUSH_ACTIONS]],
      ["grantPullPush", [...new Set([...ECR_PULL_ACTIONS, ...ECR_PUSH_ACTIONS])]],
    ] as const)("%s: the actions on this repository only, and the login token on *", (method, actions) => {
      const { repo } = synth();
      const [login, onRepo] = repo[method]();
      expect(login).toMatchObject({ actions: [...ECR_AUTH_ACTIONS], resources: ["*"] });
      expect([...onRepo.actions].sort()).toEqual([...actions].sort());
      expect(onRepo.resources).toEqual([repo.repositoryArn]);
    });
  });

  describe("validation", () => {
    it.each([
      ["an upper-case name", { name: "Shop-API" }, /name "Shop-API" must be 2-256 lowercase/],
      ["a one-character name", { name: "a" }, /name "a" must be 2-256/],
      ["a name with a doubled separator", { name: "shop--api" }, /name "shop--api"/],
      ["a name with a leading slash", { name: "/shop" }, /name "\/shop"/],
      ["a name of 257 characters", { name: "a".repeat(257) }, /name "a{257}"/],
      ["a short account id", { accountId: "1111" }, /accountId "1111" must be a 12-digit AWS account id/],
      ["a region that is not one", { region: "Europe" }, /region "Europe" must be an AWS region name/],
      [
        "a principal that is neither an account nor an ARN",
        { crossAccountPullPrincipals: ["alice"] },
        /principal "alice" must be a 12-digit account id or an IAM/,
      ],
      ["an 11-digit account", { crossAccountPullPrincipals: ["22222222222"] }, /principal "22222222222"/],
      ["a wildcard principal", { crossAccountPullPrincipals: ["*"] }, /principal "\*"/],
      [
        "an ARN of another partition",
        { crossAccountPullPrincipals: ["arn:aws:iam::222222222222:root"], region: "cn-north-1" },
        /principal "arn:aws:iam::222222222222:root" .*partition 'aws-cn'/,
      ],
      ["a non-IAM ARN", { crossAccountPullPrincipals: ["arn:aws:s3:::bucket"] }, /principal "arn:aws:s3:::bucket"/],
      [
        "a KMS key ARN of another partition",
        { encryption: { type: "KMS", kmsKeyArn: "arn:aws:kms:cn-north-1:111111111111:key/k" }, region: "cn-north-1" },
        /encryption.kmsKeyArn "arn:aws:kms:cn-north-1:111111111111:key\/k" must be a KMS key ARN of partition 'aws-cn'/,
      ],
      ["a KMS key id instead of an ARN", { encryption: { type: "KMS", kmsKeyArn: "0f6a3b2c" } }, /encryption.kmsKeyArn "0f6a3b2c"/],
      ["no lifecycle rule", { lifecycleRules: [] }, /a lifecycle policy needs at least one rule/],
    ] as const)("refuses %s", (_what, props, message) => {
      expect(() => synth(props as Partial<ServiceRepositoryProps>)).toThrow(message);
    });

    it("reports every problem at once, naming the construct", () => {
      expect(() => synth({ name: "Bad", accountId: "1", crossAccountPullPrincipals: ["x", "y"] })).toThrow(
        /ServiceRepository '.*repo': 4 invalid props:\n- name "Bad".*\n- accountId "1".*\n- crossAccountPullPrincipals: principal "x".*\n- crossAccountPullPrincipals: principal "y"/,
      );
    });

    it("shows control characters escaped", () => {
      expect(() => synth({ name: "shop\u001b[31m" })).toThrow(/name "shop\\u001b\[31m"/);
    });
  });
});
