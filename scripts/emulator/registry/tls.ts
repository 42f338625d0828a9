import { loopbackCertificate } from "../../lib/loopback-tls";
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
  return loopbackCertificate(dir, { prefix: "registry-", commonName: "ECR registry stand-in", dnsNames: [registryHostPattern(region)], ca: true });
}
