/**
 * One measured synthesis, run in a fresh process by bench.ts:
 *   node dist/scripts/bench-synth.js <committed|N|root-import> <outdir>
 * Prints one JSON line: wall milliseconds inside the process and peak RSS.
 */
import { ENVIRONMENTS } from "../environments";
import type { EnvironmentInput } from "../environments";
import { synthesizePlatform } from "../stacks/synthesize";

const started = performance.now();
const [mode, outdir] = process.argv.slice(2);

export function generatedEnvironments(count: number): EnvironmentInput[] {
  return Array.from({ length: count }, (_, i): EnvironmentInput => {
    const n = String(i + 1).padStart(2, "0");
    const accountId = String(100000000000 + (i % 5) * 1111111111);
    return {
      name: `env${n}`,
      app: "bench",
      accountId,
      region: i % 2 === 0 ? "us-east-1" : "eu-west-1",
      services: [{ name: "api" }, { name: "worker" }, { name: "web" }],
      ecr: { encryption: i % 3 === 0 ? { type: "KMS" } : { type: "AES256" }, crossAccountPullPrincipals: i % 4 === 0 ? ["999999999999"] : [] },
      s3UserBuckets: [`bench-env${n}-assets`],
      github: { repository: "acme/bench", ownerId: 1001, repositoryId: 2002, deployFrom: { kind: "environment", name: `env${n}` } },
      state: { bucket: `bench-tfstate-${accountId}`, key: `bench/env${n}.tfstate`, region: "us-east-1" },
    };
  });
}

if (require.main === module) {
  if (mode === "root-import") {
    // What the cdktf template style costs: the provider package's root index, loaded on purpose.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require("@cdktf/provider-aws");
  } else {
    const environments = mode === "committed" ? ENVIRONMENTS : generatedEnvironments(Number(mode));
    synthesizePlatform({ outdir, environments });
  }
  const ms = performance.now() - started;
  process.stdout.write(`${JSON.stringify({ mode, inProcessMs: Math.round(ms), maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`);
}
