import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, ENVIRONMENTS } from "../../environments";
import { synthesizePlatform } from "../../stacks/synthesize";
import { envInput } from "../helpers";

describe("synthesizePlatform", () => {
  const root = mkdtempSync(join(tmpdir(), "synth-test-"));

  it("writes every stack of every environment", () => {
    const outdir = join(root, "ok");
    synthesizePlatform({ outdir, environments: ENVIRONMENTS });
    const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8"));
    expect(Object.keys(manifest.stacks)).toHaveLength(11);
    expect(readdirSync(root).filter((f) => f.includes(".tmp-"))).toEqual([]);
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
});
