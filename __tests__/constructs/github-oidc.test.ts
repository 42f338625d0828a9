import { githubSubject, githubTrustPolicy } from "../../constructs/github-oidc";
import { renderPolicy } from "../../constructs/policy-document";

describe("githubSubject", () => {
  it.each([
    [{ kind: "branch", name: "main" }, "repo:acme/shop:ref:refs/heads/main"],
    [{ kind: "tag", name: "v1.2.3" }, "repo:acme/shop:ref:refs/tags/v1.2.3"],
    [{ kind: "environment", name: "prod" }, "repo:acme/shop:environment:prod"],
    [{ kind: "pull_request" }, "repo:acme/shop:pull_request"],
  ] as const)("maps %p to %p", (subject, sub) => {
    expect(githubSubject("acme/shop", subject)).toBe(sub);
  });

  it.each(["acme*", "acme/*", "*/shop", "acme", "acme/shop/x"])("refuses repository %p", (repo) => {
    expect(() => githubSubject(repo, { kind: "pull_request" })).toThrow(/must be 'owner\/name' with no wildcard/);
  });

  it.each(["*", "release/*", "v?"])("refuses the pattern %p as a branch", (name) => {
    expect(() => githubSubject("acme/shop", { kind: "branch", name })).toThrow(/must be a concrete name/);
  });
});

describe("githubTrustPolicy", () => {
  const providerArn = "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com";
  const statement = JSON.parse(renderPolicy(githubTrustPolicy(providerArn, "acme/shop", [{ kind: "environment", name: "prod" }]), "trust")).Statement;

  it("trusts only the account's GitHub provider for web identity", () => {
    expect(statement).toHaveLength(1);
    expect(statement[0].Principal).toEqual({ Federated: providerArn });
    expect(statement[0].Action).toEqual(["sts:AssumeRoleWithWebIdentity"]);
  });

  it("pins audience and subject with StringEquals, never StringLike", () => {
    expect(statement[0].Condition).toEqual({
      StringEquals: {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        "token.actions.githubusercontent.com:sub": "repo:acme/shop:environment:prod",
      },
    });
  });

  it("refuses a role with no subject", () => {
    expect(() => githubTrustPolicy(providerArn, "acme/shop", [])).toThrow(/at least one subject/);
  });
});
