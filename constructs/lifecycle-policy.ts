/**
 * Typed ECR lifecycle rules and the one renderer that turns them into the
 * JSON ECR accepts. The types make ECR's rejections impossible: a rule
 * selects either by prefixes or by patterns (never both: a rule carries one
 * of the two fields, and the renderer refuses a value with both), `any` can only be
 * last, priorities are assigned here, and no key is ever null.
 */
export type LifecycleRule =
  | {
      /** What the rule keeps, as the ECR console shows it. */
      readonly description: string;
      /** Selects tagged images by prefix. */
      readonly tagStatus: "tagged";
      /** Tag prefixes; an image must match every one of them (one prefix per rule for "keep N per prefix"). */
      readonly tagPrefixes: readonly string[];
      /** Images kept (newest first); older matching ones expire. A positive integer. */
      readonly keepLast: number;
    }
  | {
      /** What the rule keeps, as the ECR console shows it. */
      readonly description: string;
      /** Selects tagged images by pattern. */
      readonly tagStatus: "tagged";
      /** Wildcard patterns (`release-*-stable`); ECR allows at most four `*` in each. */
      readonly tagPatterns: readonly string[];
      /** Images kept (newest first); older matching ones expire. A positive integer. */
      readonly keepLast: number;
    }
  | {
      /** What the rule expires, as the ECR console shows it. */
      readonly description: string;
      /** Selects images without a tag. */
      readonly tagStatus: "untagged";
      /** Days after push an untagged image expires. A positive integer. */
      readonly expireAfterDays: number;
    }
  | {
      /** What the rule keeps, as the ECR console shows it. */
      readonly description: string;
      /** The catch-all: every image the rules before it did not select; always rendered last. */
      readonly tagStatus: "any";
      /** Images kept (newest first). A positive integer. */
      readonly keepLast: number;
    };

interface RenderedRule {
  rulePriority: number;
  description: string;
  selection: Record<string, string | number | string[]>;
  action: { type: "expire" };
}

const MIN_POLICY_LENGTH = 100;
/** ECR's limit on a lifecycle policy's text. */
export const MAX_LIFECYCLE_POLICY_LENGTH = 30_720;
const MAX_PATTERN_WILDCARDS = 4;

/** Renders rules in order; the `any` catch-all (at most one) is moved last. */
export function renderLifecyclePolicy(rules: readonly LifecycleRule[]): string {
  if (rules.length === 0) throw new Error("a lifecycle policy needs at least one rule");
  const catchAll = rules.filter((r) => r.tagStatus === "any");
  if (catchAll.length > 1) throw new Error("at most one lifecycle rule may select tagStatus 'any'");
  const ordered = [...rules.filter((r) => r.tagStatus !== "any"), ...catchAll];
  const rendered: RenderedRule[] = ordered.map((rule, i) => ({
    rulePriority: i + 1,
    description: rule.description,
    selection: selectionOf(rule),
    action: { type: "expire" },
  }));
  const json = JSON.stringify({ rules: rendered });
  if (json.length < MIN_POLICY_LENGTH) throw new Error(`lifecycle policy is ${json.length} characters; ECR requires at least ${MIN_POLICY_LENGTH}`);
  if (json.length > MAX_LIFECYCLE_POLICY_LENGTH)
    throw new Error(`lifecycle policy is ${json.length} characters; ECR allows at most ${MAX_LIFECYCLE_POLICY_LENGTH}`);
  return json;
}

function selectionOf(rule: LifecycleRule): RenderedRule["selection"] {
  const positive = (n: number, what: string) => {
    if (!Number.isInteger(n) || n <= 0) throw new Error(`lifecycle rule '${rule.description}': ${what} must be a positive integer, got ${n}`);
    return n;
  };
  switch (rule.tagStatus) {
    case "tagged": {
      const byPrefix = "tagPrefixes" in rule ? rule.tagPrefixes : undefined;
      const byPattern = "tagPatterns" in rule ? rule.tagPatterns : undefined;
      if (byPrefix && byPattern) throw new Error(`lifecycle rule '${rule.description}': tagPrefixes and tagPatterns cannot share a rule (ECR rejects it)`);
      const keep = { countType: "imageCountMoreThan", countNumber: positive(rule.keepLast, "keepLast") };
      if (byPattern) {
        if (byPattern.length === 0) throw new Error(`lifecycle rule '${rule.description}': tagged rules need at least one pattern`);
        for (const p of byPattern) {
          if (p === "" || (p.match(/\*/g) ?? []).length > MAX_PATTERN_WILDCARDS)
            throw new Error(`lifecycle rule '${rule.description}': pattern '${p}' must be non-empty with at most ${MAX_PATTERN_WILDCARDS} '*'`);
        }
        return { tagStatus: "tagged", tagPatternList: [...byPattern], ...keep };
      }
      if (!byPrefix || byPrefix.length === 0) throw new Error(`lifecycle rule '${rule.description}': tagged rules need at least one prefix`);
      return { tagStatus: "tagged", tagPrefixList: [...byPrefix], ...keep };
    }
    case "untagged":
      return { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: positive(rule.expireAfterDays, "expireAfterDays") };
    case "any":
      return { tagStatus: "any", countType: "imageCountMoreThan", countNumber: positive(rule.keepLast, "keepLast") };
  }
}

/**
 * The platform's standard rules. ECR selects an image for a tagged rule only
 * when it matches *every* prefix in tagPrefixList, so "keep N per prefix"
 * needs one rule per prefix, not one rule listing them all.
 */
export function standardLifecycleRules(opts: {
  taggedPrefixes: readonly string[];
  taggedPatterns?: readonly string[];
  keepLast: number;
  untaggedExpiryDays: number;
}): LifecycleRule[] {
  return [
    {
      description: `Expire untagged images after ${opts.untaggedExpiryDays} day${opts.untaggedExpiryDays === 1 ? "" : "s"}`,
      tagStatus: "untagged",
      expireAfterDays: opts.untaggedExpiryDays,
    },
    ...opts.taggedPrefixes.map((prefix): LifecycleRule => ({
      description: `Keep the last ${opts.keepLast} images tagged ${prefix}*`,
      tagStatus: "tagged",
      tagPrefixes: [prefix],
      keepLast: opts.keepLast,
    })),
    ...(opts.taggedPatterns ?? []).map((pattern): LifecycleRule => ({
      description: `Keep the last ${opts.keepLast} images tagged ${pattern}`,
      tagStatus: "tagged",
      tagPatterns: [pattern],
      keepLast: opts.keepLast,
    })),
  ];
}
