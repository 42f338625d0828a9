import sodium from "libsodium-wrappers";

/**
 * GitHub's secret encryption: a libsodium sealed box (X25519 + XSalsa20-Poly1305,
 * anonymous sender) to the scope's public key, base64 (standard alphabet) on the wire.
 */

export interface SecretKeyPair {
  /** GitHub's key_id: a decimal string. */
  readonly keyId: string;
  /** Base64 of the 32-byte public key, as GET .../secrets/public-key returns it. */
  readonly publicKey: string;
  readonly privateKey: Uint8Array;
  readonly publicKeyBytes: Uint8Array;
}

export const sodiumReady = (): Promise<void> => sodium.ready;

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");

let nextKeyId = 3380204578043523366n;
export function newKeyPair(): SecretKeyPair {
  const kp = sodium.crypto_box_keypair();
  nextKeyId += 1_000_003n;
  return { keyId: nextKeyId.toString(), publicKey: b64(kp.publicKey), privateKey: kp.privateKey, publicKeyBytes: kp.publicKey };
}

/** What a client (the provider, `gh secret set`) does with the public key. */
export function seal(plaintext: string, publicKeyBase64: string): string {
  return b64(sodium.crypto_box_seal(Buffer.from(plaintext, "utf8"), Buffer.from(publicKeyBase64, "base64")));
}

/** Opens a sealed box; undefined when it was not sealed to this key pair or is not a sealed box at all. */
export function open(encryptedBase64: string, key: SecretKeyPair): string | undefined {
  try {
    const opened = sodium.crypto_box_seal_open(Buffer.from(encryptedBase64, "base64"), key.publicKeyBytes, key.privateKey);
    return Buffer.from(opened).toString("utf8");
  } catch {
    return undefined;
  }
}
