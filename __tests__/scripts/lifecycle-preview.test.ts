import { renderLifecyclePolicy, standardLifecycleRules } from "../../constructs/lifecycle-policy";
import { previewLifecycle, runLifecyclePreview, type PreviewImage } from "../../scripts/lifecycle-preview";

const NOW = new Date("2026-11-30T00:00:00Z");
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000);
/** Images named by their only tag (or `untagged-<n>`), pushed `age` days ago. */
const img = (name: string, age: number, tags: string[] = name.startsWith("untagged") ? [] : [name]): PreviewImage => ({
  digest: `sha256:${name}`,
  tags,
  pushedAt: daysAgo(age),
});
const policy = (...rules: object[]) =>
  JSON.stringify({ rules: rules.map((selection, i) => ({ rulePriority: i + 1, description: `r${i + 1}`, selection, action: { type: "expire" } })) });
const expired = (policyText: string, images: PreviewImage[]) =>
  previewLifecycle(policyText, images, NOW)
    .filter((e) => e.action === "expire")
    .map((e) => e.image.digest.slice(7))
    .sort();

describe("lifecycle preview, ECR's rule semantics", () => {
  it.each<[string, string, PreviewImage[], string[]]>([
    [
      "imageCountMoreThan keeps the newest N of the rule's images",
      policy({ tagStatus: "tagged", tagPrefixList: ["v"], countType: "imageCountMoreThan", countNumber: 2 }),
      [img("v1", 4), img("v2", 3), img("v3", 2), img("v4", 1), img("other", 9)],
      ["v1", "v2"],
    ],
    [
      "every prefix of a rule must match some tag (ANDed), not any one of them",
      policy({ tagStatus: "tagged", tagPrefixList: ["prod", "v"], countType: "imageCountMoreThan", countNumber: 1 }),
      [img("a", 3, ["prod-a", "v1"]), img("b", 2, ["prod-b"]), img("c", 1, ["prod-c", "v2"])],
      ["a"],
    ],
    [
      "patterns: * matches any run, the whole tag must match, every pattern must match",
      policy({ tagStatus: "tagged", tagPatternList: ["release-*-stable"], countType: "imageCountMoreThan", countNumber: 1 }),
      [img("release-1-stable", 3), img("release-2-stable", 2), img("release-3-beta", 1), img("x-release-4-stable", 4)],
      ["release-1-stable"],
    ],
    [
      "sinceImagePushed expires what is older than N days",
      policy({ tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 7 }),
      [img("untagged-1", 8), img("untagged-2", 6), img("tagged", 30)],
      ["untagged-1"],
    ],
    [
      "an image selected by an earlier rule is never expired by a later one, even when it is kept",
      policy(
        { tagStatus: "tagged", tagPrefixList: ["v"], countType: "imageCountMoreThan", countNumber: 5 },
        { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 1 },
      ),
      [img("v1", 5), img("v2", 4), img("dev-1", 3), img("dev-2", 2), img("untagged-1", 1)],
      ["dev-1", "dev-2"],
    ],
    [
      "rules run in rulePriority order, whatever their order in the text",
      JSON.stringify({
        rules: [
          { rulePriority: 2, selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 1 }, action: { type: "expire" } },
          {
            rulePriority: 1,
            selection: { tagStatus: "tagged", tagPrefixList: ["v"], countType: "imageCountMoreThan", countNumber: 9 },
            action: { type: "expire" },
          },
        ],
      }),
      [img("v1", 3), img("v2", 2), img("z", 1), img("y", 4)],
      ["y"],
    ],
  ])("%s", (_what, text, images, expected) => {
    expect(expired(text, images)).toEqual(expected);
  });

  it("the platform's standard rules keep N per prefix, expire untagged after the configured days, and never touch other tags", () => {
    const text = renderLifecyclePolicy(standardLifecycleRules({ taggedPrefixes: ["v", "main"], keepLast: 2, untaggedExpiryDays: 1 }));
    const images = [img("v1", 5), img("v2", 4), img("v3", 3), img("main-1", 3), img("feature-x", 50), img("untagged-1", 2), img("untagged-2", 0.5)];
    expect(expired(text, images)).toEqual(["untagged-1", "v1"]);
  });

  it("refuses bad usage with exit 2", async () => {
    for (const args of [["nope"], [], ["local", "--at", "yesterday"], ["local", "--service", "billing"], ["local", "--bogus"]]) {
      let out = "";
      expect(await runLifecyclePreview(args, (s) => (out += s))).toBe(2);
      expect(out).toMatch(/usage: npm run lifecycle-preview|has no service/);
    }
  });
});
