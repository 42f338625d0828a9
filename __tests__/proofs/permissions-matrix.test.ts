/**
 * Least privilege, proven: every identity and resource policy of every
 * committed environment through the IAM policy simulator, principal x action
 * x resource -> allowed or denied, with the deciding statement.
 */
import { Testing } from "cdktf";
import { loadEnvironments, type EnvironmentConfig } from "../../environments";
import {
  keyParameterLeaves,
  kmsAliasName,
  planListPrefixes,
  repositoryArn,
  repositoryName,
  s3BucketArn,
  siblingStateKey,
  ssmPath,
} from "../../environments/naming";
import { ECR_PULL_ACTIONS, ECR_PUSH_ACTIONS } from "../../constructs/ecr-actions";
import { stateObjectArns } from "../../stacks/platform-policies";
import { EnvironmentStack } from "../../stacks/environment-stack";
import { identitiesOf, IDENTITY_KINDS, type IdentityKind } from "../../stacks/identities";
import { simulate, type Decision, type NamedPolicy } from "../../scripts/lib/simulator";
import { APP_ENVIRONMENTS } from "../helpers";

const envs = loadEnvironments(APP_ENVIRONMENTS);
const stacks = new Map(envs.map((e) => [e.name, new EnvironmentStack(Testing.app(), e)]));

interface Principal {
  readonly label: string;
  readonly arn: string;
  readonly policies: NamedPolicy[];
}

interface Case {
  readonly principal: Principal;
  readonly action: string;
  readonly resource: string;
  readonly expect: "allow" | "deny";
  /** `policy/Sid` expected to decide an allow. */
  readonly by?: string;
  readonly resourcePolicy?: unknown;
  readonly context?: Record<string, string | string[]>;
  readonly why: string;
}

const parse = (json: string) => JSON.parse(json);

/** Every identity of the environment's catalogue, with the policy as synthesized: a new identity is covered as it is added. */
function principalsOf(env: EnvironmentConfig): Partial<Record<IdentityKind, Principal>> {
  const stack = stacks.get(env.name)!;
  return Object.fromEntries(
    identitiesOf(env).map((i) => [
      i.kind,
      { label: i.kind.replace(/-/g, " "), arn: i.arn, policies: [{ name: i.kind, policy: parse(stack.identities.get(i.kind)!.policyJson) }] },
    ]),
  );
}

/** Another committed environment, to prove isolation; same account where one exists. */
function neighbour(env: EnvironmentConfig): EnvironmentConfig {
  return envs.find((e) => e.name !== env.name && e.accountId === env.accountId) ?? envs.find((e) => e.name !== env.name)!;
}

function casesFor(env: EnvironmentConfig): Case[] {
  const principals = principalsOf(env);
  const [ecrUser, s3User, deployRole, planRole] = (["ecr-user", "s3-user", "deploy-role", "plan-role"] as const).map((k) => principals[k]!);
  const other = neighbour(env);
  const ownRepos = env.services.map((s) => repositoryArn(env, repositoryName(env, s)));
  const otherRepo = repositoryArn(other, repositoryName(other, other.services[0]));
  const bucket = s3BucketArn(env.region, env.s3UserBuckets[0]);
  const otherBucket = s3BucketArn(other.region, other.s3UserBuckets[0]);
  const state = stateObjectArns(env);
  const otherState = stateObjectArns(other);
  const cases: Case[] = [];
  const add = (c: Case) => cases.push(c);

  for (const who of [ecrUser, deployRole]) {
    add({
      principal: who,
      action: "ecr:GetAuthorizationToken",
      resource: "*",
      expect: "allow",
      by: `${who.policies[0].name}/EcrLogin`,
      why: "login needs the token on *",
    });
    for (const repo of ownRepos) {
      for (const action of new Set([...ECR_PUSH_ACTIONS, ...ECR_PULL_ACTIONS, "ecr:DescribeRepositories", "ecr:DescribeImages", "ecr:ListImages"])) {
        add({
          principal: who,
          action,
          resource: repo,
          expect: "allow",
          by: `${who.policies[0].name}/EcrPushPullOwnRepositories`,
          why: "push/pull/describe own repository",
        });
      }
    }
    for (const action of [...ECR_PUSH_ACTIONS, ...ECR_PULL_ACTIONS]) {
      add({ principal: who, action, resource: otherRepo, expect: "deny", why: `another environment's (${other.name}) repository` });
    }
    for (const action of ["ecr:DeleteRepository", "ecr:SetRepositoryPolicy", "ecr:PutLifecyclePolicy", "ecr:BatchDeleteImage", "ecr:PutImageTagMutability"]) {
      add({ principal: who, action, resource: ownRepos[0], expect: "deny", why: "administration of the repository" });
    }
    add({ principal: who, action: "s3:GetObject", resource: `${bucket}/file`, expect: "deny", why: "no S3" });
    add({ principal: who, action: "s3:PutObject", resource: state.state, expect: "deny", why: "no state writes" });
    add({ principal: who, action: "iam:CreateAccessKey", resource: ecrUser.arn, expect: "deny", why: "no IAM" });
  }

  for (const action of ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]) {
    add({ principal: s3User, action, resource: `${bucket}/assets/app.js`, expect: "allow", by: "s3-user/ReadWriteOwnObjects", why: "own bucket objects" });
    add({ principal: s3User, action, resource: `${otherBucket}/assets/app.js`, expect: "deny", why: `another environment's (${other.name}) bucket` });
  }
  add({ principal: s3User, action: "s3:ListBucket", resource: bucket, expect: "allow", by: "s3-user/ListOwnBuckets", why: "list own bucket" });
  for (const action of ["s3:DeleteBucket", "s3:PutBucketPolicy"])
    add({ principal: s3User, action, resource: bucket, expect: "deny", why: "bucket administration" });
  add({ principal: s3User, action: "ecr:GetAuthorizationToken", resource: "*", expect: "deny", why: "S3 user has nothing in ECR" });
  for (const action of [...ECR_PUSH_ACTIONS, ...ECR_PULL_ACTIONS])
    add({ principal: s3User, action, resource: ownRepos[0], expect: "deny", why: "S3 user has nothing in ECR" });

  add({ principal: planRole, action: "s3:GetObject", resource: state.state, expect: "allow", by: "plan-role/StateRead", why: "read own state" });
  // Listing the state bucket: only the exact prefixes the plan lists, never the names of other states.
  for (const prefix of planListPrefixes(env)) {
    add({
      principal: planRole,
      action: "s3:ListBucket",
      resource: state.bucket,
      context: { "s3:prefix": prefix },
      expect: "allow",
      by: "plan-role/StateList",
      why: `list the prefix '${prefix}' the plan lists`,
    });
  }
  const otherKeys = [other.state.key, siblingStateKey(other, "credentials"), siblingStateKey(other, "github")];
  for (const prefix of [...otherKeys, siblingStateKey(env, "credentials"), "", env.state.key.split("/")[0] + "/", "env:"]) {
    add({
      principal: planRole,
      action: "s3:ListBucket",
      resource: state.bucket,
      context: { "s3:prefix": prefix },
      expect: "deny",
      why: `no listing of '${prefix}' (another environment's or the credentials' state names)`,
    });
  }
  add({ principal: planRole, action: "s3:ListBucket", resource: state.bucket, context: {}, expect: "deny", why: "no listing of the whole bucket" });
  for (const action of ["s3:PutObject", "s3:DeleteObject"]) {
    add({ principal: planRole, action, resource: state.lock, expect: "deny", why: "a pull request plans without the lock: it can neither take nor break one" });
  }
  for (const action of ["s3:PutObject", "s3:DeleteObject"])
    add({ principal: planRole, action, resource: state.state, expect: "deny", why: "plan never writes state" });
  add({ principal: planRole, action: "s3:GetObject", resource: otherState.state, expect: "deny", why: `another environment's (${other.name}) state` });
  for (const action of [...ECR_PUSH_ACTIONS, "ecr:DeleteRepository", "ecr:PutLifecyclePolicy", "ecr:GetAuthorizationToken"]) {
    add({
      principal: planRole,
      action,
      resource: action === "ecr:GetAuthorizationToken" ? "*" : ownRepos[0],
      expect: "deny",
      why: "plan cannot push or change ECR",
    });
  }
  for (const action of ["ecr:DescribeRepositories", "ecr:GetLifecyclePolicy", "ecr:GetRepositoryPolicy"]) {
    add({ principal: planRole, action, resource: ownRepos[0], expect: "allow", by: "plan-role/ReadRepositories", why: "refresh reads the repository" });
  }
  add({ principal: planRole, action: "iam:GetUser", resource: ecrUser.arn, expect: "allow", by: "plan-role/ReadUsers", why: "refresh reads the user" });
  for (const [action, resource] of [
    ["iam:CreateAccessKey", ecrUser.arn],
    ["iam:PutUserPolicy", ecrUser.arn],
    ["iam:UpdateAssumeRolePolicy", deployRole.arn],
    ["iam:PutRolePolicy", planRole.arn],
  ] as const) {
    add({ principal: planRole, action, resource, expect: "deny", why: "plan cannot change identities (nor escalate itself)" });
  }
  // The role every pull request can assume reads no long-lived secret: not the key pairs in SSM,
  // not the state objects that hold them (the credentials stack's, the GitHub stack's).
  const parameterArn = (leaf: string) => `arn:aws:ssm:${env.region}:${env.accountId}:parameter${ssmPath(env, leaf)}`;
  for (const user of ["ecr", "s3"] as const) {
    for (const leaf of Object.values(keyParameterLeaves(user))) {
      for (const action of ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParameterHistory", "ssm:PutParameter"]) {
        add({ principal: planRole, action, resource: parameterArn(leaf), expect: "deny", why: "a pull request never reads (or writes) a key pair" });
      }
    }
  }
  add({
    principal: planRole,
    action: "ssm:GetParametersByPath",
    resource: parameterArn(""),
    expect: "deny",
    why: "a pull request never lists the key pairs' path",
  });
  for (const sibling of ["credentials", "github"] as const) {
    const siblingState = `${state.bucket}/${siblingStateKey(env, sibling)}`;
    for (const action of ["s3:GetObject", "s3:GetObjectVersion"]) {
      add({ principal: planRole, action, resource: siblingState, expect: "deny", why: `the ${sibling} stack's state holds secrets` });
    }
  }
  add({ principal: planRole, action: "s3:ListBucketVersions", resource: state.bucket, expect: "deny", why: "no old versions of any state" });
  add({
    principal: planRole,
    action: "s3:GetObjectVersion",
    resource: state.state,
    expect: "deny",
    why: "old versions of the state predate nothing the plan needs",
  });

  if (env.ecr.encryption.type === "KMS" && !env.ecr.encryption.kmsKeyArn) {
    const key = `arn:aws:kms:${env.region}:${env.accountId}:key/11111111-2222-3333-4444-555555555555`;
    const viaEcr = { "kms:ViaService": `ecr.${env.region}.amazonaws.com`, "kms:ResourceAliases": [kmsAliasName(env)] };
    // KMS needs the key policy too: the synthesized one delegates to IAM in the account.
    const keyPolicy = parse(stacks.get(env.name)!.key.policyJson);
    for (const who of [ecrUser, deployRole]) {
      add({
        principal: who,
        action: "kms:Decrypt",
        resource: key,
        resourcePolicy: keyPolicy,
        context: viaEcr,
        expect: "allow",
        by: `${who.policies[0].name}/EcrKmsKeyUse`,
        why: "ECR decrypts layers with the caller's grant",
      });
      add({
        principal: who,
        action: "kms:Decrypt",
        resource: key,
        resourcePolicy: keyPolicy,
        context: { ...viaEcr, "kms:ViaService": `s3.${env.region}.amazonaws.com` },
        expect: "deny",
        why: "the key only through ECR",
      });
      add({
        principal: who,
        action: "kms:Decrypt",
        resource: key,
        resourcePolicy: keyPolicy,
        context: { ...viaEcr, "kms:ResourceAliases": ["alias/some-other-key"] },
        expect: "deny",
        why: "only this environment's key",
      });
    }
    add({
      principal: planRole,
      action: "kms:Decrypt",
      resource: key,
      resourcePolicy: keyPolicy,
      context: viaEcr,
      expect: "deny",
      why: "plan never decrypts image layers",
    });
  }

  {
    const key = `arn:aws:kms:${env.region}:${env.accountId}:key/11111111-2222-3333-4444-555555555555`;
    const keyPolicy = parse(stacks.get(env.name)!.key.policyJson);
    const viaSsm = { "kms:ViaService": `ssm.${env.region}.amazonaws.com`, "kms:ResourceAliases": [kmsAliasName(env)] };
    add({
      principal: planRole,
      action: "kms:Decrypt",
      resource: key,
      resourcePolicy: keyPolicy,
      context: viaSsm,
      expect: "deny",
      why: "a pull request never decrypts the SecureString key pairs",
    });
    add({
      principal: planRole,
      action: "kms:Decrypt",
      resource: key,
      resourcePolicy: keyPolicy,
      context: {},
      expect: "deny",
      why: "nor decrypts anything with the environment key directly",
    });
    add({ principal: planRole, action: "kms:Encrypt", resource: key, resourcePolicy: keyPolicy, context: viaSsm, expect: "deny", why: "plan never encrypts" });
    for (const who of [ecrUser, s3User]) {
      add({
        principal: who,
        action: "kms:Decrypt",
        resource: key,
        resourcePolicy: keyPolicy,
        context: viaSsm,
        expect: "deny",
        why: "the users cannot read the key pairs in SSM",
      });
    }
    add({
      principal: planRole,
      action: "kms:ScheduleKeyDeletion",
      resource: key,
      resourcePolicy: keyPolicy,
      context: viaSsm,
      expect: "deny",
      why: "plan never administers the key",
    });
  }

  const puller = principals["runtime-pull-role"];
  if (puller) {
    add({
      principal: puller,
      action: "ecr:GetAuthorizationToken",
      resource: "*",
      expect: "allow",
      by: "runtime-pull-role/EcrLogin",
      why: "the runtime logs in",
    });
    for (const action of ECR_PULL_ACTIONS) {
      add({
        principal: puller,
        action,
        resource: ownRepos[0],
        expect: "allow",
        by: "runtime-pull-role/EcrPullOwnRepositories",
        why: "the runtime pulls its images",
      });
      add({ principal: puller, action, resource: otherRepo, expect: "deny", why: `another environment's (${other.name}) images` });
    }
    for (const action of ["ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:CompleteLayerUpload", "ecr:BatchDeleteImage", "ecr:DeleteRepository"]) {
      add({ principal: puller, action, resource: ownRepos[0], expect: "deny", why: "a runtime never pushes or deletes" });
    }
  }

  const stack = stacks.get(env.name)!;
  const repoPolicy = [...stack.repositories.values()][0].repositoryPolicyJson;
  for (const p of env.ecr.crossAccountPullPrincipals) {
    const account = p.match(/\d{12}/)![0];
    const outsider: Principal = {
      label: `cross-account ${account}`,
      arn: /^\d{12}$/.test(p) ? `arn:aws:iam::${account}:role/runtime` : p,
      policies: [{ name: "their-admin", policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "ecr:*", Resource: "*" }] } }],
    };
    for (const action of ECR_PULL_ACTIONS) {
      add({
        principal: outsider,
        action,
        resource: ownRepos[0],
        resourcePolicy: parse(repoPolicy!),
        expect: "allow",
        by: "resource-policy/CrossAccountPullOnly",
        why: "pull only",
      });
    }
    for (const action of [
      "ecr:PutImage",
      "ecr:InitiateLayerUpload",
      "ecr:UploadLayerPart",
      "ecr:CompleteLayerUpload",
      "ecr:DeleteRepository",
      "ecr:BatchDeleteImage",
    ]) {
      add({ principal: outsider, action, resource: ownRepos[0], resourcePolicy: parse(repoPolicy!), expect: "deny", why: "never push or delete" });
    }
  }
  return cases;
}

const matrix = envs.map((env) => [env.name, casesFor(env)] as const);
const total = matrix.reduce((n, [, cases]) => n + cases.length, 0);

describe.each(matrix)("permissions matrix: %s", (_name, cases) => {
  it.each(cases.map((c) => [`${c.principal.label} ${c.action} ${c.resource} -> ${c.expect} (${c.why})`, c] as const))("%s", async (_label, c) => {
    const verdict = await simulate({
      principal: c.principal.arn,
      action: c.action,
      resource: c.resource,
      resourceAccount: c.resource === "*" ? c.principal.arn.split(":")[4] : c.resource.split(":")[4] || c.principal.arn.split(":")[4],
      identityPolicies: c.principal.policies,
      resourcePolicy: c.resourcePolicy,
      context: c.context,
    });
    const allowed: Decision[] = ["Allowed"];
    expect(allowed.includes(verdict.decision) ? "allow" : "deny").toBe(c.expect);
    if (c.by) expect(verdict.decidedBy).toContain(c.by);
  });
});

it("covers every identity of every environment's catalogue", () => {
  for (const env of envs) {
    const covered = new Set(matrix.find(([name]) => name === env.name)![1].map((c) => c.principal.arn));
    expect(
      identitiesOf(env)
        .filter((i) => !covered.has(i.arn))
        .map((i) => `${env.name} ${i.kind}`),
    ).toEqual([]);
  }
  expect(IDENTITY_KINDS.length).toBeGreaterThan(0);
});

it("covers principals x actions x resources for every environment", () => {
  expect(total).toBeGreaterThan(300);
  process.stderr.write(`permissions matrix: ${total} cases over ${envs.length} environments\n`);
});
