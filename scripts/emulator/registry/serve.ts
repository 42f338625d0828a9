/**
 * The registry stand-in as a process of its own, for a sandbox that outlives
 * the command that started it (`local.sh up`): runs until SIGTERM, and writes
 * where clients reach it to --out once it listens.
 *
 *   node dist/scripts/emulator/registry/serve.js --endpoint <emulator URL> --ca <emulator CA file> --region <region> --out <file.json>
 */
import { mkdirSync, copyFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { dnsSuffixOf } from "../../../constructs/aws-partition";
import { startRegistry } from "./index";

export interface ServedRegistry {
  readonly pid: number;
  readonly endpoint: string;
  /** ECR_REGISTRY_ENDPOINT */
  readonly hostPort: string;
  /** HTTPS_PROXY for the real registry hosts of the region */
  readonly proxyUrl: string;
  /** AWS_CA_BUNDLE / NODE_EXTRA_CA_CERTS: the emulator's and the stand-in's certificates */
  readonly caFile: string;
  /** The stand-in's certificate as `ca.crt` in a directory: podman's --cert-dir, CONTAINER_CERT_DIR of ecr-deploy.sh */
  readonly certDir: string;
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { endpoint: { type: "string" }, ca: { type: "string" }, region: { type: "string" }, out: { type: "string" } },
  });
  if (!values.endpoint || !values.ca || !values.region || !values.out) {
    throw new Error("usage: serve.js --endpoint <emulator URL> --ca <emulator CA file> --region <region> --out <file.json>");
  }
  const registry = await startRegistry({
    emulator: { endpoint: values.endpoint, caFile: values.ca },
    region: values.region,
    log: (l) => process.stdout.write(`${l}\n`),
  });
  const certDir = join(dirname(values.out), "registry-certs");
  mkdirSync(certDir, { recursive: true });
  copyFileSync(registry.registryCaFile, join(certDir, "ca.crt"));
  const served: ServedRegistry = {
    pid: process.pid,
    endpoint: registry.endpoint,
    hostPort: registry.hostPort,
    proxyUrl: registry.proxyUrl,
    caFile: registry.caFile,
    certDir,
  };
  writeFileSync(values.out, JSON.stringify(served, null, 2));
  process.stdout.write(
    `serving ECR registry hosts *.dkr.ecr.${values.region}.${dnsSuffixOf(values.region)} (through ${registry.proxyUrl}) and ${registry.hostPort}\n`,
  );
  const shutdown = () => {
    void registry.stop().finally(() => {
      rmSync(values.out!, { force: true });
      rmSync(certDir, { recursive: true, force: true });
      process.exit(0);
    });
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`registry stand-in: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  });
}
