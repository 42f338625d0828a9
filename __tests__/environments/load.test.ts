import { APP, ConfigError, ENVIRONMENTS, loadEnvironments } from "../../environments";
import { environmentInputs } from "../../environments/app-config";
import { FIXTURE_APP } from "../fixtures/app";
import { envInput, TEST_REPOSITORY } from "../helpers";

/** The problems ConfigError reports for these inputs (fails the test if none are raised). */
function problemsOf(inputs: unknown[]): string[] {
  try {
    loadEnvironments(inputs);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return [...(err as ConfigError).problems];
  }
  throw new Error("expected a ConfigError");
}

describe("committed environments (environments/app.ts)", () => {
  const envs = loadEnvironments(ENVIRONMENTS);

  it("are the user's, in the order environments/app.ts states them (the emulator's environment is the main job's, added only when asked)", () => {
    expect(envs.map((e) => e.name)).toEqual(APP.environments.map((e) => e.name));
    expect(envs.filter((e) => e.emulatorEndpoint)).toEqual([]);
  });

  it("all deploy from the app's repository, as its tokens name it, and build the app's services", () => {
    for (const e of envs) {
      expect(e.github).toMatchObject({ ...APP.github, subjectFormat: APP.github.subjectFormat ?? "immutable" });
      expect([e.app, e.services.map((s) => s.name)]).toEqual([APP.name, APP.services.map((s) => s.name)]);
    }
  });

  it("give every environment its own state key", () => {
    const keys = envs.map((e) => `${e.state.bucket}/${e.state.key}`);
    expect(new Set(keys).size).toBe(envs.length);
  });
});

describe("an app's environments, derived from environments/app.ts's shape (the fixture app)", () => {
  const envs = loadEnvironments(environmentInputs(FIXTURE_APP));
  const byName = (name: string) => envs.find((e) => e.name === name)!;

  it("fills in app, services, repository and a GitHub environment of the environment's name", () => {
    expect(envs.map((e) => [e.name, e.app, e.services.map((s) => s.name), e.github.repository, e.github.deployFrom.kind, e.github.deployFrom.name])).toEqual([
      ["dev", "shop", ["api", "worker"], "acme/shop", "environment", "dev"],
      ["staging", "shop", ["api", "worker"], "acme/shop", "environment", "staging"],
      ["prod", "shop", ["api", "worker"], "acme/shop", "environment", "prod"],
    ]);
    for (const e of envs) expect(e.github).toMatchObject({ subjectFormat: "immutable", ownerId: 81234567, repositoryId: 912345678 });
  });

  it("names the state bucket per owner, app and account, the state key per environment, and an S3 bucket per environment", () => {
    expect(envs.map((e) => [e.state.bucket, e.state.key, e.state.region, e.s3UserBuckets])).toEqual([
      ["acme-shop-tfstate-111111111111", "shop/dev.tfstate", "us-east-1", ["shop-dev-assets"]],
      ["acme-shop-tfstate-111111111111", "shop/staging.tfstate", "us-east-1", ["shop-staging-assets"]],
      ["acme-shop-tfstate-222222222222", "shop/prod.tfstate", "eu-west-1", ["shop-prod-assets"]],
    ]);
  });

  it("keeps prod immutable, KMS-encrypted and pull-only for the runtime account", () => {
    const prod = byName("prod");
    expect(prod.ecr.tagMutability).toBe("IMMUTABLE");
    expect(prod.ecr.encryption).toEqual({ type: "KMS" });
    expect(prod.ecr.forceDelete).toBe(false);
    expect(prod.ecr.crossAccountPullPrincipals).toEqual(["333333333333"]);
  });

  it.each(["staging", "prod"])("makes %s deployable only from main and only after a reviewer approved", (name) => {
    const deploy = byName(name).github.deployFrom;
    expect(deploy.kind).toBe("environment");
    if (deploy.kind !== "environment") return;
    expect(deploy.protection.deploymentRefs).toEqual({ branches: ["main"], tags: [] });
    expect(deploy.protection.reviewers).toEqual({ users: [], teams: [4312001] });
    expect(deploy.protection).toMatchObject({ preventSelfReview: true, adminsCanBypass: false });
  });

  it("keeps an account's one derived state bucket in its first environment's region, whatever region the others use", () => {
    const [dev, staging] = FIXTURE_APP.environments;
    const app = { ...FIXTURE_APP, environments: [dev, { ...staging, region: "ap-southeast-2" as const }] };
    const envs = loadEnvironments(environmentInputs(app));
    expect(envs.map((e) => [e.region, e.state.bucket, e.state.region])).toEqual([
      ["us-east-1", "acme-shop-tfstate-111111111111", "us-east-1"],
      ["ap-southeast-2", "acme-shop-tfstate-111111111111", "us-east-1"],
    ]);
  });

  it("takes an environment's own state, S3 buckets and deploy source over the derived ones", () => {
    const app = {
      ...FIXTURE_APP,
      environments: [
        {
          ...FIXTURE_APP.environments[0],
          s3UserBuckets: ["shared-assets"],
          state: { bucket: "my-state", key: "a/b.tfstate", region: "us-west-2" as const },
          github: { deployFrom: { kind: "branch" as const, name: "release" } },
        },
      ],
    };
    const [env] = loadEnvironments(environmentInputs(app));
    expect([env.s3UserBuckets, env.state.bucket, env.state.key, env.github.deployFrom]).toEqual([
      ["shared-assets"],
      "my-state",
      "a/b.tfstate",
      { kind: "branch", name: "release" },
    ]);
  });
});

describe("defaults", () => {
  it("fill the lifecycle and security defaults", () => {
    const [env] = loadEnvironments([envInput()]);
    expect(env.ecr).toEqual({
      imageRetentionCount: 10,
      untaggedExpiryDays: 7,
      taggedPrefixes: ["v", "release", "main", "develop"],
      taggedPatterns: [],
      tagMutability: "IMMUTABLE",
      encryption: { type: "AES256" },
      scanOnPush: true,
      runtimePullServices: [],
      crossAccountPullPrincipals: [],
      forceDelete: false,
      scanLogRetentionDays: 30,
    });
    expect(env.github.planOnPullRequests).toBe(true);
    expect(env.github.publishStaticEcrKeys).toBe(false);
    expect(env.state.lock).toBe("lockfile");
    expect(env.githubOidcProvider).toBe("create");
  });
});

describe("bad input names the environment and the field", () => {
  it("rejects a service name ECR would refuse", () => {
    const problems = problemsOf([envInput({ name: "prod", services: [{ name: "api" }, { name: "Worker_" }] })]);
    expect(problems).toEqual([expect.stringMatching(/^prod\.services\[1\]\.name: must match \^\[a-z0-9\]/)]);
  });

  it("rejects a repository name override with upper case", () => {
    const problems = problemsOf([envInput({ services: [{ name: "api", repositoryName: "Shop/API" }] })]);
    expect(problems).toEqual([expect.stringMatching(/^qa\.services\[0\]\.repositoryName: must be a valid ECR repository name/)]);
  });

  it.each([0, -3, 2.5])("rejects imageRetentionCount %p", (count) => {
    const problems = problemsOf([envInput({ ecr: { imageRetentionCount: count } })]);
    expect(problems).toEqual([expect.stringMatching(/^qa\.ecr\.imageRetentionCount: /)]);
  });

  it("rejects untaggedExpiryDays of 0", () => {
    expect(problemsOf([envInput({ ecr: { untaggedExpiryDays: 0 } })])).toEqual(["qa.ecr.untaggedExpiryDays: must be > 0"]);
  });

  it("rejects duplicate services", () => {
    const problems = problemsOf([envInput({ services: [{ name: "api" }, { name: "api" }] })]);
    expect(problems).toEqual(["qa.services[1].name: duplicate service 'api' (also services[0])"]);
  });

  it("rejects an unknown region", () => {
    const problems = problemsOf([envInput({ region: "us-east-9" as never })]);
    expect(problems).toEqual([expect.stringMatching(/^qa\.region: must be one of the AWS regions/)]);
  });

  it.each(["12345678901", "12345678901a", "1234567890123"])("rejects account id %p", (accountId) => {
    expect(problemsOf([envInput({ accountId })])).toEqual(["qa.accountId: must be a 12-digit AWS account id"]);
  });

  it.each(["shop", "acme/shop/extra", "*/shop", "acme/*", "ac me/shop"])("rejects GitHub repository %p", (repository) => {
    const problems = problemsOf([envInput({ github: { ...TEST_REPOSITORY, repository, deployFrom: { kind: "branch", name: "main" } } })]);
    expect(problems).toEqual(["qa.github.repository: must be 'owner/name' with no wildcard"]);
  });

  it.each([
    ["branch", "release/*"],
    ["environment", "*"],
    ["tag", "v?"],
  ] as const)("rejects a wildcard %s subject %p", (kind, name) => {
    const problems = problemsOf([envInput({ github: { ...TEST_REPOSITORY, deployFrom: { kind, name } } })]);
    expect(problems).toEqual([expect.stringMatching(/^qa\.github\.deployFrom\.name: .* must not contain '\*' or '\?'/)]);
  });

  it("rejects two environments sharing a state object, derived keys included", () => {
    const state = { bucket: "acme-state-111111111111", key: "shop/shared.tfstate", region: "us-east-1" } as const;
    const problems = problemsOf([envInput({ name: "qa", state }), envInput({ name: "uat", state })]);
    expect(problems).toEqual([
      "uat.state.key: state object 'shop/shared.tfstate' is also qa's",
      "uat.state.key (derived for uat-credentials): state object 'shop/shared-credentials.tfstate' is also qa's",
      "uat.state.key (derived for uat-github): state object 'shop/shared-github.tfstate' is also qa's",
    ]);
  });

  it("rejects environments of one account that disagree about the OIDC provider", () => {
    const problems = problemsOf([
      envInput({ name: "qa" }),
      envInput({ name: "uat", githubOidcProvider: "existing", state: { bucket: "acme-state-111111111111", key: "shop/uat.tfstate", region: "us-east-1" } }),
    ]);
    expect(problems).toEqual([expect.stringMatching(/^uat\.githubOidcProvider: 'existing' but qa in the same account 111111111111 says 'create'/)]);
  });

  it("rejects a repository that two environments would both own", () => {
    const problems = problemsOf([
      envInput({ name: "qa", services: [{ name: "api", repositoryName: "shared-api" }] }),
      envInput({
        name: "uat",
        services: [{ name: "api", repositoryName: "shared-api" }],
        state: { bucket: "acme-state-111111111111", key: "shop/uat.tfstate", region: "us-east-1" },
      }),
    ]);
    expect(problems).toEqual(["uat.services[0].repositoryName: repository already belongs to qa.services[0]"]);
  });

  it("rejects environments of one repository that disagree on its subject form or ids (GitHub issues one form per repository)", () => {
    const github = (name: string, repositoryId: number) => ({ ...TEST_REPOSITORY, repositoryId, deployFrom: { kind: "environment" as const, name } });
    const problems = problemsOf([
      envInput({ name: "qa", github: github("qa", 2) }),
      envInput({ name: "uat", github: github("uat", 3), state: { bucket: "acme-state-111111111111", key: "shop/uat.tfstate", region: "us-east-1" } }),
    ]);
    expect(problems).toEqual([
      "uat.github: subjectFormat/ownerId/repositoryId differ from qa, which uses the same repository acme/shop; GitHub issues one subject form per repository",
    ]);
  });

  it("requires the numeric ids for immutable subjects (the default), and not for legacy ones", () => {
    expect(problemsOf([envInput({ github: { repository: "acme/shop", deployFrom: { kind: "environment", name: "qa" } } })])).toEqual([
      expect.stringMatching(/^qa\.github\.ownerId: is required: immutable OIDC subjects carry it/),
      expect.stringMatching(/^qa\.github\.repositoryId: is required/),
    ]);
    expect(() =>
      loadEnvironments([envInput({ github: { repository: "acme/shop", subjectFormat: "legacy", deployFrom: { kind: "environment", name: "qa" } } })]),
    ).not.toThrow();
  });

  it.each([
    [{ deploymentRefs: { branches: [], tags: [] } }, /^qa\.github\.deployFrom\.protection\.deploymentRefs: must name at least one branch or tag/],
    [{ deploymentRefs: { branches: ["refs/heads/main"] } }, /deploymentRefs\.branches\[0\]: must be a branch or tag name pattern without 'refs\/'/],
    [{ reviewers: { users: [1, 2, 3, 4], teams: [5, 6, 7] } }, /protection\.reviewers: GitHub allows at most 6 required reviewers/],
    [{ waitTimerMinutes: 43_201 }, /protection\.waitTimerMinutes/],
    [{ reviewers: { users: [0] } }, /protection\.reviewers\.users\[0\]/],
  ])("refuses the environment protection %p", (protection, message) => {
    const problems = problemsOf([envInput({ github: { ...TEST_REPOSITORY, deployFrom: { kind: "environment", name: "qa", protection } } })]);
    expect(problems).toEqual([expect.stringMatching(message)]);
  });

  it.each([
    ["branch", "refs/heads/main"],
    ["tag", "refs/tags/v1"],
  ] as const)("refuses a %s deploy source written as a full ref %p (its subject would never match)", (kind, name) => {
    expect(problemsOf([envInput({ github: { ...TEST_REPOSITORY, deployFrom: { kind, name } } })])).toEqual([
      expect.stringMatching(/^qa\.github\.deployFrom\.name: is a (branch|tag) name, without 'refs\//),
    ]);
  });

  it.each([
    [{ scanType: "BASIC", scanFrequency: "CONTINUOUS_SCAN" }, /^qa\.ecr\.registry\.scanFrequency: CONTINUOUS_SCAN needs scanType ENHANCED/],
    [{ replicateTo: [{ region: "us-east-1" }] }, /^qa\.ecr\.registry\.replicateTo\[0\]: is the registry itself/],
    [{ replicateTo: [{ region: "mars-north-1" }] }, /^qa\.ecr\.registry\.replicateTo\[0\]\.region/],
  ] as const)("refuses the registry settings %p", (registry, message) => {
    expect(problemsOf([envInput({ ecr: { registry } as never })])).toEqual([expect.stringMatching(message)]);
  });

  it("refuses two environments of one registry that state different registry settings", () => {
    const problems = problemsOf([
      envInput({ name: "qa", ecr: { registry: { scanType: "ENHANCED" } } }),
      envInput({
        name: "uat",
        ecr: { registry: { scanType: "BASIC" } },
        state: { bucket: "acme-state-111111111111", key: "shop/uat.tfstate", region: "us-east-1" },
        github: { ...TEST_REPOSITORY, deployFrom: { kind: "environment", name: "uat" } },
      }),
    ]);
    expect(problems).toEqual([expect.stringMatching(/^uat\.ecr\.registry: differs from qa in the same account 111111111111 and region us-east-1/)]);
  });

  it.each(["a*b*c*d*e*f", "bad tag"])("refuses the tag pattern %p", (pattern) => {
    expect(problemsOf([envInput({ ecr: { taggedPatterns: [pattern] } })])).toEqual([expect.stringMatching(/^qa\.ecr\.taggedPatterns\[0\]: /)]);
  });

  it("rejects a non-loopback emulator endpoint", () => {
    expect(problemsOf([envInput({ emulatorEndpoint: "http://10.0.0.5:4566" })])).toEqual(["qa.emulatorEndpoint: must be an http(s) URL on a loopback address"]);
  });

  it("rejects a cross-account principal that is the environment's own account", () => {
    expect(problemsOf([envInput({ ecr: { crossAccountPullPrincipals: ["111111111111"] } })])).toEqual([
      "qa.ecr.crossAccountPullPrincipals[0]: is this environment's own account; grant it with IAM instead",
    ]);
  });

  it("rejects unknown fields instead of ignoring typos", () => {
    const problems = problemsOf([{ ...envInput(), retention: 5 }]);
    expect(problems).toEqual([expect.stringMatching(/^qa: Unrecognized key.*retention/)]);
  });

  it("reports every problem of every environment at once", () => {
    const problems = problemsOf([envInput({ accountId: "1" }), envInput({ name: "uat", region: "mars-1" as never, ecr: { imageRetentionCount: 0 } })]);
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^qa\.accountId/);
    expect(
      problems
        .slice(1)
        .map((p) => p.split(":")[0])
        .sort(),
    ).toEqual(["uat.ecr.imageRetentionCount", "uat.region"]);
  });
});
