import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { APP, ConfigError, EMULATOR_ENVIRONMENT_NAME, ENVIRONMENTS } from "../../environments";
import { appEnvironments, runSynth, synthesizePlatform } from "../../stacks/synthesize";
import { envInput, FIXTURE_APP_ENVIRONMENTS, FIXTURE_ENVIRONMENTS } from "../helpers";

describe("synthesizePlatform", () => {
  const root = mkdtempSync(join(tmpdir(), "synth-test-"));

  it("writes every stack of every environment", () => {
    const outdir = join(root, "ok");
    synthesizePlatform({ outdir, environments: FIXTURE_APP_ENVIRONMENTS });
    const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8"));
    expect(Object.keys(manifest.stacks)).toHaveLength(15);
    expect(readdirSync(root).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });

  it("holds the emulator's stacks only when PLATFORM_EMULATOR_ENDPOINT names an emulator", () => {
    const names = (vars: NodeJS.ProcessEnv) => appEnvironments(ENVIRONMENTS, vars).map((e) => e.name);
    const committed = APP.environments.map((e) => e.name);
    expect(names({})).toEqual(committed);
    expect(names({ PLATFORM_EMULATOR_ENDPOINT: "https://127.0.0.1:4566" })).toEqual([...committed, EMULATOR_ENVIRONMENT_NAME]);
    const outdir = join(root, "plain");
    synthesizePlatform({ outdir, environments: appEnvironments(ENVIRONMENTS, {}) });
    const stacks = Object.keys(JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")).stacks);
    expect(stacks.filter((s) => s.startsWith(EMULATOR_ENVIRONMENT_NAME) || s.includes("123456789012"))).toEqual([]);
  });

  it("writes into an output directory whose parents do not exist yet (cdktf synth --output a/b/cdktf.out)", () => {
    const outdir = join(root, "not", "yet", "cdktf.out");
    synthesizePlatform({ outdir, environments: FIXTURE_ENVIRONMENTS });
    expect(existsSync(join(outdir, "manifest.json"))).toBe(true);
  });

  it("keeps each stack's provider lock file across synths, not its .terraform (a changed backend must be initialised anew)", () => {
    const outdir = join(root, "locks");
    synthesizePlatform({ outdir, environments: FIXTURE_ENVIRONMENTS });
    writeFileSync(join(outdir, "stacks", "dev", ".terraform.lock.hcl"), "# lock\n");
    mkdirSync(join(outdir, "stacks", "dev", ".terraform"));
    writeFileSync(join(outdir, "stacks", "dev", ".terraform", "terraform.tfstate"), "{}");
    synthesizePlatform({ outdir, environments: FIXTURE_ENVIRONMENTS });
    expect(readFileSync(join(outdir, "stacks", "dev", ".terraform.lock.hcl"), "utf8")).toBe("# lock\n");
    expect(existsSync(join(outdir, "stacks", "dev", ".terraform"))).toBe(false);
    expect(existsSync(join(outdir, "stacks", "prod", ".terraform.lock.hcl"))).toBe(false);
  });

  it("writes nothing on bad input and leaves an earlier cdktf.out untouched", () => {
    const outdir = join(root, "bad");
    mkdirSync(outdir);
    writeFileSync(join(outdir, "marker"), "previous synth");
    expect(() => synthesizePlatform({ outdir, environments: [envInput({ accountId: "42" })] })).toThrow(ConfigError);
    expect(readdirSync(outdir)).toEqual(["marker"]);
    expect(readdirSync(root).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });

  it("creates no output directory at all when config is invalid", () => {
    const outdir = join(root, "never");
    expect(() => synthesizePlatform({ outdir, environments: [envInput({ services: [] })] })).toThrow(/qa\.services: must name at least one service/);
    expect(existsSync(outdir)).toBe(false);
  });

  /** Runs fn with a fresh empty directory as the working directory. */
  function inEmptyCwd(name: string, fn: (dir: string) => void): void {
    const cwd = process.cwd();
    const dir = join(root, name);
    mkdirSync(dir);
    process.chdir(dir);
    try {
      fn(dir);
    } finally {
      process.chdir(cwd);
    }
  }

  it("as a command, exits 1 with every problem named and writes nothing", () => {
    inEmptyCwd("cli-bad", (dir) => {
      let said = "";
      const code = runSynth([envInput({ name: "prod", accountId: "12", services: [{ name: "api" }, { name: "Bad Name" }] })], { error: (l) => (said += l) });
      expect(code).toBe(1);
      expect(said).toContain("invalid environment configuration:");
      expect(said).toContain("prod.accountId: must be a 12-digit AWS account id");
      expect(said).toMatch(/prod\.services\[1\]\.name: must match/);
      expect(readdirSync(dir)).toEqual([]);
    });
  });

  it("as a command, exits 0 and says what it wrote", () => {
    inEmptyCwd("cli-ok", (dir) => {
      let said = "";
      expect(runSynth(FIXTURE_ENVIRONMENTS, { error: (l) => (said += `error: ${l}`), info: (l) => (said += l) })).toBe(0);
      expect(said).toMatch(/^synthesized 11 stacks for 3 environments into .*cdktf\.out\n$/);
      expect(readdirSync(join(dir, "cdktf.out", "stacks"))).toHaveLength(11);
    });
  });
});
