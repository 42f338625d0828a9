#!/usr/bin/env node
/**
 * The cdktf app (cdktf.json "app", `npm run synth`): bundles main.ts and the
 * project files it imports into one CommonJS file with esbuild, transpile
 * only, every package in node_modules left external, then runs it in this
 * same process. No type check here: scripts/test.sh runs tsc, and
 * tsconfig.json's isolatedModules keeps per-file transpilation equivalent.
 *
 *   node scripts/build-app.mjs                 build dist/app.js and synthesize
 *   node scripts/build-app.mjs --build-only    build dist/app.js only
 *
 * The bundle (and its source map) is written under a temporary name and
 * renamed, so concurrent runs never load a half-written file. The map is
 * used only when asked for (NODE_OPTIONS=--enable-source-maps): switching
 * Node's source-map support on here would make it read the maps of every
 * package loaded after it, which costs more than the whole build.
 */
import { buildSync } from "esbuild";
import { renameSync, writeFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outfile = join(root, "dist", "app.js");

let result;
try {
  result = buildSync({
    absWorkingDir: root,
    entryPoints: ["main.ts"],
    bundle: true,
    packages: "external",
    platform: "node",
    format: "cjs",
    target: "node20",
    tsconfig: "tsconfig.json",
    keepNames: true,
    sourcemap: "linked",
    sourcesContent: false,
    outfile,
    write: false,
    logLevel: "warning",
  });
} catch {
  // esbuild has already printed the errors (file, line, column) on stderr.
  process.exit(1);
}

mkdirSync(dirname(outfile), { recursive: true });
// The map first: a reader that finds the new bundle also finds its map.
for (const file of [...result.outputFiles].sort((a, b) => Number(b.path.endsWith(".map")) - Number(a.path.endsWith(".map")))) {
  const temporary = `${file.path}.${process.pid}.tmp`;
  writeFileSync(temporary, file.contents);
  renameSync(temporary, file.path);
}

if (!process.argv.includes("--build-only")) createRequire(import.meta.url)(outfile);
