/**
 * Online checks with whatever credentials the environment has (AWS SDK v3):
 * who am I, does the repository exist, can I get a token and until when,
 * does a push step succeed. Each failure is mapped to a cause and a fix, the
 * way the usual push checklist reads.
 */
import { BatchCheckLayerAvailabilityCommand, DescribeRepositoriesCommand, ECRClient, GetAuthorizationTokenCommand } from "@aws-sdk/client-ecr";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { ECR_PULL_ACTIONS, ECR_PUSH_ACTIONS } from "../../constructs/ecr-actions";
import type { EnvironmentConfig } from "../../environments";
import { registryHost, repositoryName } from "../../environments/naming";
import { identityNamesOf } from "../../stacks/identity-names";
import { routeOf, type EcrRegistryAction } from "../emulator/registry/routes";

export interface OnlineCheck {
  readonly check: string;
  readonly ok: boolean;
  readonly detail: string;
  readonly cause?: string;
  readonly fix?: string;
  /** Worth acting on, but no reason a push fails (e.g. a key past its age). */
  readonly warning?: string;
  /** Not checked (no identity, or this identity may not look): neither a pass nor a failure. */
  readonly skipped?: boolean;
}

interface ErrorLike {
  name?: string;
  message?: string;
}

/** Maps an AWS error to the usual cause of a 403 on push and what to do. */
export function explain(err: unknown, context: { action: string; repository?: string; region: string }): { cause: string; fix: string } {
  const e = (err ?? {}) as ErrorLike;
  const name = e.name ?? "";
  const msg = e.message ?? String(err);
  if (/ExpiredToken|RequestExpired/.test(name) || /expired/i.test(msg)) {
    return {
      cause: "the temporary credentials have expired (an OIDC session lasts 1 hour; an ECR token 12 hours)",
      fix: "re-run the job or log in again; keep build and push within the session",
    };
  }
  if (/InvalidClientTokenId|UnrecognizedClient|InvalidAccessKeyId|SignatureDoesNotMatch/.test(name)) {
    return {
      cause: "the access key is unknown, deleted or paired with the wrong secret",
      fix: "read both values again from the environment's outputs or SSM (/<app>/<env>/ecr-aws-access-key-id and -secret-access-key)",
    };
  }
  if (/CredentialsProviderError|Could not load credentials/i.test(name + msg)) {
    return { cause: "no AWS credentials in this shell", fix: "export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY of the ECR user, or assume the deploy role" };
  }
  if (/RepositoryNotFound/.test(name)) {
    return {
      cause: `repository ${context.repository} does not exist in ${context.region} of this account`,
      fix: "deploy the environment, or check the repository name, region and account (a name or ARN mismatch gives 403 on push)",
    };
  }
  if (/AccessDenied|UnauthorizedOperation|NotAuthorized/.test(name) || /not authorized/i.test(msg)) {
    return context.action === "ecr:GetAuthorizationToken"
      ? {
          cause: "the identity may not call ecr:GetAuthorizationToken (S3 user's keys instead of the ECR user's?)",
          fix: 'use the ECR user\'s keys or the deploy role; the token action must be allowed on "*"',
        }
      : {
          cause: `the identity's policy does not allow ${context.action} on ${context.repository}`,
          fix: "the push actions must be allowed on the repository ARN itself (arn:aws:ecr:<region>:<account>:repository/<name>); run the offline doctor to see which statement decides",
        };
  }
  return { cause: `${name || "error"}: ${msg}`, fix: "see the message; run with the offline doctor for the policy side" };
}

type CheckResult = Omit<OnlineCheck, "check">;

export async function onlineCheck(opts: {
  region: string;
  accountId: string;
  repository: string;
  endpoint?: string;
  clientConfig?: Record<string, unknown>;
}): Promise<OnlineCheck[]> {
  const config = { region: opts.region, ...(opts.endpoint ? { endpoint: opts.endpoint } : {}), ...opts.clientConfig };
  const sts = new STSClient(config);
  const ecr = new ECRClient(config);
  const checks: OnlineCheck[] = [];
  /** Runs one check; an AWS error becomes a failed row with its cause and fix. Returns false when AWS answered with an error. */
  const attempt = async (check: string, action: string, run: () => Promise<CheckResult>): Promise<boolean> => {
    try {
      const result = await run();
      checks.push({ check, ...result });
      return true;
    } catch (err) {
      checks.push({
        check,
        ok: false,
        detail: (err as ErrorLike).name ?? "error",
        ...explain(err, { action, repository: opts.repository, region: opts.region }),
      });
      return false;
    }
  };

  const answered = await attempt("who am I (sts:GetCallerIdentity)", "sts:GetCallerIdentity", async () => {
    const me = await sts.send(new GetCallerIdentityCommand({}));
    const sameAccount = me.Account === opts.accountId;
    return {
      ok: sameAccount,
      detail: `${me.Arn}`,
      ...(sameAccount
        ? {}
        : { cause: `credentials are for account ${me.Account}, the environment is in ${opts.accountId}`, fix: "use the environment's credentials or role" }),
    };
  });
  // Nothing else can work without an identity.
  if (!answered) return checks;

  await attempt("repository exists", "ecr:DescribeRepositories", async () => {
    const { repositories } = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [opts.repository] }));
    const repo = repositories?.[0];
    return { ok: true, detail: `${repo?.repositoryUri} (tags ${repo?.imageTagMutability})` };
  });
  await attempt("registry token (ecr:GetAuthorizationToken)", "ecr:GetAuthorizationToken", async () => {
    const { authorizationData } = await ecr.send(new GetAuthorizationTokenCommand({}));
    const expires = authorizationData?.[0]?.expiresAt;
    const hours = expires ? (expires.getTime() - Date.now()) / 3_600_000 : 0;
    const ok = hours > 0;
    return {
      ok,
      detail: expires ? `valid until ${expires.toISOString()} (${hours.toFixed(1)} h)` : "no expiry returned",
      ...(ok
        ? {}
        : {
            cause: "the token is already expired when issued: this machine's clock is wrong, or a proxy serves a stale answer",
            fix: "fix the clock (tokens last 12 hours from issue), then docker login again",
          }),
    };
  });
  await attempt("dry push step (ecr:BatchCheckLayerAvailability)", "ecr:BatchCheckLayerAvailability", async () => {
    // A layer digest nobody has: permitted callers get "missing", not an error; nothing is written.
    await ecr.send(new BatchCheckLayerAvailabilityCommand({ repositoryName: opts.repository, layerDigests: [`sha256:${"0".repeat(64)}`] }));
    return { ok: true, detail: "allowed" };
  });
  return checks;
}

/** What a failed push or pull printed (docker, podman, skopeo, crane, the AWS CLI), explained. */
export interface RegistryErrorExplanation {
  /** Which known failure it is. */
  readonly kind: "token-denied" | "token-expired" | "action-denied" | "name-unknown" | "tag-immutable" | "not-logged-in" | "unreachable" | "unknown";
  /** The identity the error names, as this environment knows it. */
  readonly identity?: string;
  readonly cause: string;
  readonly fix: string;
}

/** Which of the environment's identities an ARN from an error message is (a user, or a session of a role). */
function identityOf(env: EnvironmentConfig, arn: string): string {
  const [, , service, , account, resource = ""] = arn.split(":");
  if (account !== env.accountId) return `a principal of account ${account}, not ${env.name}'s ${env.accountId}`;
  const name = service === "sts" && resource.startsWith("assumed-role/") ? `role/${resource.split("/")[1]}` : resource;
  const known = identityNamesOf(env).find((i) => `${i.principal}/${i.name}` === name);
  return known ? `${env.name}'s ${known.kind} (${known.name})` : `${arn}, not one of ${env.name}'s identities`;
}

/**
 * A 403 as clients print it when they show no ECR message (a HEAD answer has no
 * body, and some clients drop it): containers/image (podman, skopeo, buildah)
 * before and since v5.24, crane, containerd (docker's containerd image store),
 * docker's own client, and a bare `denied:` (the registry's DENIED code).
 */
const FORBIDDEN =
  /: 403 \(Forbidden\)|: 403 Forbidden|StatusCode: 403\b|HTTP 403 response|status code 403\b|\bdenied: |requested access to the resource is denied/i;

/** A reference's repository path: a leading registry host (it has a dot or a port, or is localhost) is not part of it. */
const repositoryPathOf = (name: string) => {
  const [first, ...rest] = name.split("/");
  return rest.length > 0 && (/[.:]/.test(first) || first === "localhost") ? rest.join("/") : name;
};

const urlPathOf = (url: string) => {
  try {
    return new URL(url).pathname;
  } catch {
    return "";
  }
};

/**
 * The request a client names beside a 403, as method and registry path, so that
 * the registry's own routing (ECR checks one action per request) names the action.
 */
const REQUEST_WORDINGS: readonly (readonly [RegExp, (m: RegExpExecArray) => readonly [string, string]])[] = [
  // containers/image before v5.24: the blob check that starts every layer of a push, with the repository's path only.
  [/failed to read from destination repository (\S+): 403/, (m) => ["HEAD", `/v2/${m[1]}/blobs/-`]],
  // containers/image since v5.24 name the repository with its registry host.
  [/checking whether a blob \S+ exists in (\S+): /, (m) => ["HEAD", `/v2/${repositoryPathOf(m[1])}/blobs/-`]],
  [/initiating layer upload to (\/v2\/\S+) in \S+: /, (m) => ["POST", m[1]]],
  [/uploading layer to (\S+): /, (m) => ["PUT", urlPathOf(m[1])]],
  [/uploading manifest (\S+) to (\S+): /, (m) => ["PUT", `/v2/${repositoryPathOf(m[2])}/manifests/${m[1]}`]],
  [/reading manifest (\S+) in (\S+): /, (m) => ["GET", `/v2/${repositoryPathOf(m[2])}/manifests/${m[1]}`]],
  // crane, then containerd: the request itself.
  [/\b(HEAD|GET|POST|PATCH|PUT) (https?:\/\/\S+): unexpected status code/, (m) => [m[1], urlPathOf(m[2])]],
  [/unexpected status from (HEAD|GET|POST|PATCH|PUT) request to (\S+): /, (m) => [m[1], urlPathOf(m[2])]],
];

/** Which request of which repository a 403 answered, as far as the text says (docker names only the repository). */
function refusedRequest(text: string): { action?: EcrRegistryAction; repository?: string } {
  for (const [wording, request] of REQUEST_WORDINGS) {
    const m = wording.exec(text);
    if (!m) continue;
    const [method, path] = request(m);
    const route = routeOf(method, path, new URLSearchParams());
    if (route.kind === "repository") return { action: route.action, repository: route.repository };
  }
  const pushed = /The push refers to repository \[([^\]\s]+)\]/.exec(text);
  return pushed ? { repository: repositoryPathOf(pushed[1]) } : {};
}

/**
 * Maps the text of a failed registry call to its cause and fix. Matching is on
 * the registry's and the AWS CLI's own wording (ECR's error codes and
 * messages), whichever client printed it, and on the clients' own wording of a
 * 403 that carries no ECR message.
 */
export function explainRegistryError(env: EnvironmentConfig, text: string): RegistryErrorExplanation {
  const host = registryHost(env);
  const login = `aws ecr get-login-password --region ${env.region} | <docker|podman> login --username AWS --password-stdin ${host}`;
  const repositories = env.services.map((s) => repositoryName(env, s));
  const notOurs = (repository: string, identity?: string): RegistryErrorExplanation => ({
    kind: "action-denied",
    ...(identity ? { identity } : {}),
    cause: `${repository} is not a repository of ${env.name}; its identities may act on ${repositories.join(", ")} only`,
    fix: `tag the image for one of ${repositories.map((r) => `${host}/${r}`).join(", ")} (a new service needs a synth and deploy first)`,
  });
  const crossAccountPull = `a foreign account pulls only when listed in ecr.crossAccountPullPrincipals of environments/app.ts (then deploy ${env.name})`;
  const whichStatement = `run npm run doctor -- ${env.name} --as <ecr-user|deploy-role> to see which statement decides; the push actions must be allowed on the repository ARN itself`;
  const denied =
    /User: (arn:[^\s]+) is not authorized to perform: (ecr:[A-Za-z]+) on resource: ([^\s]+)(?: (because no (identity|resource)-based policy allows|with an explicit deny in an? (identity|resource)-based policy))?/.exec(
      text,
    );
  if (denied && denied[2] === "ecr:GetAuthorizationToken") {
    const who = identityOf(env, denied[1]);
    return {
      kind: "token-denied",
      identity: who,
      cause: `${who} may not call ecr:GetAuthorizationToken, so it gets no registry login at all: these are not the ECR user's keys (the S3 user's keys are the usual mix-up)`,
      fix: `use the ECR user's keys (SSM /${env.app}/${env.name}/ecr-aws-access-key-id and -secret-access-key) or the deploy role, then ${login}`,
    };
  }
  if (/authorization token has expired/i.test(text)) {
    return {
      kind: "token-expired",
      cause: "the registry login is older than 12 hours: the client kept the token, ECR no longer accepts it",
      fix: `log in again, then retry: ${login}`,
    };
  }
  if (denied) {
    const [, arn, action, resource] = denied;
    const who = identityOf(env, arn);
    const repository = resource.split(":repository/")[1] ?? resource;
    const pullOnly =
      (ECR_PULL_ACTIONS as readonly string[]).includes(action) === false && (/runtime-pull-role/.test(who) || arn.split(":")[4] !== env.accountId);
    if (!repositories.includes(repository)) return notOurs(repository, who);
    if (pullOnly) {
      return {
        kind: "action-denied",
        identity: who,
        cause: `${who} may pull from ${repository} but never push (${action} is a push step)`,
        fix: "push with the ECR user's keys or the deploy role (GitHub Actions); runtime and cross-account identities are pull-only by design",
      };
    }
    if (denied[5] === "resource" || denied[6] === "resource") {
      return {
        kind: "action-denied",
        identity: who,
        cause: `the repository policy of ${repository} does not let ${who} ${action}`,
        fix: `${crossAccountPull}; its own identity policy must allow the pull actions on ${resource} too`,
      };
    }
    return {
      kind: "action-denied",
      identity: who,
      cause: `the identity policy of ${who} does not allow ${action} on ${resource}`,
      fix: whichStatement,
    };
  }
  const unknown = /repository with name '([^']+)' does not exist in the registry with id '(\d+)'/.exec(text);
  if (unknown || /name unknown|NAME_UNKNOWN|RepositoryNotFoundException/.test(text)) {
    const [, name = "?", registry = "?"] = unknown ?? [];
    const elsewhere = unknown && registry !== env.accountId ? ` The registry ${registry} is not ${env.name}'s account ${env.accountId}.` : "";
    return {
      kind: "name-unknown",
      cause: `repository ${name} does not exist in registry ${registry} (${env.region}).${elsewhere} ECR never creates a repository on push`,
      fix: `push to one of ${repositories.map((r) => `${host}/${r}`).join(", ")}; a new service is added to the services of environments/app.ts and deployed before its first push`,
    };
  }
  if (/tag invalid|TAG_INVALID|ImageTagAlreadyExists|cannot be overwritten because the repository is immutable/.test(text)) {
    return {
      kind: "tag-immutable",
      cause: "the tag was pushed before and this repository's tags are immutable: a tag names one image forever",
      fix: "push under a new tag (scripts/ecr-deploy.sh tags with the commit: commit, then deploy); never re-push a release tag",
    };
  }
  if (/no basic auth credentials|authentication required|401 Unauthorized|UNAUTHORIZED|authorization token is invalid/i.test(text)) {
    return {
      kind: "not-logged-in",
      cause: `the client sent no valid ECR login for ${host} (never logged in, logged in to another registry host, or the auth file is another user's)`,
      fix: login,
    };
  }
  // After the login check: `denied` beside `unauthorized: authentication required` is a missing login, not a refused action.
  if (FORBIDDEN.test(text)) {
    const { action, repository } = refusedRequest(text);
    if (repository && !repositories.includes(repository)) return notOurs(repository);
    const service = env.services.find((s) => repositoryName(env, s) === repository);
    const online = `npm run doctor -- ${env.name}${service ? ` --service ${service.name}` : ""} --online`;
    const where = repository ?? `a repository of ${env.name}`;
    const noIdentity = "403, and the client printed no ECR message naming the identity";
    if (action && !(ECR_PUSH_ACTIONS as readonly string[]).includes(action)) {
      return {
        kind: "action-denied",
        cause: `the registry refused ${action} on ${where} (${noIdentity}): the credentials the client logged in with may not pull there`,
        fix: `run ${online} with the same credentials to see whose they are; ${crossAccountPull}`,
      };
    }
    return {
      kind: "action-denied",
      cause:
        `the registry refused ${action ?? "a push step"} on ${where} (${noIdentity}): the credentials the client logged in with lack ${action ?? "a push action"} there` +
        // Pull identities may check layers too: only a push-only step points at them.
        (action && (ECR_PULL_ACTIONS as readonly string[]).includes(action) ? "" : " (runtime and cross-account identities only pull)"),
      fix: `run ${online} with the same credentials: it names their identity and tries a push step; then ${whichStatement}`,
    };
  }
  if (
    /no such host|connection refused|i\/o timeout|dial tcp|TLS handshake|x509:|certificate signed by unknown authority|Could not connect to the endpoint/i.test(
      text,
    )
  ) {
    return {
      kind: "unreachable",
      cause: `the registry ${host} could not be reached (DNS, proxy, firewall or certificate): this is not a permission problem`,
      fix: "check the network path to the registry (HTTPS_PROXY, VPC endpoints, the CA bundle) and retry; the login itself may have succeeded",
    };
  }
  return {
    kind: "unknown",
    cause: "not an error this doctor recognizes",
    fix: `run npm run doctor -- ${env.name} --online with the same credentials`,
  };
}
