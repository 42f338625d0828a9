/**
 * The configuration reference (docs/configuration.md) is rendered from the zod
 * schema's descriptions by `npm run generate`: these tests fail when the
 * committed text is stale, or when a field has no description to render.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { configReferenceRows, isStale, main, renderConfigReference, replaceSection, SECTIONS, staleSections } from "../../scripts/generate";

const ROOT = join(__dirname, "..", "..");

describe("generated sections", () => {
  it("every committed section is what npm run generate writes (run it after editing environments/schema.ts)", () => {
    expect(staleSections(ROOT)).toEqual([]);
  });

  it("a section whose rendering changed is reported stale: the check can fail", () => {
    const [section] = SECTIONS;
    const text = readFileSync(join(ROOT, section.file), "utf8");
    const added = { ...section, render: () => `${section.render()}- \`extra\`: string, optional. A new field.\n` };
    const reworded = { ...section, render: () => section.render().replace("Default: 10.", "Default: 11.") };
    expect(isStale(text, section)).toBe(false);
    expect(isStale(text, added)).toBe(true);
    expect(isStale(text, reworded)).toBe(true);
    expect(isStale(replaceSection(text, added), added)).toBe(false);
  });

  it("renders one line per field, naming its type and default", () => {
    const lines = renderConfigReference().trimEnd().split("\n");
    expect(lines).toHaveLength(configReferenceRows().length);
    expect(lines).toContain(
      "- `ecr.imageRetentionCount`: integer 1–10000, default `10`. Images kept per tag prefix and per tag pattern (lifecycle rule), 1 to 10,000. Default: 10.",
    );
    expect(lines.find((l) => l.startsWith("- `name`:"))).toMatch(/^- `name`: string, required\. Environment name/);
  });

  it("refuses a file without the section's markers, naming them", () => {
    const [section] = SECTIONS;
    expect(() => replaceSection("# no markers\n", section)).toThrow(/generated:config-reference start/);
    expect(() => isStale("# no markers\n", section)).toThrow(/generated:config-reference start/);
  });

  it("refuses unknown arguments with usage (exit 2) and writes nothing", async () => {
    const stderr = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      expect(await main(["--write-everything"])).toBe(2);
      expect(stderr).toHaveBeenCalledWith(expect.stringMatching(/^usage: npm run generate/));
    } finally {
      stderr.mockRestore();
    }
  });
});

describe("configuration reference", () => {
  const rows = configReferenceRows();
  const byField = new Map(rows.map((r) => [r.field.replace(/`/g, ""), r]));

  it("every field has a description (a field added to the schema without .describe() fails here)", () => {
    const undescribed = rows.filter((r) => r.description.replace(/^With `[^`]+`\. /, "") === "").map((r) => r.field);
    expect(undescribed).toEqual([]);
  });

  it("every field with a default names it in its description, in words", () => {
    const unnamed = rows.filter((r) => !["required", "optional"].includes(r.default) && !/Default:/.test(r.description)).map((r) => r.field);
    expect(unnamed).toEqual([]);
  });

  it.each([
    ["name", "string", "required"],
    ["ecr.imageRetentionCount", "integer 1–10000", "`10`"],
    ["ecr.tagMutability", '`"MUTABLE"` | `"IMMUTABLE"`', '`"IMMUTABLE"`'],
    ["ecr.encryption.type", '`"AES256"` | `"KMS"`', "required"],
    ["ecr.registry", "object", "optional"],
    ["ecr.registry.replicateTo[].region", "string (37 values)", "required"],
    ["github.ownerId", "integer ≥ 1", "optional"],
    ["github.deployFrom.protection.deploymentRefs", '`"protected-branches"` | object', '`{"branches":["main"],"tags":[]}`'],
    ["github.deployFrom.protection.waitTimerMinutes", "integer 0–43200", "`0`"],
    ["state.lock", '`"lockfile"` | object', '`"lockfile"`'],
    ["tags", "map of string", "`{}`"],
  ])("%s: type %s, default %s (taken from the schema, not written by hand)", (field, type, dflt) => {
    expect(byField.get(field)).toMatchObject({ type, default: dflt });
  });

  it("a field of one variant of a union says which variant", () => {
    expect(byField.get("ecr.encryption.kmsKeyArn")?.description).toMatch(/^With `type: "KMS"`\. /);
    expect(byField.get("github.deployFrom.protection")?.description).toMatch(/^With `kind: "environment"`\. /);
    expect(byField.get("github.deployFrom.name")?.description).not.toMatch(/^With /);
  });
});
