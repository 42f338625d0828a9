/**
 * Typed ECR lifecycle rules and the one renderer that turns them into the
 * JSON ECR accepts. The types make ECR's rejections impossible: a rule
 * selects either by prefixes or by patterns (never both), `any` can only be
 * last, priorities are assigned here, and no key is ever null.
 */
export type LifecycleRule =
  | {
      readonly description: string;
      readonly tagStatus: "tagged";
      readonly tagPrefixes: readonly string[];
      readonly keepLast: number;
    }
  | {
      readonly description: string;
      readonly tagStatus: "untagged";
      readonly expireAfterDays: number;
    }
  | {
      readonly description: string;
      readonly tagStatus: "any";
      readonly keepLast: number;
    };

interface RenderedRule {
  rulePriority: number;
  description: string;
  selection: Record<string, string | number | string[]>;
  action: { type: "expire" };
}

const MIN_POLICY_LENGTH = 100;

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
  return json;
}

function selectionOf(rule: LifecycleRule): RenderedRule["selection"] {
  const positive = (n: number, what: string) => {
    if (!Number.isInteger(n) || n <= 0) throw new Error(`lifecycle rule '${rule.description}': ${what} must be a positive integer, got ${n}`);
    return n;
  };
  switch (rule.tagStatus) {
    case "tagged":
      if (rule.tagPrefixes.length === 0) throw new Error(`lifecycle rule '${rule.description}': tagged rules need at least one prefix`);
      return { tagStatus: "tagged", tagPrefixList: [...rule.tagPrefixes], countType: "imageCountMoreThan", countNumber: positive(rule.keepLast, "keepLast") };
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
export function standardLifecycleRules(opts: { taggedPrefixes: readonly string[]; keepLast: number; untaggedExpiryDays: number }): LifecycleRule[] {
  return [
    { description: `Expire untagged images after ${opts.untaggedExpiryDays} day${opts.untaggedExpiryDays === 1 ? "" : "s"}`, tagStatus: "untagged", expireAfterDays: opts.untaggedExpiryDays },
    ...opts.taggedPrefixes.map(
      (prefix): LifecycleRule => ({ description: `Keep the last ${opts.keepLast} images tagged ${prefix}*`, tagStatus: "tagged", tagPrefixes: [prefix], keepLast: opts.keepLast }),
    ),
  ];
}
