/**
 * Every synthesized stack of every environment passes `tofu init` and
 * `tofu validate` with the real providers (no backend, no credentials).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { prepareStackWorkdir } from "../../scripts/lib/tofu";
import { testEngine } from "../support/test-engine";
import { ensureToolchain, PROJECT_ROOT } from "../../scripts/lib/toolchain";

const toolchain = ensureToolchain("test");
const work = mkdtempSync(join(tmpdir(), "validate-"));
const outdir = join(work, "cdktf.out");
// The user's environments and the main job's emulator environment (its endpoint is never called here).
const WITH_EMULATOR = { PLATFORM_EMULATOR_ENDPOINT: "https://127.0.0.1:4566" };
execFileSync(process.execPath, [join(PROJECT_ROOT, "dist", "main.js")], { env: { ...process.env, ...WITH_EMULATOR, CDKTF_OUTDIR: outdir }, stdio: "ignore" });
const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8"));
const stacks: string[] = Object.keys(manifest.stacks).sort();
const needsGithub = (stack: string) =>
  Boolean(JSON.parse(readFileSync(join(outdir, "stacks", stack, "cdk.tf.json"), "utf8")).terraform?.required_providers?.github);
const tofu = testEngine(toolchain, { AWS_EC2_METADATA_DISABLED: "true" });

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("cdktf conventions", () => {
  it("`cdktf synth` (CLI 0.21.0, cdktf.json app) writes the same stacks", () => {
    const cliOut = join(work, "cli-out");
    execFileSync(join(PROJECT_ROOT, "node_modules", ".bin", "cdktf"), ["synth", "--output", cliOut], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...WITH_EMULATOR, CHECKPOINT_DISABLE: "1", DISABLE_CDKTF_TELEMETRY: "1", CI: "1" },
      stdio: "ignore",
    });
    const cliManifest = JSON.parse(readFileSync(join(cliOut, "manifest.json"), "utf8"));
    expect(Object.keys(cliManifest.stacks).sort()).toEqual(stacks);
    for (const stack of stacks) {
      expect(readFileSync(join(cliOut, "stacks", stack, "cdk.tf.json"), "utf8")).toBe(readFileSync(join(outdir, "stacks", stack, "cdk.tf.json"), "utf8"));
    }
  });
});

describe("tofu validate", () => {
  it("covers every stack the app synthesizes", () => {
    expect(stacks).toHaveLength(15);
  });

  const runnable = stacks.filter((s) => (needsGithub(s) ? toolchain.githubProviderVersion : toolchain.awsProviderVersion));
  const blocked = stacks.filter((s) => !runnable.includes(s));

  it.each(runnable)("%s: init -backend=false and validate pass", async (stack) => {
    const { dir } = prepareStackWorkdir(outdir, stack, join(work, "run"));
    const init = await tofu.run(dir, ["init", "-backend=false", "-input=false", "-no-color"]);
    expect({ code: init.code, err: init.stderr }).toEqual({ code: 0, err: "" });
    const validate = await tofu.run(dir, ["validate", "-json", "-no-color"]);
    const report = JSON.parse(validate.stdout);
    expect({ valid: report.valid, diagnostics: report.diagnostics }).toEqual({ valid: true, diagnostics: [] });
  });

  // Without an integrations/github binary these stacks are reported as skipped, never as passed.
  // A skip row only for a stack that did not run (jest refuses an empty table, so none then).
  if (blocked.length > 0) it.skip.each(blocked)("%s: needs the integrations/github provider (PLATFORM_GITHUB_PROVIDER)", () => undefined);
});
