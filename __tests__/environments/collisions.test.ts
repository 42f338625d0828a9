/**
 * Every derived name is claimed once: stack names, GitHub variable names,
 * deployment policy resources, state objects and what a plan role may list.
 * A clash is refused as `<env>.<field>: ...`, never a constructs stack trace;
 * every config accepted here synthesizes.
 */
import { App } from "cdktf";
import { ConfigError, loadEnvironments, type EnvironmentInput } from "../../environments";
import { githubVariableNames } from "../../environments/naming";
import { addPlatformStacks } from "../../stacks/platform-app";
import { envInput, TEST_REPOSITORY } from "../helpers";

function problemsOf(inputs: EnvironmentInput[]): string[] {
  try {
    loadEnvironments(inputs);
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  return [];
}

const branchDeploy = (name: string, branch = name) => ({ github: { ...TEST_REPOSITORY, deployFrom: { kind: "branch" as const, name: branch } } });
const refs = (branches: string[], tags: string[] = []) => ({
  github: { ...TEST_REPOSITORY, deployFrom: { kind: "environment" as const, name: "qa", protection: { deploymentRefs: { branches, tags } } } },
});

describe("derived names claimed once", () => {
  it.each<[string, EnvironmentInput[], RegExp[]]>([
    [
      "env 'b-qa' with service 'a' and env 'qa' with service 'a-b' (one repository variable ECR_REPOSITORY_A_B_QA)",
      [
        envInput({ name: "qa", services: [{ name: "a-b" }], ...branchDeploy("qa") }),
        envInput({ name: "b-qa", services: [{ name: "a" }], ...branchDeploy("b-qa") }),
      ],
      [/^b-qa\.services\[0\]\.name: GitHub variable of acme\/shop 'ECR_REPOSITORY_A_B_QA' is also qa's/],
    ],
    [
      "env 'x-qa' with service 'api' and env 'qa' with service 'api-x' (the same clash, other names)",
      [
        envInput({ name: "qa", services: [{ name: "api-x" }], ...branchDeploy("qa") }),
        envInput({ name: "x-qa", services: [{ name: "api" }], ...branchDeploy("x-qa") }),
      ],
      [/^x-qa\.services\[0\]\.name: GitHub variable of acme\/shop 'ECR_REPOSITORY_API_X_QA' is also qa's/],
    ],
    [
      "an environment named like another's credentials stack",
      [envInput({ name: "qa" }), envInput({ name: "qa-credentials" })],
      [/^qa-credentials\.name: stack name \(its environment stack\) 'qa-credentials' is also qa's stack name \(its credentials stack\)/],
    ],
    [
      "an environment named like another's GitHub stack",
      [envInput({ name: "qa" }), envInput({ name: "qa-github" })],
      [/^qa-github\.name: stack name \(its environment stack\) 'qa-github' is also qa's stack name \(its github stack\)/],
    ],
    [
      "a branch pattern listed twice",
      [envInput(refs(["main", "release/*", "main"]))],
      [/^qa\.github\.deployFrom\.protection\.deploymentRefs\.branches\[2\]: "main" is listed twice \(also branches\[0\]\)/],
    ],
    [
      "branches that differ only by '/' versus '--'",
      [envInput(refs(["release/a", "release--a"]))],
      [/^qa\.github\.deployFrom\.protection\.deploymentRefs\.branches\[1\]: "release--a" and branches\[0\] "release\/a" differ only by '\/' versus '--'/],
    ],
    [
      "tags that differ only by '/' versus '--'",
      [envInput(refs(["main"], ["v1--x", "v1/x"]))],
      [/^qa\.github\.deployFrom\.protection\.deploymentRefs\.tags\[1\]: "v1\/x" and tags\[0\] "v1--x" differ only by/],
    ],
    [
      "a state key that extends another environment's, which that plan role could list",
      [
        envInput({ name: "qa" }),
        envInput({ name: "uat", state: { bucket: "acme-state-111111111111", key: "shop/qa.tfstate.d/uat.tfstate", region: "us-east-1" } }),
      ],
      [/^uat\.state\.key: 'shop\/qa\.tfstate\.d\/uat\.tfstate' starts with 'shop\/qa\.tfstate', which qa's plan role may list/],
    ],
    [
      "a state key equal to the bootstrap stack's state key",
      [envInput({ state: { bucket: "acme-state-111111111111", key: "bootstrap/bootstrap-111111111111-us-east-1.tfstate", region: "us-east-1" } })],
      [/^qa\.state\.key: state object 'bootstrap\/bootstrap-111111111111-us-east-1\.tfstate' is also the platform's bootstrap stack's state/],
    ],
    [
      "more repositories than one replication rule takes filters (101 in one registry)",
      [
        envInput({
          name: "qa",
          services: Array.from({ length: 60 }, (_, i) => ({ name: `s${i}` })),
          ecr: { registry: { replicateTo: [{ region: "eu-west-1" }] } },
        }),
        envInput({
          name: "uat",
          services: Array.from({ length: 41 }, (_, i) => ({ name: `s${i}` })),
          ecr: { registry: { replicateTo: [{ region: "eu-west-1" }] } },
        }),
      ],
      [/^uat\.services: the registry of account 111111111111 in us-east-1 replicates 101 repositories, one filter each; ECR API Reference, ReplicationRule/],
    ],
    [
      "a state key in the backend's workspace area (env:/), which every plan role may list",
      [envInput({ state: { bucket: "acme-state-111111111111", key: "env:/shop/qa.tfstate", region: "us-east-1" } })],
      [/^qa\.state\.key: must not start with 'env:'/],
    ],
  ])("refuses %s", (_what, inputs, expected) => {
    const problems = problemsOf(inputs);
    expect(problems).toEqual(expect.arrayContaining(expected.map((e) => expect.stringMatching(e))));
    for (const p of problems) expect(p).toMatch(/^[a-z0-9-]+\.[\w.[\]]+(?: \(derived for [\w-]+\))?: /);
  });

  it.each<[string, EnvironmentInput[]]>([
    ["branches and tags with the same pattern (separate resources)", [envInput(refs(["release/*"], ["release/*"]))]],
    [
      "envs 'qa' and 'qa2' with the same services, each from a branch",
      [envInput({ name: "qa", ...branchDeploy("qa") }), envInput({ name: "qa2", ...branchDeploy("qa2") })],
    ],
    ["two environments in one account and region (one shared bootstrap stack)", [envInput({ name: "qa" }), envInput({ name: "uat" })]],
  ])("accepts %s, and it synthesizes", (_what, inputs) => {
    const envs = loadEnvironments(inputs);
    const app = new App({ outdir: "/tmp/collisions-synth", skipValidation: true });
    expect(() => addPlatformStacks(app, envs)).not.toThrow();
  });

  it.each([
    ["a branch deploy (repository-level, suffixed)", envInput({ name: "b-qa", services: [{ name: "a" }], ...branchDeploy("b-qa") })],
    ["a GitHub environment deploy", envInput({ name: "qa", services: [{ name: "api.v2" }, { name: "worker" }] })],
  ])("claims exactly the variable names the GitHub stack writes: %s", (_what, input) => {
    const [env] = loadEnvironments([input]);
    const { github } = addPlatformStacks(new App({ outdir: "/tmp/collisions-synth", skipValidation: true }), [env]);
    expect(githubVariableNames(env).map((v) => v.name)).toEqual(github[0].settings.variableNames);
  });
});
