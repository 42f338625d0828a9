import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/**
 * ECR authorization tokens as the emulator issues them
 * (scripts/emulator/moto_patched_server.py, issue_token): `AWS:<payload>.<mac>`
 * base64-encoded, the payload naming the caller, its registry and the expiry,
 * the MAC keyed from the emulator's TLS private key.
 */
export interface TokenClaims {
  /** ARN of the identity that called GetAuthorizationToken (user, assumed-role session or root). */
  readonly principal: string;
  readonly account: string;
  readonly expiresAt: Date;
}

export type TokenCheck = { readonly ok: true; readonly claims: TokenClaims } | { readonly ok: false; readonly reason: "missing" | "invalid" | "expired" };

export function tokenKey(emulatorTlsKeyPem: Buffer): Buffer {
  return createHash("sha256")
    .update(Buffer.concat([Buffer.from("ecr-authorization-token\0"), emulatorTlsKeyPem]))
    .digest();
}

const b64url = (data: Buffer) => data.toString("base64url");

/** Reads `Authorization: Basic base64(AWS:<token>)`; a token past its expiry is reported as such, not as invalid. */
export function checkToken(authorization: string | undefined, key: Buffer, now: number): TokenCheck {
  const basic = /^Basic\s+(\S+)$/i.exec(authorization ?? "");
  if (!basic) return { ok: false, reason: "missing" };
  const decoded = Buffer.from(basic[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0 || decoded.slice(0, colon) !== "AWS") return { ok: false, reason: "invalid" };
  const [payload, mac, ...rest] = decoded.slice(colon + 1).split(".");
  if (!payload || !mac || rest.length) return { ok: false, reason: "invalid" };
  const expected = Buffer.from(b64url(createHmac("sha256", key).update(payload).digest()));
  const given = Buffer.from(mac);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: "invalid" };
  let claims: { p?: unknown; a?: unknown; exp?: unknown };
  try {
    claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    return { ok: false, reason: "invalid" };
  }
  if (typeof claims.p !== "string" || typeof claims.a !== "string" || typeof claims.exp !== "number") return { ok: false, reason: "invalid" };
  if (claims.exp * 1000 <= now) return { ok: false, reason: "expired" };
  return { ok: true, claims: { principal: claims.p, account: claims.a, expiresAt: new Date(claims.exp * 1000) } };
}

/** A token as the emulator would issue it: for unit tests of the front. */
export function issueTokenForTest(key: Buffer, principal: string, account: string, expiresAt: Date): string {
  const payload = b64url(Buffer.from(JSON.stringify({ p: principal, a: account, exp: Math.floor(expiresAt.getTime() / 1000) })));
  return `${payload}.${b64url(createHmac("sha256", key).update(payload).digest())}`;
}
