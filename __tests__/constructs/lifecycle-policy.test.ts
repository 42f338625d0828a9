import { renderLifecyclePolicy, standardLifecycleRules, type LifecycleRule } from "../../constructs/lifecycle-policy";

const parse = (json: string) => JSON.parse(json).rules as any[];

describe("standard lifecycle rules", () => {
  const rules = parse(renderLifecyclePolicy(standardLifecycleRules({ taggedPrefixes: ["v", "release"], keepLast: 10, untaggedExpiryDays: 7 })));

  it("expire untagged images after D days", () => {
    expect(rules[0]).toEqual({
      rulePriority: 1,
      description: "Expire untagged images after 7 days",
      selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 7 },
      action: { type: "expire" },
    });
  });

  it("keep the last N images per prefix, one rule per prefix (ECR ANDs the prefixes of one rule)", () => {
    expect(rules.slice(1).map((r) => r.selection)).toEqual([
      { tagStatus: "tagged", tagPrefixList: ["v"], countType: "imageCountMoreThan", countNumber: 10 },
      { tagStatus: "tagged", tagPrefixList: ["release"], countType: "imageCountMoreThan", countNumber: 10 },
    ]);
  });

  it("number priorities 1..n, unique and ascending", () => {
    expect(rules.map((r) => r.rulePriority)).toEqual([1, 2, 3]);
  });

  it("never emit null keys or tagPatternList next to tagPrefixList", () => {
    const text = JSON.stringify(rules);
    expect(text).not.toContain("null");
    expect(text).not.toContain("tagPatternList");
  });
});

describe("renderLifecyclePolicy", () => {
  const anyRule: LifecycleRule = { description: "Keep 50 images of any kind", tagStatus: "any", keepLast: 50 };
  const untagged: LifecycleRule = { description: "Expire untagged images after 3 days", tagStatus: "untagged", expireAfterDays: 3 };

  it("moves the tagStatus any rule last whatever its position", () => {
    const rules = parse(renderLifecyclePolicy([anyRule, untagged]));
    expect(rules.map((r) => [r.rulePriority, r.selection.tagStatus])).toEqual([
      [1, "untagged"],
      [2, "any"],
    ]);
  });

  it("refuses two catch-all rules", () => {
    expect(() => renderLifecyclePolicy([anyRule, { ...anyRule, description: "second" }])).toThrow(/at most one lifecycle rule may select tagStatus 'any'/);
  });

  it("refuses an empty policy", () => {
    expect(() => renderLifecyclePolicy([])).toThrow(/at least one rule/);
  });

  it("cannot render a policy under ECR's 100-character minimum, even from the smallest rule", () => {
    expect(renderLifecyclePolicy([{ description: "", tagStatus: "any", keepLast: 1 }]).length).toBeGreaterThanOrEqual(100);
  });

  it.each([0, -1, 1.5])("refuses a count of %p", (n) => {
    expect(() => renderLifecyclePolicy([{ ...untagged, expireAfterDays: n }])).toThrow(/expireAfterDays must be a positive integer/);
  });

  it("refuses a tagged rule without prefixes", () => {
    expect(() => renderLifecyclePolicy([{ description: "tagged", tagStatus: "tagged", tagPrefixes: [], keepLast: 3 }])).toThrow(/at least one prefix/);
  });

  it("renders wildcard tag patterns as tagPatternList, one rule per pattern, never beside a prefix list", () => {
    const rules = JSON.parse(
      renderLifecyclePolicy(
        standardLifecycleRules({ taggedPrefixes: ["v"], taggedPatterns: ["release-*-stable", "*-lts"], keepLast: 4, untaggedExpiryDays: 7 }),
      ),
    ).rules;
    const patterned = rules.filter((r: any) => r.selection.tagPatternList);
    expect(patterned.map((r: any) => r.selection)).toEqual([
      { tagStatus: "tagged", tagPatternList: ["release-*-stable"], countType: "imageCountMoreThan", countNumber: 4 },
      { tagStatus: "tagged", tagPatternList: ["*-lts"], countType: "imageCountMoreThan", countNumber: 4 },
    ]);
    for (const r of rules) expect(r.selection.tagPatternList && r.selection.tagPrefixList).toBeFalsy();
  });

  it("refuses a rule that carries both prefixes and patterns, even when the types are bypassed", () => {
    const both = { description: "both", tagStatus: "tagged", tagPrefixes: ["v"], tagPatterns: ["v*"], keepLast: 3 } as never;
    expect(() => renderLifecyclePolicy([both])).toThrow(/tagPrefixes and tagPatterns cannot share a rule/);
  });

  it.each(["", "a*b*c*d*e*"])("refuses the pattern %p (empty, or more than four wildcards)", (pattern) => {
    expect(() => renderLifecyclePolicy([{ description: "p", tagStatus: "tagged", tagPatterns: [pattern], keepLast: 3 }])).toThrow(/at most 4 '\*'/);
  });

  it("refuses a policy over ECR's 30,720-character limit", () => {
    const many = Array.from({ length: 400 }, (_, i) => `prefix-number-${i}`);
    expect(() => renderLifecyclePolicy(standardLifecycleRules({ taggedPrefixes: many, keepLast: 3, untaggedExpiryDays: 7 }))).toThrow(
      /ECR allows at most 30720/,
    );
  });
});
