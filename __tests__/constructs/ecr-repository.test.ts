import { Testing } from "cdktf";
import { EcrLifecyclePolicy } from "@cdktf/provider-aws/lib/ecr-lifecycle-policy";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { EcrRepositoryPolicy } from "@cdktf/provider-aws/lib/ecr-repository-policy";
import { ServiceRepository, type ServiceRepositoryProps } from "../../constructs/ecr-repository";
import { standardLifecycleRules } from "../../constructs/lifecycle-policy";

const base: ServiceRepositoryProps = {
  name: "shop-api-qa",
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

  it("uses the given KMS key", () => {
    const arn = "arn:aws:kms:eu-west-1:111111111111:key/0f6a3b2c-1111-2222-3333-444455556666";
    expect(synth({ encryption: { type: "KMS", kmsKeyArn: arn } }).out).toHaveResourceWithProperties(EcrRepository, {
      encryption_configuration: [{ encryption_type: "KMS", kms_key: arn }],
    });
  });
});
