/**
 * `npm run bench`: wall time (process start to exit, as a user sees it) and
 * peak RSS of synthesizing the committed environments and 50 generated ones,
 * without the cdktf CLI, from compiled JavaScript. Each case runs in a fresh
 * process five times; the median and the worst are printed.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

interface Sample { wallMs: number; maxRssMb: number }

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const TARGETS: Record<string, { wallMs: number; maxRssMb: number }> = {
  committed: { wallMs: 1000, maxRssMb: 200 },
  "50": { wallMs: 3000, maxRssMb: Infinity },
};

function runOnce(mode: string): Sample {
  const outdir = mkdtempSync(join(tmpdir(), "bench-"));
  const start = process.hrtime.bigint();
  const child = spawnSync(process.execPath, [join(__dirname, "bench-synth.js"), mode, join(outdir, "cdktf.out")], { encoding: "utf8" });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  rmSync(outdir, { recursive: true, force: true });
  if (child.status !== 0) throw new Error(`bench-synth ${mode} failed:\n${child.stderr}`);
  const line = JSON.parse(child.stdout.trim().split("\n").pop()!);
  return { wallMs, maxRssMb: line.maxRssMb };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

let failed = false;
for (const [label, mode] of [["committed environments (4)", "committed"], ["50 generated environments", "50"], ["provider-aws root import only (for comparison)", "root-import"]] as const) {
  const samples = Array.from({ length: RUNS }, () => runOnce(mode));
  const wall = samples.map((s) => s.wallMs);
  const rss = samples.map((s) => s.maxRssMb);
  const target = TARGETS[mode];
  const ok = !target || (median(wall) <= target.wallMs && Math.max(...rss) <= target.maxRssMb);
  if (!ok) failed = true;
  console.log(
    `${label.padEnd(48)} wall median ${median(wall).toFixed(0).padStart(5)} ms (max ${Math.max(...wall).toFixed(0)})  ` +
      `peak RSS median ${median(rss)} MB (max ${Math.max(...rss)})` +
      (target ? `  target < ${target.wallMs} ms${Number.isFinite(target.maxRssMb) ? ` / ${target.maxRssMb} MB` : ""}: ${ok ? "met" : "MISSED"}` : ""),
  );
}
process.exitCode = failed ? 1 : 0;
