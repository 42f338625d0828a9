/**
 * The CDK Terrain migration check, end to end: `node dist/scripts/cdktn-compare.js`
 * installs cdktn and @cdktn/provider-aws from npm into a copy of the app under
 * the system's temporary directory, synthesizes it beside today's cdktf app and
 * compares every stack. Needs npm's registry; about 35 s warm, 50 s with an
 * empty npm cache (2 cores). The unit tests of its diff are in
 * __tests__/scripts/cdktn-compare.test.ts.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(__dirname, "..", "..");
const COMMAND = join(ROOT, "dist", "scripts", "cdktn-compare.js");

describe("cdktn-compare (migration to CDK Terrain)", () => {
  it("synthesizes every stack the same on cdktn, but for the documented differences", () => {
    expect(existsSync(COMMAND)).toBe(true); // built by `npm run build` (scripts/test.sh runs tsc first)
    const r = spawnSync(process.execPath, [COMMAND], { cwd: ROOT, encoding: "utf8", timeout: 240_000 });
    const out = `${r.stdout}${r.stderr}`;
    expect({ status: r.status, verdict: out.split("\n").find((l) => l.startsWith("verdict:")) }).toEqual({
      status: 0,
      verdict: expect.stringMatching(/^verdict: PASS: \d+ stacks/),
    });
    expect(out).not.toMatch(/UNEXPECTED/);
    // Every AWS stack is compared (the GitHub stacks too when the toolchain can generate their bindings).
    const rows = out.split("\n").filter((l) => /^ {2}\S+\s+(aws|github)\s+\d+ resources/.test(l));
    expect(rows.filter((l) => /\saws\s/.test(l)).length).toBeGreaterThan(0);
    expect(rows.filter((l) => /\saws\s/.test(l) && /NOT COMPARED/.test(l))).toEqual([]);
    // Nothing of CDK Terrain lands in the repository.
    expect(existsSync(join(ROOT, "node_modules", "cdktn"))).toBe(false);
    expect(existsSync(join(ROOT, "node_modules", "@cdktn"))).toBe(false);
  }, 300_000);
});
