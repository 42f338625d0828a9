/**
 * `npm run bench`, two parts, every case in a fresh process:
 *
 * 1. Synthesis without the cdktf CLI, from compiled JavaScript: wall time
 *    (process start to exit, as a user sees it) and peak RSS of the committed
 *    environments and 50 generated ones; five runs each, median and worst.
 *
 * 2. The cdktf app as cdktf runs it, side by side, after touching
 *    environments/app.ts before every run (what a user does between edits):
 *      - cdktf.json's `app` command, run through the shell in the project root;
 *      - `npx cdktf synth` end to end (CLI start, app, manifest read);
 *      - the cdktf template style: the same stacks built from ROOT imports
 *        (`require("@cdktf/provider-aws")`, likewise -github), bundled
 *        beforehand and run by plain node;
 *      - today's compiled JavaScript: `node dist/main.js` (tsc output);
 *      - the previous app: tsc over the repository, then dist/main.js;
 *      - the floor the targets are measured against: `node -e 'require("@cdktf/provider-aws")'`.
 *    Cases are interleaved round by round, so background load hits them
 *    alike; median of five, peak RSS of the largest process of each run
 *    (GNU time). Checks that every synthesizing case wrote the same stacks.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build, type Plugin } from "esbuild";
import { ENVIRONMENTS } from "../environments";
import { PROJECT_ROOT } from "./lib/toolchain";

interface Sample {
  wallMs: number;
  maxRssMb: number;
}

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const TARGETS: Record<string, { wallMs: number; maxRssMb: number }> = {
  committed: { wallMs: 1000, maxRssMb: 200 },
  "50": { wallMs: 3000, maxRssMb: Infinity },
};
/** Part 2's targets: the app after an edit, against the root-import floor measured in the same run. */
const APP_TARGET = { ofFloor: 0.4, maxRssMb: 200 };

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

// ---- part 2 -----------------------------------------------------------------

const GNU_TIME = "/usr/bin/time";
/** The one file a team edits (README, Adopt it). */
const TOUCHED = join("environments", "app.ts");

interface AppCase {
  readonly label: string;
  /** argv; run from the project root with CDKTF_OUTDIR set to a fresh directory. */
  readonly argv: (outdir: string) => string[];
  readonly synthesizes: boolean;
  readonly env?: Record<string, string>;
}

/** One fresh process (tree): wall time and the largest process's peak RSS. */
function measure(c: AppCase, outdir: string): Sample {
  utimesSync(join(PROJECT_ROOT, TOUCHED), new Date(), new Date());
  const rssFile = join(tmpdir(), `bench-rss-${process.pid}`);
  const argv = c.argv(outdir);
  const timed = existsSync(GNU_TIME) ? [GNU_TIME, "-f", "%M", "-o", rssFile, ...argv] : argv;
  const start = process.hrtime.bigint();
  const child = spawnSync(timed[0], timed.slice(1), {
    cwd: PROJECT_ROOT,
    encoding: "utf8",
    env: { ...process.env, CDKTF_OUTDIR: outdir, ...c.env },
    maxBuffer: 64 * 1024 * 1024,
  });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  if (child.status !== 0) throw new Error(`${c.label} failed (${child.status}):\n${child.stdout}\n${child.stderr}`);
  const maxRssMb = existsSync(GNU_TIME) ? Math.round(Number(readFileSync(rssFile, "utf8").trim().split("\n").pop()) / 1024) : NaN;
  rmSync(rssFile, { force: true });
  return { wallMs, maxRssMb };
}

/**
 * Rewrites every `@cdktf/provider-<name>/lib/<module>` import into the
 * package root's namespace export (`require("@cdktf/provider-aws").s3Bucket`),
 * which is what `import { s3Bucket } from "@cdktf/provider-aws"` compiles to.
 */
function rootImports(): Plugin {
  const namespaces = new Map<string, Map<string, string>>();
  const exportName = (pkg: string, module: string) => {
    if (!namespaces.has(pkg)) {
      const index = readFileSync(require.resolve(`${pkg}/lib/index.js`, { paths: [PROJECT_ROOT] }), "utf8");
      namespaces.set(pkg, new Map([...index.matchAll(/exports\.(\w+) = require\("\.\/([^"]+)"\)/g)].map((m) => [m[2], m[1]])));
    }
    const name = namespaces.get(pkg)!.get(module);
    if (!name) throw new Error(`${pkg} has no root export for lib/${module}`);
    return name;
  };
  return {
    name: "provider-root-imports",
    setup(b) {
      b.onResolve({ filter: /^@cdktf\/provider-[a-z]+\/lib\/[^/]+$/ }, (args) => ({ path: args.path, namespace: "provider-root" }));
      b.onLoad({ filter: /.*/, namespace: "provider-root" }, (args) => {
        const [, pkg, module] = /^(@cdktf\/provider-[a-z]+)\/lib\/(.+)$/.exec(args.path)!;
        return {
          contents: `module.exports = require(${JSON.stringify(pkg)})[${JSON.stringify(exportName(pkg, module))}];`,
          loader: "js",
          resolveDir: PROJECT_ROOT,
        };
      });
    },
  };
}

async function buildTemplateStyle(outfile: string): Promise<void> {
  await build({
    absWorkingDir: PROJECT_ROOT,
    entryPoints: ["main.ts"],
    bundle: true,
    packages: "external",
    platform: "node",
    format: "cjs",
    target: "node20",
    tsconfig: "tsconfig.json",
    keepNames: true,
    outfile,
    logLevel: "warning",
    plugins: [rootImports()],
  });
}

/** Stack name -> cdk.tf.json text, from a synthesized directory. */
function stacksOf(outdir: string): Map<string, string> {
  const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8"));
  return new Map(
    Object.keys(manifest.stacks)
      .sort()
      .map((s) => [s, readFileSync(join(outdir, "stacks", s, "cdk.tf.json"), "utf8")]),
  );
}

async function appBench(): Promise<boolean> {
  const cdktfJson = JSON.parse(readFileSync(join(PROJECT_ROOT, "cdktf.json"), "utf8"));
  const templateStyle = join(PROJECT_ROOT, "dist", "bench", "template-style.js");
  mkdirSync(join(PROJECT_ROOT, "dist", "bench"), { recursive: true });
  await buildTemplateStyle(templateStyle);
  const cli = { CHECKPOINT_DISABLE: "1", DISABLE_CDKTF_TELEMETRY: "1", CI: "1" };
  const cases: AppCase[] = [
    { label: `cdktf.json app (${cdktfJson.app})`, argv: () => ["/bin/sh", "-c", cdktfJson.app], synthesizes: true },
    { label: "npx cdktf synth (CLI end to end)", argv: (out) => ["npx", "cdktf", "synth", "--output", out], synthesizes: true, env: cli },
    { label: "template style: root imports, plain node", argv: () => [process.execPath, templateStyle], synthesizes: true },
    { label: "compiled JS today: node dist/main.js", argv: () => [process.execPath, join("dist", "main.js")], synthesizes: true },
    {
      label: "previous app: tsc (whole repo), dist/main.js",
      argv: () => ["/bin/sh", "-c", "npx tsc -p tsconfig.json >/dev/null; node dist/main.js"],
      synthesizes: true,
    },
    { label: `floor: node -e 'require("@cdktf/provider-aws")'`, argv: () => [process.execPath, "-e", 'require("@cdktf/provider-aws")'], synthesizes: false },
  ];
  const work = mkdtempSync(join(tmpdir(), "bench-app-"));
  const samples = cases.map((): Sample[] => []);
  const lastOut: string[] = [];
  try {
    for (let round = 0; round < RUNS; round++) {
      cases.forEach((c, i) => {
        const outdir = join(work, `${i}-${round}`, "cdktf.out");
        mkdirSync(join(work, `${i}-${round}`));
        samples[i].push(measure(c, outdir));
        lastOut[i] = outdir;
      });
    }

    const appWall = median(samples[0].map((s) => s.wallMs));
    const floorWall = median(samples[cases.length - 1].map((s) => s.wallMs));
    console.log(`\ncdktf app after touching ${TOUCHED} (fresh process, ${RUNS} runs interleaved, median; ratios of medians)`);
    console.log(
      `${"case".padEnd(56)} ${"wall ms".padStart(8)} ${"(max)".padStart(7)} ${"RSS MB".padStart(7)} ${"(max)".padStart(6)} ${"x app".padStart(6)} ${"x floor".padStart(8)}`,
    );
    cases.forEach((c, i) => {
      const wall = samples[i].map((s) => s.wallMs);
      const rss = samples[i].map((s) => s.maxRssMb);
      console.log(
        `${c.label.slice(0, 56).padEnd(56)} ${median(wall).toFixed(0).padStart(8)} ${`(${Math.max(...wall).toFixed(0)})`.padStart(7)} ` +
          `${String(median(rss)).padStart(7)} ${`(${Math.max(...rss)})`.padStart(6)} ${(median(wall) / appWall).toFixed(2).padStart(6)} ${(median(wall) / floorWall).toFixed(2).padStart(8)}`,
      );
    });

    const reference = stacksOf(lastOut[0]);
    const differing = cases.flatMap((c, i) => {
      if (!c.synthesizes || i === 0) return [];
      const other = stacksOf(lastOut[i]);
      const same = other.size === reference.size && [...reference].every(([s, json]) => other.get(s) === json);
      return same ? [] : [c.label];
    });
    console.log(
      differing.length === 0 ? `same ${reference.size} stacks from every synthesizing case: yes` : `stacks DIFFER from the app's: ${differing.join("; ")}`,
    );

    const appRss = Math.max(...samples[0].map((s) => s.maxRssMb));
    const ok = appWall <= APP_TARGET.ofFloor * floorWall && !(appRss > APP_TARGET.maxRssMb);
    console.log(
      `target: app wall < ${APP_TARGET.ofFloor} x floor (${(APP_TARGET.ofFloor * floorWall).toFixed(0)} ms) and peak RSS < ${APP_TARGET.maxRssMb} MB: ` +
        `${(appWall / floorWall).toFixed(2)} x, ${appRss} MB: ${ok ? "met" : "MISSED"}`,
    );
    return ok && differing.length === 0;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  let failed = false;
  for (const [label, mode] of [
    [`committed environments (${ENVIRONMENTS.length})`, "committed"],
    ["50 generated environments", "50"],
    ["provider-aws root import only (for comparison)", "root-import"],
  ] as const) {
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
  if (!(await appBench())) failed = true;
  process.exitCode = failed ? 1 : 0;
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
