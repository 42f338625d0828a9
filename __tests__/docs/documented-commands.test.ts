/**
 * Every `npx cdktf …` command the README and docs/ print is one the cdktf CLI
 * accepts for this app: a verb it has, options that verb takes (read from the
 * CLI's own --help), stacks the app synthesizes, and, for several stacks, an
 * order that each stack's order check allows. The end-to-end suite runs the
 * same commands for the emulator's environment against the emulator.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { synthesizePlatform } from "../../stacks/synthesize";
import { FIXTURE_APP_ENVIRONMENTS } from "../helpers";

const ROOT = join(__dirname, "..", "..");
const CDKTF = join(ROOT, "node_modules", ".bin", "cdktf");
const DOCS = ["README.md", ...readdirSync(join(ROOT, "docs")).map((f) => join("docs", f))].filter((f) => f.endsWith(".md"));

interface Documented {
  readonly where: string;
  readonly verb: string;
  readonly stacks: string[];
  readonly options: string[];
}

/** `npx cdktf <verb> [stacks] [--options]` in code spans and blocks; placeholders like `<stack>` stay out. */
function documentedCommands(): Documented[] {
  const found: Documented[] = [];
  for (const file of DOCS) {
    readFileSync(join(ROOT, file), "utf8")
      .split("\n")
      .forEach((line, i) => {
        for (const m of line.matchAll(/npx cdktf ((?:deploy|diff|output|destroy|synth)(?: +[^\s`#|]+)*)/g)) {
          const [verb, ...rest] = m[1].split(/\s+/);
          const args = rest.filter((a) => !/[<>{}$]/.test(a));
          found.push({
            where: `${file}:${i + 1}`,
            verb,
            stacks: args.filter((a, j) => !a.startsWith("-") && !(j > 0 && args[j - 1].startsWith("--") && !BOOLEAN.has(args[j - 1]))),
            options: args.filter((a) => a.startsWith("-")),
          });
        }
      });
  }
  return found;
}

/** Options that take no value (so the word after them is a stack). */
const BOOLEAN = new Set([
  "--auto-approve",
  "--outputs-file-include-sensitive-outputs",
  "--skip-provider-lock",
  "--skip-synth",
  "--no-color",
  "--migrate-state",
  "--refresh-only",
  "--hcl",
]);

const commands = documentedCommands();
const root = mkdtempSync(join(tmpdir(), "documented-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
// The docs' commands name the example app the project ships with (dev, staging, prod): the fixture app, whatever a team adopts.
const { outdir } = synthesizePlatform({ outdir: join(root, "cdktf.out"), environments: FIXTURE_APP_ENVIRONMENTS });
const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")) as { stacks: Record<string, { dependencies: string[] }> };

/** The commands a stack's plan names as its prerequisites (`Run \`cdktf deploy X\` first`). */
function prerequisitesOf(stack: string): string[] {
  const json = JSON.parse(readFileSync(join(outdir, "stacks", stack, "cdk.tf.json"), "utf8"));
  return Object.values<{ lifecycle: { postcondition: { error_message: string }[] } }>(json.data?.aws_s3_objects ?? {}).map(
    (d) => /Run `cdktf deploy ([^`]+)` first/.exec(d.lifecycle.postcondition[0].error_message)![1],
  );
}

const helpCache = new Map<string, Set<string>>();
function optionsOf(verb: string): Set<string> {
  if (!helpCache.has(verb)) {
    const help = spawnSync(CDKTF, [verb, "--help"], { cwd: ROOT, encoding: "utf8", env: { ...process.env, CHECKPOINT_DISABLE: "1" } }).stdout;
    helpCache.set(verb, new Set([...help.matchAll(/(?:^|\s)(--[a-z][a-z-]*)/gm)].map((m) => m[1])));
  }
  return helpCache.get(verb)!;
}

describe("documented cdktf commands", () => {
  it("are found (the README documents deploy, diff, output and destroy)", () => {
    expect(new Set(commands.map((c) => c.verb))).toEqual(new Set(["deploy", "diff", "output", "destroy", "synth"]));
  });

  it.each(commands.map((c) => [`${c.where}: cdktf ${c.verb} ${[...c.stacks, ...c.options].join(" ")}`, c] as const))(
    "%s: verb, options and stacks exist",
    (_label, c) => {
      const known = optionsOf(c.verb);
      expect({ unknownOptions: c.options.filter((o) => !known.has(o)) }).toEqual({ unknownOptions: [] });
      expect({ unknownStacks: c.stacks.filter((s) => !(s in manifest.stacks)) }).toEqual({ unknownStacks: [] });
      // cdktf refuses a selection whose declared dependencies are missing: the app declares none.
      for (const s of c.stacks) expect({ stack: s, dependencies: manifest.stacks[s].dependencies }).toEqual({ stack: s, dependencies: [] });
    },
  );

  it.each(commands.filter((c) => c.stacks.length > 1 && (c.verb === "deploy" || c.verb === "destroy")).map((c) => [c.where, c] as const))(
    "%s: several stacks run one at a time, in an order their order checks allow",
    (_where, c) => {
      expect(c.options).toEqual(expect.arrayContaining(["--parallelism"]));
      const order = c.verb === "deploy" ? c.stacks : [...c.stacks].reverse();
      order.forEach((stack, i) => {
        for (const needed of prerequisitesOf(stack))
          if (order.includes(needed)) expect({ stack, needs: needed, before: order.indexOf(needed) < i }).toEqual({ stack, needs: needed, before: true });
      });
    },
  );
});

describe("the cdktf CLI itself", () => {
  it("accepts a documented selection of one stack without the --ignore-missing-stack-dependencies escape", () => {
    // One stack with synthesis skipped: the CLI's own selection and dependency checks run, no engine does.
    const out = spawnSync(CDKTF, ["deploy", "dev-credentials", "--skip-synth", "--output", outdir, "--auto-approve"], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, CHECKPOINT_DISABLE: "1", TERRAFORM_BINARY_NAME: "/bin/false" },
      timeout: 60_000,
    });
    expect(`${out.stdout}${out.stderr}`).not.toMatch(/dependencies are not included in the stacks to run|Usage Error/);
  });
});
