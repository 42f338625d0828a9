/**
 * Age and last use of the IAM users' access keys (iam:ListAccessKeys,
 * iam:GetAccessKeyLastUsed), warned past the environment's maxKeyAgeDays: a
 * key that is never rotated is a key that has leaked somewhere by now.
 */
import { GetAccessKeyLastUsedCommand, IAMClient, ListAccessKeysCommand } from "@aws-sdk/client-iam";
import type { OnlineCheck } from "./online";

const DAY_MS = 86_400_000;

/** Key ids are not secret, but logs are shared: show enough to tell keys apart. */
export const maskKeyId = (id: string) => (id.length > 8 ? `${id.slice(0, 4)}…${id.slice(-4)}` : "…");

export interface KeyFacts {
  readonly accessKeyId: string;
  readonly status: string;
  readonly created: Date;
  readonly lastUsed?: Date;
  readonly lastService?: string;
}

/** One row per key: its age and last use, and a warning when it is older than allowed. */
export function keyFinding(user: string, key: KeyFacts, now: Date, maxKeyAgeDays: number): OnlineCheck {
  const ageDays = Math.floor((now.getTime() - key.created.getTime()) / DAY_MS);
  const used = key.lastUsed ? `last used ${key.lastUsed.toISOString().slice(0, 10)}${key.lastService ? ` (${key.lastService})` : ""}` : "never used";
  const detail = `${maskKeyId(key.accessKeyId)} ${key.status}, ${ageDays} days old, ${used}`;
  const tooOld = key.status === "Active" && ageDays > maxKeyAgeDays;
  return {
    check: `access key of ${user}`,
    ok: true,
    detail,
    ...(tooOld ? { warning: `older than maxKeyAgeDays (${maxKeyAgeDays}): rotate it (npm run rotate -- <env> <ecr|s3>, then deploy <env>-credentials)` } : {}),
  };
}

export async function keyAgeChecks(opts: {
  users: readonly string[];
  maxKeyAgeDays: number;
  now?: Date;
  clientConfig: Record<string, unknown>;
}): Promise<OnlineCheck[]> {
  const iam = new IAMClient(opts.clientConfig);
  const now = opts.now ?? new Date();
  const rows: OnlineCheck[] = [];
  for (const user of opts.users) {
    try {
      const keys = (await iam.send(new ListAccessKeysCommand({ UserName: user }))).AccessKeyMetadata ?? [];
      if (keys.length === 0) rows.push({ check: `access keys of ${user}`, ok: true, detail: "none (credentials stack not deployed?)" });
      for (const k of keys) {
        const { AccessKeyLastUsed } = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: k.AccessKeyId! }));
        rows.push(
          keyFinding(
            user,
            {
              accessKeyId: k.AccessKeyId!,
              status: k.Status ?? "?",
              created: k.CreateDate ?? now,
              lastUsed: AccessKeyLastUsed?.LastUsedDate,
              lastService: AccessKeyLastUsed?.ServiceName,
            },
            now,
            opts.maxKeyAgeDays,
          ),
        );
      }
    } catch (err) {
      // Push credentials may not list keys, by design: not a failure of the push, and not a pass either.
      rows.push({
        check: `access keys of ${user}`,
        ok: true,
        skipped: true,
        detail: `not visible to this identity (${(err as { name?: string }).name ?? "error"}): needs iam:ListAccessKeys, run with operator credentials`,
      });
    }
  }
  return rows;
}
