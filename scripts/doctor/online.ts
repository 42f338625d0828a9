/**
 * Online checks with whatever credentials the environment has (AWS SDK v3):
 * who am I, does the repository exist, can I get a token and until when,
 * does a push step succeed. Each failure is mapped to a cause and a fix, the
 * way seed 003's checklist reads.
 */
import { BatchCheckLayerAvailabilityCommand, DescribeRepositoriesCommand, ECRClient, GetAuthorizationTokenCommand } from "@aws-sdk/client-ecr";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";

export interface OnlineCheck {
  readonly check: string;
  readonly ok: boolean;
  readonly detail: string;
  readonly cause?: string;
  readonly fix?: string;
  /** Worth acting on, but no reason a push fails (e.g. a key past its age). */
  readonly warning?: string;
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
