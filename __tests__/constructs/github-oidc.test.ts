import { githubSubject, githubTrustPolicy, type GithubRepositoryRef } from "../../constructs/github-oidc";
import { renderPolicy } from "../../constructs/policy-document";

const immutable: GithubRepositoryRef = { owner: "acme", name: "shop", subjectFormat: "immutable", ownerId: 123456, repositoryId: 456789 };
const legacy: GithubRepositoryRef = { owner: "acme", name: "shop", subjectFormat: "legacy" };

describe("githubSubject", () => {
  it.each([
    [{ kind: "branch", name: "main" }, "ref:refs/heads/main"],
    [{ kind: "tag", name: "v1.2.3" }, "ref:refs/tags/v1.2.3"],
    [{ kind: "environment", name: "prod" }, "environment:prod"],
    [{ kind: "pull_request" }, "pull_request"],
  ] as const)("maps %p to the context %p in both subject formats", (subject, context) => {
    expect(githubSubject(legacy, subject)).toBe(`repo:acme/shop:${context}`);
    expect(githubSubject(immutable, subject)).toBe(`repo:acme@123456/shop@456789:${context}`);
  });

  it("writes GitHub's documented immutable example exactly", () => {
    // GitHub's OIDC reference, "Immutable subject claims".
    const octocat: GithubRepositoryRef = { owner: "octocat", name: "my-repo", subjectFormat: "immutable", ownerId: 123456, repositoryId: 456789 };
    expect(githubSubject(octocat, { kind: "branch", name: "main" })).toBe("repo:octocat@123456/my-repo@456789:ref:refs/heads/main");
  });

  it.each([
    ["acme*", "shop"],
    ["acme", "*"],
    ["*", "shop"],
    ["acme/x", "shop"],
    ["acme", "shop/x"],
    ["acme", ".."],
    ["acme", "."],
    ["acme", "shop.git"],
    ["-acme", "shop"],
    ["ac--me", "shop"],
  ])("refuses repository %p/%p as GitHub does (no wildcard, no reserved name)", (owner, name) => {
    expect(() => githubSubject({ owner, name, subjectFormat: "legacy" }, { kind: "pull_request" })).toThrow(
      /^GitHub repository ".*": (must be 'owner\/name'|the owner must|the repository name)/,
    );
  });

  it.each([0, -1, 1.5, Number.NaN])("refuses the id %p", (id) => {
    expect(() => githubSubject({ ...immutable, repositoryId: id }, { kind: "pull_request" })).toThrow(/positive integers/);
  });

  it.each(["*", "release/*", "v?"])("refuses the pattern %p as a branch", (name) => {
    expect(() => githubSubject(legacy, { kind: "branch", name })).toThrow(/must be a concrete name/);
  });
});

describe("githubTrustPolicy", () => {
  const providerArn = "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com";
  const statement = JSON.parse(renderPolicy(githubTrustPolicy(providerArn, immutable, [{ kind: "environment", name: "prod" }]), "trust")).Statement;

  it("trusts only the account's GitHub provider for web identity", () => {
    expect(statement).toHaveLength(1);
    expect(statement[0].Principal).toEqual({ Federated: providerArn });
    expect(statement[0].Action).toEqual(["sts:AssumeRoleWithWebIdentity"]);
  });

  it("pins audience and one subject form with StringEquals, never StringLike and never both forms", () => {
    expect(statement[0].Condition).toEqual({
      StringEquals: {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        "token.actions.githubusercontent.com:sub": "repo:acme@123456/shop@456789:environment:prod",
      },
    });
  });

  it("refuses a role with no subject", () => {
    expect(() => githubTrustPolicy(providerArn, immutable, [])).toThrow(/at least one subject/);
  });
});
