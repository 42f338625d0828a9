/**
 * Dependencies in their right section: what the app and the operator commands
 * import at run time is a dependency, what only tests and test tooling import
 * is a devDependency, and nothing imported is undeclared. Computed from the
 * import graph of the entry points, not from a list kept by hand.
 */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, relative, resolve } from "node:path";

const ROOT = resolve(__dirname, "..");
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };

/** What users run: the cdktf app, and the commands the README and the workflows call. */
const ENTRY_POINTS = [
  "main.ts",
  "scripts/doctor.ts",
  "scripts/local-deploy.ts",
  "scripts/rotate.ts",
  "scripts/github-ids.ts",
  "scripts/ci/stacks.ts",
  "scripts/ci/plan-summary.ts",
];

const IMPORT = /(?:^|\n)\s*(?:import|export)[^;'"]*?from\s+["']([^"']+)["']|require\(["']([^"']+)["']\)|import\(["']([^"']+)["']\)/g;

function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? m[3]).filter((s) => !/^import type/.test(s));
}

const packageOf = (specifier: string) => (specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0]);
const isBuiltin = (s: string) => s.startsWith("node:") || builtinModules.includes(s.split("/")[0]);

function resolveLocal(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier);
  return [`${base}.ts`, join(base, "index.ts"), base].find((f) => existsSync(f) && statSync(f).isFile() && f.endsWith(".ts"));
}

/** Packages reachable from the entry points through relative imports. */
function runtimePackages(): Map<string, string> {
  const seen = new Set<string>();
  const packages = new Map<string, string>();
  const queue = ENTRY_POINTS.map((f) => join(ROOT, f));
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const specifier of importsOf(file)) {
      if (specifier.startsWith(".")) {
        const target = resolveLocal(file, specifier);
        if (target) queue.push(target);
      } else if (!isBuiltin(specifier)) {
        packages.set(packageOf(specifier), relative(ROOT, file));
      }
    }
  }
  return packages;
}

function allSourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (["node_modules", "dist", "cdktf.out", "cdktf.out.hcl", ".gen", ".local", ".git", "tools"].includes(e.name)) return [];
    const path = join(dir, e.name);
    return e.isDirectory() ? allSourceFiles(path) : /\.(ts|mjs)$/.test(e.name) ? [path] : [];
  });
}

describe("package.json dependencies", () => {
  const runtime = runtimePackages();

  it("declare every package the app and the operator commands import at run time as a dependency", () => {
    const misplaced = [...runtime].filter(([name]) => !pkg.dependencies[name]).map(([name, file]) => `${name} (imported by ${file})`);
    expect(misplaced).toEqual([]);
  });

  it("keep in dependencies only what those entry points import (the rest is a devDependency)", () => {
    expect(Object.keys(pkg.dependencies).filter((name) => !runtime.has(name))).toEqual([]);
  });

  it("declare everything imported anywhere", () => {
    const declared = new Set([...Object.keys(pkg.dependencies), ...Object.keys(pkg.devDependencies)]);
    const undeclared = new Set<string>();
    for (const file of allSourceFiles(ROOT)) {
      for (const specifier of importsOf(file)) {
        // cdktn-compare writes these into a temporary copy of the app, never into this repository.
        if (!specifier.startsWith(".") && !isBuiltin(specifier) && !declared.has(packageOf(specifier)) && !/^(cdktn|@cdktn\/)/.test(specifier)) {
          undeclared.add(`${packageOf(specifier)} (${relative(ROOT, file)})`);
        }
      }
    }
    expect([...undeclared]).toEqual([]);
  });
});
