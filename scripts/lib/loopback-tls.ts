import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";

export interface LoopbackCertificateOptions {
  /** File name prefix, for two certificates in one directory. @default "" (cert.pem, key.pem) */
  readonly prefix?: string;
  /** Common name. @default "127.0.0.1" */
  readonly commonName?: string;
  /** DNS names besides localhost (wildcards allowed). @default [] */
  readonly dnsNames?: readonly string[];
  /** Marked as a CA, for clients that accept only CA certificates as trust anchors. @default false */
  readonly ca?: boolean;
}

/**
 * A self-signed certificate for 127.0.0.1 and localhost, valid one day, written
 * into `dir`: loopback servers of the emulator and the tests speak TLS as AWS
 * does, so TLS-only policies are exercised, not bypassed.
 */
export function loopbackCertificate(dir: string, opts: LoopbackCertificateOptions = {}): { certFile: string; keyFile: string; certPem: string } {
  const prefix = opts.prefix ?? "";
  const certFile = join(dir, `${prefix}cert.pem`);
  const keyFile = join(dir, `${prefix}key.pem`);
  const names = ["IP:127.0.0.1", "DNS:localhost", ...(opts.dnsNames ?? []).map((n) => `DNS:${n}`)].join(",");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      keyFile,
      "-out",
      certFile,
      "-days",
      "1",
      "-subj",
      `/CN=${opts.commonName ?? "127.0.0.1"}`,
      "-addext",
      `subjectAltName=${names}`,
      ...(opts.ca ? ["-addext", "basicConstraints=critical,CA:TRUE"] : []),
    ],
    { stdio: "ignore" },
  );
  return { certFile, keyFile, certPem: readFileSync(certFile, "utf8") };
}
