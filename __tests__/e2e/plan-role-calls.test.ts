/**
 * Can the read-only plan role that pull requests assume really plan? Proven
 * from the calls the real provider and the S3 backend make, not from a list
 * written by hand: the `local` stack, deployed by the main job (the shared
 * sandbox, support/shared-sandbox.ts), is planned as CI does (fresh init, plan without the lock,
 * show) with a session of the plan role, through a recording proxy in front
 * of the emulator. Every recorded call is mapped to the IAM permission AWS
 * checks (__tests__/support/aws-call-map.ts) and evaluated by the IAM simulator
 * against planRolePolicy(env). The test fails on any call the role could not
 * make (AccessDenied in a pull request) or could not be mapped, and reports
 * the permissions of the policy that no call needed
 * (.e2e/reports/plan-role-unused.json).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { isWildcardOnlyAction } from "@cloud-copilot/iam-simulate";
import { KMSClient, ListAliasesCommand, DescribeKeyCommand } from "@aws-sdk/client-kms";
import { HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { DescribeParametersCommand, SSMClient } from "@aws-sdk/client-ssm";
import { AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { planRoleArn, planRoleName } from "../../environments/naming";
import { partitionOf } from "../../environments/regions";
import { planRolePolicy } from "../../stacks/platform-policies";
import { renderPolicy } from "../../constructs/policy-document";
import {
  actionCanApplyTo,
  mapRequest,
  policyPermissions,
  unusedPermissions,
  type MapContext,
  type MappedCall,
  type PolicyPermission,
  type RequiredPermission,
} from "../support/aws-call-map";
import type { Emulator } from "../../scripts/lib/emulator";
import { emulatorAwsEnv, emulatorSdkConfig, localBootstrapStack, localEnvironment, synthForEmulator } from "../../scripts/lib/local-run";
import { sharedSandbox } from "../support/shared-sandbox";
import { startRecordingProxy, type RecordedRequest, type RecordingProxy } from "../support/recording-proxy";
import { simulate, type Verdict } from "../../scripts/lib/simulator";
import { prepareStackWorkdir, type StackWorkdir, type TofuRunner } from "../../scripts/lib/tofu";
import { testEngine } from "../support/test-engine";
import { ensureToolchain, PROJECT_ROOT, type Toolchain } from "../../scripts/lib/toolchain";

type Json = Record<string, any>;
const env = localEnvironment();
const POLICY_NAME = "plan-role";
const PHASES = ["init", "plan", "show"] as const;
const reports = join(PROJECT_ROOT, ".e2e", "reports");
const timings: Record<string, number> = {};

let toolchain: Toolchain;
let emulator: Emulator;
let proxy: RecordingProxy;
let tofu: TofuRunner;
let work: string;
let outdir: string;
let stack: StackWorkdir;
let bootstrap: StackWorkdir;
let synthesized: Json;
let synthesizedBootstrap: Json;
let session: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
let recorded: RecordedRequest[] = [];

const sdk = () => emulatorSdkConfig(emulator, env.region);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const timed = async <T extends { ms: number }>(name: string, p: Promise<T>) => {
  const r = await p;
  timings[name] = (timings[name] ?? 0) + r.ms;
  return r;
};
const ok = (r: { code: number | null; stdout: string; stderr: string }, what: string) => {
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}:\n${r.stderr || r.stdout}`);
};
const resourcesOf = (json: Json, type: string): Json[] => Object.values(json.resource?.[type] ?? {}) as Json[];

beforeAll(async () => {
  const began = Date.now();
  toolchain = ensureToolchain("test");
  if (!toolchain.awsProviderVersion) throw new Error("no hashicorp/aws provider available: see README, Requirements");
  emulator = (await sharedSandbox()).emulator;
  proxy = await startRecordingProxy(emulator);
  work = mkdtempSync(join(tmpdir(), "e2e-plan-role-"));
  outdir = join(work, "cdktf.out");
  // Synthesized against the proxy (the backend) and run with the proxy as AWS_ENDPOINT_URL (the provider):
  // both reach the emulator only through it.
  synthForEmulator({ ...emulator, endpoint: proxy.endpoint }, outdir);
  bootstrap = prepareStackWorkdir(outdir, localBootstrapStack(env), join(work, "admin"));
  stack = prepareStackWorkdir(outdir, env.name, join(work, "admin"));
  synthesized = JSON.parse(readFileSync(join(stack.dir, "cdk.tf.json"), "utf8"));
  synthesizedBootstrap = JSON.parse(readFileSync(join(bootstrap.dir, "cdk.tf.json"), "utf8"));
  // The engine the main job deployed with: a state written by a newer Terraform is refused by an older OpenTofu.
  tofu = testEngine(toolchain, { ...emulatorAwsEnv(emulator, env.region), AWS_ENDPOINT_URL: proxy.endpoint, AWS_CA_BUNDLE: proxy.caFile }, toolchain.engineBin);
  timings.setup = Date.now() - began;
}, 660_000);

afterAll(async () => {
  await proxy?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
  process.stderr.write(
    `plan-role-calls timings: ${Object.entries(timings)
      .map(([k, v]) => `${k}=${seconds(v)}`)
      .join(" ")}\n`,
  );
});

it("the synthesized plan role policy is planRolePolicy(env) (dist/ is not stale)", () => {
  const inline = resourcesOf(synthesized, "aws_iam_role_policy").find((p) => p.name === `${planRoleName(env)}-policy`);
  expect(inline).toBeDefined();
  if (JSON.stringify(JSON.parse(inline!.policy)) !== renderPolicy(planRolePolicy(env), "identity")) {
    throw new Error("the plan role policy synthesized by dist/main.js differs from planRolePolicy(env) in the sources: run `npm run build`");
  }
});

it("starts from the local environment the main job deployed: its state is in its bucket, applied from the same stack", async () => {
  ok(await timed("admin_init", tofu.run(stack.dir, ["init", "-input=false", "-no-color"])), `${env.name} init`);
  const listed = await tofu.run(stack.dir, ["state", "list"]);
  ok(listed, `${env.name} state list`);
  const inState = listed.stdout
    .trim()
    .split("\n")
    .filter((l) => l && !l.startsWith("data.")).length;
  const synthesizedResources = Object.values(synthesized.resource as Record<string, object>).reduce((n, byName) => n + Object.keys(byName).length, 0);
  expect(inState).toBe(synthesizedResources);
});

it("plans the stack as a pull request does, with a plan role session, every call recorded", async () => {
  const sts = new STSClient({ ...sdk(), credentials: { accessKeyId: "unused", secretAccessKey: "unused" } });
  const assumed = await sts.send(
    new AssumeRoleWithWebIdentityCommand({
      RoleArn: planRoleArn(env),
      RoleSessionName: "plan-e2e",
      WebIdentityToken: "header.eyJzdWIiOiJwdWxsX3JlcXVlc3QifQ.signature",
    }),
  );
  const c = assumed.Credentials!;
  session = { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
  const whoami = await new STSClient({ ...sdk(), credentials: session }).send(new GetCallerIdentityCommand({}));
  expect(whoami.Arn).toMatch(new RegExp(`:assumed-role/${planRoleName(env)}/plan-e2e$`));

  // A fresh checkout, as in CI (scripts/ci/plan.sh): init, plan without the lock (the role writes nothing), show.
  const pr = prepareStackWorkdir(outdir, env.name, join(work, "pull-request"));
  const asPlanRole = {
    env: { AWS_ACCESS_KEY_ID: session.accessKeyId, AWS_SECRET_ACCESS_KEY: session.secretAccessKey, AWS_SESSION_TOKEN: session.sessionToken },
  };
  const commands: Record<(typeof PHASES)[number], string[]> = {
    init: ["init", "-input=false", "-no-color"],
    plan: ["plan", "-refresh=true", "-input=false", "-no-color", "-lock=false", "-detailed-exitcode", "-out=plan.bin"],
    show: ["show", "-json", "plan.bin"],
  };
  const results: Record<string, { code: number | null; stdout: string; stderr: string }> = {};
  for (const phase of PHASES) {
    proxy.setPhase(phase);
    results[phase] = await timed(`plan_role_${phase}`, tofu.run(pr.dir, commands[phase], asPlanRole));
    proxy.setPhase(undefined);
  }
  recorded = proxy.records();
  ok(results.init, "init as the plan role");
  // 0: no changes right after the deploy (2 would be drift, 1 an error such as AccessDenied).
  expect({ code: results.plan.code, stderr: results.plan.stderr }).toEqual({ code: 0, stderr: "" });
  ok(results.show, "show");
  expect(proxy.failures()).toEqual([]);
  expect(recorded.length).toBeGreaterThan(0);
  // Every call was signed by the plan role's session: nothing fell back to other credentials.
  const otherKeys = recorded.filter((r) => !(r.headers.authorization ?? "").includes(`Credential=${session.accessKeyId}/`));
  expect(otherKeys.map((r) => `${r.method} ${r.url}`)).toEqual([]);
}, 600_000);

/** What requests do not say: key ids and aliases, SecureString keys, object encryption, IAM paths. Asked with admin credentials. */
async function mapContext(): Promise<MapContext> {
  const kms = new KMSClient(sdk());
  const kmsKeyAliases = new Map<string, string[]>();
  for (const a of (await kms.send(new ListAliasesCommand({}))).Aliases ?? []) {
    if (a.TargetKeyId && a.AliasName) kmsKeyAliases.set(a.TargetKeyId, [...(kmsKeyAliases.get(a.TargetKeyId) ?? []), a.AliasName]);
  }
  const ssm = new SSMClient(sdk());
  const secureParameterKeys = new Map<string, string>();
  let NextToken: string | undefined;
  do {
    const page = await ssm.send(new DescribeParametersCommand({ NextToken }));
    for (const p of page.Parameters ?? []) if (p.Type === "SecureString" && p.Name) secureParameterKeys.set(p.Name, p.KeyId ?? "alias/aws/ssm");
    NextToken = page.NextToken;
  } while (NextToken);
  const kmsEncryptedObjects = new Map<string, string>();
  const state = await new S3Client(sdk()).send(new HeadObjectCommand({ Bucket: env.state.bucket, Key: env.state.key }));
  if (state.ServerSideEncryption === "aws:kms" && state.SSEKMSKeyId) {
    // AWS managed keys (aws/s3) let every principal of the account use them through S3: no identity permission needed.
    const meta = (await kms.send(new DescribeKeyCommand({ KeyId: state.SSEKMSKeyId }))).KeyMetadata;
    if (meta?.KeyManager === "CUSTOMER") kmsEncryptedObjects.set(`${env.state.bucket}/${env.state.key}`, state.SSEKMSKeyId);
  }
  const iamPaths = new Map<string, string>(
    [...resourcesOf(synthesized, "aws_iam_user"), ...resourcesOf(synthesized, "aws_iam_role")].map((r) => [String(r.name), String(r.path ?? "/")]),
  );
  // callerUserArn stays undefined: a role session signs every request (checked above).
  return {
    partition: partitionOf(env.region),
    accountId: env.accountId,
    region: env.region,
    kmsKeyAliases,
    secureParameterKeys,
    kmsEncryptedObjects,
    iamPaths,
  };
}

/** Resource policies AWS also evaluates: the key policy of a synthesized KMS key, the state bucket's policy. */
function resourcePolicyFor(p: RequiredPermission, ctx: MapContext): unknown {
  if (p.action.startsWith("kms:")) {
    const keyId = p.resource.split("key/")[1];
    const aliases = ctx.kmsKeyAliases.get(keyId) ?? [];
    const alias = resourcesOf(synthesized, "aws_kms_alias").find((a) => aliases.includes(a.name));
    const keyRef = /^\$\{aws_kms_key\.([^.]+)\./.exec(String(alias?.target_key_id ?? ""))?.[1];
    const policy = keyRef ? synthesized.resource.aws_kms_key[keyRef]?.policy : undefined;
    return policy ? JSON.parse(policy) : undefined;
  }
  if (p.action.startsWith("s3:")) {
    const bucketArn = `arn:${ctx.partition}:s3:::${env.state.bucket}`;
    if (p.resource !== bucketArn && !p.resource.startsWith(`${bucketArn}/`)) return undefined;
    const policy = resourcesOf(synthesizedBootstrap, "aws_s3_bucket_policy")
      .map((b) => String(b.policy))
      .find((doc) => doc.includes(`"${bucketArn}"`));
    return policy ? JSON.parse(policy) : undefined;
  }
  return undefined;
}

interface Evaluated extends RequiredPermission {
  readonly verdict: Verdict;
}

/**
 * For the few actions the service authorization reference lists as
 * wildcard-only although AWS evaluates them on a specific ARN (each says why
 * in `evaluatedBeyondReference`, e.g. logs:DescribeLogGroups), runSimulation
 * refuses any resource but "*" and would then deny every statement scoped to
 * an ARN. As simulateWebIdentity in scripts/lib/simulator.ts does, this calls
 * the library's own core engine with that ARN; the evaluation is the library's.
 */
function simulateOnEvaluatedResource(principal: string, action: string, resource: string, policies: ReadonlyArray<{ name: string; policy: unknown }>): Verdict {
  const lib = dirname(require.resolve("@cloud-copilot/iam-simulate"));
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { authorize } = require(join(lib, "core_engine", "CoreSimulatorEngine.js"));
  const { AwsRequestImpl } = require(join(lib, "request", "request.js"));
  const { RequestContextImpl } = require(join(lib, "requestContext.js"));
  const { DiscoveryContextKeyConstraints } = require(join(lib, "context_keys", "discoveryContextKeyConstraints.js"));
  const { loadPolicy } = require("@cloud-copilot/iam-policy");
  /* eslint-enable @typescript-eslint/no-require-imports */
  const analysis = authorize({
    request: new AwsRequestImpl(principal, { resource, accountId: env.accountId }, action, new RequestContextImpl({ "aws:SecureTransport": "true" }), false),
    sessionPolicy: undefined,
    identityPolicies: policies.map((p) => loadPolicy(p.policy, { name: p.name })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: undefined,
    permissionBoundaries: undefined,
    vpcEndpointPolicies: undefined,
    simulationParameters: { simulationMode: "Strict", discoveryContextKeyConstraints: new DiscoveryContextKeyConstraints([]) },
    serviceSettings: { s3: { blockPublicAccess: undefined } },
  });
  const sids = (analysis.identityAnalysis?.[analysis.result === "ExplicitlyDenied" ? "denyStatements" : "allowStatements"] ?? []).map(
    (st: any) => `${st.policyId}/${st.statement.sid() ?? `#${st.statement.index()}`}`,
  );
  return { decision: analysis.result, decidedBy: analysis.result === "ImplicitlyDenied" ? [] : sids };
}

/** One required permission against an identity policy of the plan role (and the resource's own policy). */
async function evaluateAgainst(policy: unknown, p: RequiredPermission, ctx: MapContext): Promise<Verdict> {
  const identityPolicies = [{ name: POLICY_NAME, policy }];
  const [service, name] = p.action.split(":");
  if (p.resource !== "*" && (await isWildcardOnlyAction(service, name))) {
    if (!p.evaluatedBeyondReference)
      throw new Error(`${p.action} is wildcard-only in the action database, yet the mapping names ${p.resource} without saying why`);
    return simulateOnEvaluatedResource(planRoleArn(env), p.action, p.resource, identityPolicies);
  }
  return simulate({
    principal: planRoleArn(env),
    action: p.action,
    resource: p.resource,
    resourceAccount: p.resource === "*" || p.resource.split(":")[4] === "" ? env.accountId : p.resource.split(":")[4],
    identityPolicies,
    resourcePolicy: resourcePolicyFor(p, ctx),
    // Every recorded call came over TLS (the proxy speaks HTTPS only).
    context: { "aws:SecureTransport": "true", ...(p.context ?? {}) },
  });
}

/** Left by the analysis for the check that it can fail. */
let analysed: { ctx: MapContext; policy: { Statement: Array<{ Sid: string }> }; allowed: Evaluated[] } | undefined;

it("every call of the pull request's plan is one the plan role may make; unused permissions are reported", async () => {
  expect(recorded.length).toBeGreaterThan(0);
  const ctx = await mapContext();
  const policy = JSON.parse(renderPolicy(planRolePolicy(env), "identity"));
  const cache = new Map<string, Promise<Verdict>>();
  const simulationErrors: string[] = [];
  // A permission the simulator cannot evaluate (unknown action, malformed ARN) is reported with the unmapped calls.
  const evaluate = (p: RequiredPermission): Promise<Verdict> => {
    const key = JSON.stringify([p.action, p.resource, p.context ?? {}]);
    if (!cache.has(key)) {
      cache.set(
        key,
        evaluateAgainst(policy, p, ctx).catch((e: Error) => {
          simulationErrors.push(`${p.action} on ${p.resource}: ${e.message}`);
          return { decision: "ImplicitlyDenied", decidedBy: [] } as Verdict;
        }),
      );
    }
    return cache.get(key)!;
  };

  const calls: Array<{ record: RecordedRequest; mapped: MappedCall; evaluated: Evaluated[] }> = [];
  for (const record of recorded) {
    const mapped = mapRequest(record, ctx);
    const evaluated = mapped.kind === "mapped" ? await Promise.all(mapped.permissions.map(async (p) => ({ ...p, verdict: await evaluate(p) }))) : [];
    calls.push({ record, mapped, evaluated });
  }

  const unmapped = [
    ...calls.filter((c) => c.mapped.kind === "unmapped").map((c) => `[${c.record.phase}] ${c.mapped.label}: ${(c.mapped as { reason: string }).reason}`),
    ...simulationErrors.map((e) => `not evaluable: ${e}`),
  ];
  const refusals = calls.flatMap((c) =>
    c.evaluated
      .filter((e) => e.verdict.decision !== "Allowed")
      .map((e) => ({
        e,
        line: `[${c.record.phase}] ${c.mapped.label} -> ${e.action} on ${e.resource}${e.implied ? ` (${e.implied})` : ""}: ${e.verdict.decision}`,
      })),
  );
  const denied = refusals.filter((r) => !r.e.toleratedIfDenied).map((r) => r.line);
  const tolerated = refusals.filter((r) => r.e.toleratedIfDenied).map((r) => `${r.line}; tolerated: ${r.e.toleratedIfDenied}`);
  const allowed = calls.flatMap((c) => c.evaluated.filter((e) => e.verdict.decision === "Allowed"));
  analysed = { ctx, policy, allowed };
  const allowedUses = allowed.map((e) => ({ action: e.action, resource: e.resource, decidedBy: e.verdict.decidedBy }));
  // Unused pairs split: those that could grant something, and those that never can (a statement listing user and role
  // ARNs for user and role actions yields iam:GetRole on a user: harmless, but no call can ever use it).
  const unused: Array<PolicyPermission & { canApply: boolean }> = [];
  for (const u of unusedPermissions(POLICY_NAME, policyPermissions(policy), allowedUses))
    unused.push({ ...u, canApply: await actionCanApplyTo(u.action, u.resource) });
  const unusedApplicable = unused.filter((u) => u.canApply);
  const unusedNever = unused.filter((u) => !u.canApply);

  // Distinct calls, in first-seen order, with counts and verdicts.
  const distinct = new Map<string, { phases: Set<string>; count: number; statuses: Set<number>; lines: string[] }>();
  for (const c of calls) {
    const row = distinct.get(c.mapped.label) ?? { phases: new Set(), count: 0, statuses: new Set(), lines: [] };
    row.phases.add(c.record.phase!);
    row.count++;
    row.statuses.add(c.record.status);
    if (row.lines.length === 0) {
      row.lines =
        c.mapped.kind === "unmapped"
          ? [`UNMAPPED: ${c.mapped.reason}`]
          : c.mapped.noPermission
            ? [`no permission needed: ${c.mapped.noPermission}`]
            : c.evaluated.map(
                (e) =>
                  `${e.verdict.decision === "Allowed" ? "allowed" : "DENIED "} ${e.action} ${e.resource}${e.implied ? ` [implied: ${e.implied}]` : ""}${e.evaluatedBeyondReference ? " [wildcard-only in the reference, evaluated on this ARN]" : ""} ${e.verdict.decidedBy.join(",")}`,
              );
    }
    distinct.set(c.mapped.label, row);
  }
  const perPhase = PHASES.map((p) => `${p} ${recorded.filter((r) => r.phase === p).length}`).join(", ");
  const errors = recorded
    .filter((r) => r.status >= 400)
    .map((r) => `[${r.phase}] ${r.method} ${r.url} -> ${r.status} ${(r.errorSnippet ?? "").replace(/\s+/g, " ").slice(0, 160)}`);
  const lines = [
    `plan role calls: ${recorded.length} requests recorded (${perPhase}), ${distinct.size} distinct calls, ${cache.size} distinct permissions evaluated, ${denied.length} denied, ${tolerated.length} denied but tolerated, ${unmapped.length} unmapped`,
    ...[...distinct.entries()].flatMap(([label, r]) => [
      `  ${label}  x${r.count} [${[...r.phases].join(",")}] HTTP ${[...r.statuses].join(",")}`,
      ...r.lines.map((l) => `      ${l}`),
    ]),
    ...(errors.length ? [`error answers the provider went on after (${errors.length}):`, ...errors.map((e) => `  ${e}`)] : []),
    ...(tolerated.length ? [`denied but tolerated by the caller (${tolerated.length}):`, ...tolerated.map((t) => `  ${t}`)] : []),
    `permissions of planRolePolicy(${env.name}) no recorded call needed: ${unused.length} (action x resource pairs of ${policyPermissions(policy).length})`,
    `  could grant access (${unusedApplicable.length}):`,
    ...unusedApplicable.map((u) => `    ${u.sid}: ${u.action} on ${u.resource}`),
    `  can never apply, the resource is not of a type the action takes (${unusedNever.length}):`,
    ...unusedNever.map((u) => `    ${u.sid}: ${u.action} on ${u.resource}`),
  ];
  process.stderr.write(`${lines.join("\n")}\n`);

  mkdirSync(reports, { recursive: true });
  writeFileSync(
    join(reports, "plan-role-unused.json"),
    JSON.stringify(
      {
        environment: env.name,
        stack: env.name,
        policy: `planRolePolicy(${env.name})`,
        requests: recorded.length,
        pairs: policyPermissions(policy).length,
        unused: unusedApplicable.map(({ sid, action, resource }) => ({ sid, action, resource })),
        unusedNeverApplicable: unusedNever.map(({ sid, action, resource }) => ({ sid, action, resource })),
      },
      null,
      2,
    ),
  );
  writeFileSync(
    join(reports, "plan-role-calls.json"),
    JSON.stringify(
      {
        environment: env.name,

        denied,
        tolerated,
        unmapped,
        calls: calls.map((c) => ({
          phase: c.record.phase,
          request: `${c.record.method} ${c.record.url}`,
          status: c.record.status,
          call: c.mapped.label,
          ...(c.mapped.kind === "unmapped" ? { unmapped: c.mapped.reason } : c.mapped.noPermission ? { noPermission: c.mapped.noPermission } : {}),
          permissions: c.evaluated.map((e) => ({
            action: e.action,
            resource: e.resource,
            context: e.context,
            implied: e.implied,
            evaluatedBeyondReference: e.evaluatedBeyondReference,
            toleratedIfDenied: e.toleratedIfDenied,
            decision: e.verdict.decision,
            decidedBy: e.verdict.decidedBy,
          })),
        })),
      },
      null,
      2,
    ),
  );

  expect({ unmapped, denied }).toEqual({ unmapped: [], denied: [] });
}, 300_000);

it("the analysis can fail: without any one statement that alone allowed a call, that call is denied", async () => {
  expect(analysed).toBeDefined();
  const { ctx, policy, allowed } = analysed!;
  const identityDeciders = (e: Evaluated) => e.verdict.decidedBy.filter((d) => d.startsWith(`${POLICY_NAME}/`));
  const soleDeciders = [
    ...new Set(
      allowed
        .map(identityDeciders)
        .filter((d) => d.length === 1)
        .map((d) => d[0].split("/")[1]),
    ),
  ].sort();
  expect(soleDeciders.length).toBeGreaterThan(0);
  const outcome: Record<string, string[]> = {};
  for (const sid of soleDeciders) {
    const without = { ...policy, Statement: policy.Statement.filter((st) => st.Sid !== sid) };
    const reliant = allowed.filter((e) => identityDeciders(e).join() === `${POLICY_NAME}/${sid}`);
    const verdicts = await Promise.all(reliant.map((e) => evaluateAgainst(without, e, ctx)));
    outcome[sid] = reliant.filter((_e, i) => verdicts[i].decision === "Allowed").map((e) => `${e.action} ${e.resource}`);
  }
  process.stderr.write(`statements each proven necessary by a recorded call: ${soleDeciders.join(", ")}\n`);
  // Every call a statement alone allowed is denied once that statement is gone.
  expect(outcome).toEqual(Object.fromEntries(soleDeciders.map((sid) => [sid, []])));
});
