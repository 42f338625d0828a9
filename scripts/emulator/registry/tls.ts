import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { dnsSuffixOf } from "../../../constructs/aws-partition";

/** `*.dkr.ecr.<region>.<suffix>`: every account's registry host in the region (one DNS label, as wildcard certificates allow). */
export const registryHostPattern = (region: string) => `*.dkr.ecr.${region}.${dnsSuffixOf(region)}`;

/**
 * The stand-in's certificate: self-signed (clients trust it as a CA, as they
 * trust the emulator's), for loopback and for the real registry hosts of the
 * region, so that a client reaching `<account>.dkr.ecr.<region>.amazonaws.com`
 * through the proxy verifies the name it asked for.
 */
export function registryCertificate(dir: string, region: string): { certFile: string; keyFile: string; certPem: string } {
  const certFile = join(dir, "registry-cert.pem");
  const keyFile = join(dir, "registry-key.pem");
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
      "/CN=ECR registry stand-in",
      "-addext",
      `subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:${registryHostPattern(region)}`,
      "-addext",
      "basicConstraints=critical,CA:TRUE",
    ],
    { stdio: "ignore" },
  );
  return { certFile, keyFile, certPem: readFileSync(certFile, "utf8") };
}
