import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  canonicalProviderSource,
  cdktnSpecifier,
  classify,
  compareOutdirs,
  compareSynthJson,
  diffJson,
  EXPECTED_DIFFERENCES,
  formatPath,
  packageOf,
  pickProviderAws,
  rewriteImports,
  type SynthContext,
} from "../../scripts/cdktn-compare";

const ctx: SynthContext = { library: { ours: "0.21.0", theirs: "0.24.0" }, providerVersions: { aws: { ours: "6.25.0", theirs: "6.66.0" } } };

/** A small cdk.tf.json as cdktf writes it; `theirs` gives what cdktn writes for the same app. */
function stack(side: "ours" | "theirs" = "ours") {
  return {
    "//": { metadata: { backend: "s3", stackName: "dev", version: side === "ours" ? "0.21.0" : "0.24.0" }, outputs: { dev: { region: "region" } } },
    output: { region: { description: "AWS region", value: "us-east-1" } },
    provider: { aws: [{ allowed_account_ids: ["111111111111"], region: "us-east-1" }] },
    resource: {
      aws_ecr_repository: {
        "repository-api_repository_8D2B1C5E": {
          "//": { metadata: { path: "dev/repository-api/repository", uniqueId: "repository-api_repository_8D2B1C5E" } },
          image_scanning_configuration: { scan_on_push: true },
          image_tag_mutability: "IMMUTABLE",
          name: "shop/dev/api",
        },
      },
      aws_iam_user: { "ecr-user_FDAE966B": { "//": { metadata: { path: "dev/ecr-user/user", uniqueId: "ecr-user_FDAE966B" } }, name: "shop-dev-ecr" } },
    },
    terraform: {
      backend: { s3: { bucket: "shop-state", encrypt: true, key: "shop/dev.tfstate", region: "us-east-1", use_lockfile: true } },
      required_providers: { aws: side === "ours" ? { source: "aws", version: "6.25.0" } : { source: "hashicorp/aws", version: "6.66.0" } },
    },
  };
}
type Stack = ReturnType<typeof stack>;
const edited = (side: "ours" | "theirs", edit: (s: Stack) => void) => {
  const s = stack(side);
  edit(s);
  return s;
};
const unexpectedPaths = (ours: unknown, theirs: unknown) => compareSynthJson(ours, theirs, "stack", ctx).unexpected.map((d) => formatPath(d.path));

describe("diffJson", () => {
  it("finds nothing between equal documents, whatever the key order", () => {
    expect(diffJson({ a: 1, b: [1, { c: null }] }, { b: [1, { c: null }], a: 1 })).toEqual([]);
  });

  it("reports a resource present on one side only, once, at the resource's path", () => {
    const theirs = edited("ours", (s) => {
      delete (s.resource.aws_iam_user as Record<string, unknown>)["ecr-user_FDAE966B"];
      (s.resource.aws_iam_user as Record<string, unknown>)["ecr-user_0000"] = { name: "shop-dev-ecr" };
    });
    expect(diffJson(stack(), theirs)).toEqual([
      { path: ["resource", "aws_iam_user", "ecr-user_0000"], ours: undefined, theirs: { name: "shop-dev-ecr" } },
      { path: ["resource", "aws_iam_user", "ecr-user_FDAE966B"], ours: stack().resource.aws_iam_user["ecr-user_FDAE966B"], theirs: undefined },
    ]);
  });

  it("reports a changed attribute at its exact path, array positions included", () => {
    const theirs = edited("ours", (s) => {
      s.resource.aws_ecr_repository["repository-api_repository_8D2B1C5E"].image_tag_mutability = "MUTABLE";
      s.provider.aws[0].allowed_account_ids.push("222222222222");
    });
    expect(diffJson(stack(), theirs).map((d) => [formatPath(d.path), d.ours, d.theirs])).toEqual([
      ["provider.aws[0].allowed_account_ids[1]", undefined, "222222222222"],
      ["resource.aws_ecr_repository.repository-api_repository_8D2B1C5E.image_tag_mutability", "IMMUTABLE", "MUTABLE"],
    ]);
  });

  it("tells a type change from a value change", () => {
    expect(diffJson({ a: "1" }, { a: 1 })).toEqual([{ path: ["a"], ours: "1", theirs: 1 }]);
    expect(diffJson({ a: [] }, { a: {} })).toEqual([{ path: ["a"], ours: [], theirs: {} }]);
  });
});

describe("expected differences", () => {
  it("are exactly the three documented ones, each with a reason", () => {
    expect(EXPECTED_DIFFERENCES.map((r) => r.id)).toEqual(["library-version", "provider-version", "provider-source-shorthand"]);
    for (const r of EXPECTED_DIFFERENCES) expect(r.reason.length).toBeGreaterThan(80);
  });

  it("accept what cdktf and cdktn write for the same app: library version, provider pin, source shorthand", () => {
    const r = compareSynthJson(stack("ours"), stack("theirs"), "stack", ctx);
    expect(r.unexpected).toEqual([]);
    expect(r.expected.map((e) => [formatPath(e.difference.path), e.rule.id])).toEqual([
      ['["//"].metadata.version', "library-version"],
      ["terraform.required_providers.aws.source", "provider-source-shorthand"],
      ["terraform.required_providers.aws.version", "provider-version"],
    ]);
  });

  it("ignore only the library version in the metadata, nothing else under //", () => {
    const theirs = edited("theirs", (s) => {
      s["//"].metadata.stackName = "dev2";
      s.resource.aws_iam_user["ecr-user_FDAE966B"]["//"].metadata.path = "dev/ecr-user/user2";
    });
    expect(unexpectedPaths(stack(), theirs)).toEqual(['["//"].metadata.stackName', 'resource.aws_iam_user.ecr-user_FDAE966B["//"].metadata.path']);
  });

  it("accept the library version only for the two versions compared, and only at its own path", () => {
    expect(
      unexpectedPaths(
        stack(),
        edited("theirs", (s) => (s["//"].metadata.version = "0.23.0")),
      ),
    ).toEqual(['["//"].metadata.version']);
    expect(classify([{ path: ["version"], ours: "0.21.0", theirs: "0.24.0" }], "manifest", ctx).unexpected).toEqual([]);
    expect(classify([{ path: ["version"], ours: "0.21.0", theirs: "0.24.0" }], "stack", ctx).unexpected).toHaveLength(1);
    expect(classify([{ path: ["resource", "x", "y", "version"], ours: "0.21.0", theirs: "0.24.0" }], "stack", ctx).unexpected).toHaveLength(1);
  });

  it("accept the provider version only for the pair the two packages declare", () => {
    expect(
      unexpectedPaths(
        stack(),
        edited("theirs", (s) => (s.terraform.required_providers.aws.version = "6.65.0")),
      ),
    ).toEqual(["terraform.required_providers.aws.version"]);
    const github = (version: string) => ({ terraform: { required_providers: { github: { source: "integrations/github", version } } } });
    expect(unexpectedPaths(github("6.9.0"), github("6.10.0"))).toEqual(["terraform.required_providers.github.version"]);
  });

  it("accept a source only when both name the same provider", () => {
    expect(canonicalProviderSource("aws")).toBe(canonicalProviderSource("hashicorp/aws"));
    expect(canonicalProviderSource("registry.terraform.io/hashicorp/aws")).not.toBe(canonicalProviderSource("hashicorp/aws"));
    expect(
      unexpectedPaths(
        stack(),
        edited("theirs", (s) => (s.terraform.required_providers.aws.source = "someone/aws")),
      ),
    ).toEqual(["terraform.required_providers.aws.source"]);
    expect(
      unexpectedPaths(
        stack(),
        edited("theirs", (s) => (s.terraform.required_providers.aws.source = "registry.terraform.io/hashicorp/aws")),
      ),
    ).toEqual(["terraform.required_providers.aws.source"]);
  });

  it("accept nothing in resources, outputs, providers or the backend", () => {
    const theirs = edited("theirs", (s) => {
      s.output.region.value = "eu-west-1";
      s.provider.aws[0].region = "eu-west-1";
      s.terraform.backend.s3.use_lockfile = false;
      delete (s.resource as Record<string, unknown>).aws_ecr_repository;
    });
    expect(unexpectedPaths(stack(), theirs)).toEqual([
      "output.region.value",
      "provider.aws[0].region",
      "resource.aws_ecr_repository",
      "terraform.backend.s3.use_lockfile",
    ]);
  });
});

describe("compareOutdirs", () => {
  const work = mkdtempSync(join(tmpdir(), "cdktn-compare-test-"));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const outdir = (name: string, version: string, stacks: Record<string, unknown>) => {
    const dir = join(work, name);
    const manifest = { version, stacks: Object.fromEntries(Object.keys(stacks).map((s) => [s, { name: s, synthesizedStackPath: `stacks/${s}/cdk.tf.json` }])) };
    mkdirSync(dir);
    writeFileSync(join(dir, "manifest.json"), JSON.stringify(manifest));
    for (const [s, json] of Object.entries(stacks)) {
      mkdirSync(join(dir, "stacks", s), { recursive: true });
      writeFileSync(join(dir, "stacks", s, "cdk.tf.json"), JSON.stringify(json));
    }
    return dir;
  };
  const github = { terraform: { required_providers: { github: { source: "integrations/github", version: "6.9.0" } } } };

  it("passes equal apps, lists left-out stacks without comparing them, and fails a missing stack", () => {
    const ours = outdir("ours", "0.21.0", { dev: stack("ours"), "dev-github": github, prod: stack("ours") });
    const theirs = outdir("theirs", "0.24.0", { dev: stack("theirs") });
    const r = compareOutdirs(ours, theirs, ctx, new Map([["dev-github", "left out"]]));
    const byName = Object.fromEntries(r.stacks.map((s) => [s.stack, s]));
    expect(byName.dev.result.unexpected).toEqual([]);
    expect(byName["dev-github"]).toMatchObject({ kind: "github", leftOut: "left out" });
    expect(byName.prod.result.unexpected).toEqual([{ path: ["stacks", "prod"], ours: "cdk.tf.json", theirs: undefined }]);
    // The manifest too: prod is in ours only (dev-github was taken out as left out).
    expect(r.manifest.unexpected.map((d) => formatPath(d.path))).toEqual(["stacks.prod"]);
    expect(r.manifest.expected.map((e) => e.rule.id)).toEqual(["library-version"]);
  });
});

describe("import rewriting", () => {
  const source = [
    'import { App } from "cdktf";',
    'import type { TerraformStack } from "cdktf";',
    'import { IamRole } from "@cdktf/provider-aws/lib/iam-role";',
    'import { Construct } from "constructs";',
    'import { ActionsSecret } from "@cdktf/provider-github/lib/actions-secret";',
    'const tags = { ManagedBy: "cdktf" };',
    'const outdir = process.env.CDKTF_OUTDIR ?? "cdktf.out";',
  ].join("\n");

  it("swaps module specifiers only, never the text cdktf elsewhere", () => {
    const { text, changes } = rewriteImports(source, cdktnSpecifier);
    expect(changes).toEqual([
      { from: "cdktf", to: "cdktn" },
      { from: "cdktf", to: "cdktn" },
      { from: "@cdktf/provider-aws/lib/iam-role", to: "@cdktn/provider-aws/lib/iam-role" },
    ]);
    expect(text).toContain('import type { TerraformStack } from "cdktn";');
    expect(text).toContain('import { Construct } from "constructs";');
    expect(text).toContain('import { ActionsSecret } from "@cdktf/provider-github/lib/actions-secret";');
    expect(text).toContain('ManagedBy: "cdktf"');
    expect(text).toContain('process.env.CDKTF_OUTDIR ?? "cdktf.out"');
  });

  it("names the package of a specifier", () => {
    expect(["cdktf", "@cdktf/provider-aws/lib/iam-role", "zod", "./naming", "node:fs", "fs"].map(packageOf)).toEqual([
      "cdktf",
      "@cdktf/provider-aws",
      "zod",
      undefined,
      undefined,
      undefined,
    ]);
  });
});

describe("pickProviderAws", () => {
  const published = [
    { version: "25.5.0", provider: "6.64.0" },
    { version: "25.7.0", provider: "6.66.0" },
    { version: "25.8.0-pre.1", provider: "6.25.0" },
  ];

  it("takes the release built for today's provider version when there is one", () => {
    expect(pickProviderAws([...published, { version: "25.1.0", provider: "6.25.0" }, { version: "25.2.0", provider: "6.26.0" }], "6.25.0")).toMatchObject({
      version: "25.1.0",
      provider: "6.25.0",
    });
    expect(pickProviderAws([...published, { version: "25.1.0", provider: "6.25.1" }], "6.25.0")).toMatchObject({ version: "25.1.0", provider: "6.25.1" });
  });

  it("else the newest release, and says so", () => {
    const pick = pickProviderAws(published, "6.25.0");
    expect(pick).toMatchObject({ version: "25.7.0", provider: "6.66.0" });
    expect(pick.why).toMatch(/no release is built for hashicorp\/aws 6\.25\.x/);
  });
});
