/**
 * checkov waivers as data (security/checkov-waivers.json), in cdk-nag's
 * spirit: each names one check and a pattern of resource addresses with a
 * real reason; a finding without a waiver, a waiver without a finding, and a
 * short reason are all errors.
 *
 * A resource pattern is `<stack>/<checkov resource id>` with `*` for any run
 * of characters, keyed by the construct path (`*\/resource.ecr-user_*`), so
 * that a new environment, whose stacks repeat the same construct paths, needs
 * no waiver of its own. The part after the stack must start with a literal:
 * a waiver always names which constructs it covers.
 */
export interface Finding {
  readonly check: string;
  /** `<stack>/<checkov resource id>` */
  readonly resource: string;
  readonly name?: string;
}

export interface Waiver {
  readonly check: string;
  /** `<stack pattern>/<resource pattern>`, `*` matching any characters. */
  readonly resource: string;
  readonly reason: string;
}

export interface WaiverReport {
  readonly waived: Finding[];
  readonly unwaived: Finding[];
  readonly stale: Waiver[];
  readonly badReasons: Waiver[];
  readonly duplicates: Waiver[];
  /** Patterns that would cover any resource of a stack. */
  readonly tooBroad: Waiver[];
}

export const MIN_REASON_LENGTH = 40;

const keyOf = (x: { check: string; resource: string }) => `${x.check} ${x.resource}`;

export function resourcePattern(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .split("*")
      .map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, "\\$&"))
      .join(".*")}$`,
  );
}

/** The construct part (after the stack) must begin with at least a resource kind and a path segment. */
const isTooBroad = (w: Waiver) => !/^[^/]*\/(resource|aws_[a-z0-9_]+)\.[a-z0-9]/.test(w.resource);

export function applyWaivers(findings: readonly Finding[], waivers: readonly Waiver[]): WaiverReport {
  const byKey = new Map<string, Waiver>();
  const duplicates: Waiver[] = [];
  for (const w of waivers) {
    if (byKey.has(keyOf(w))) duplicates.push(w);
    else byKey.set(keyOf(w), w);
  }
  const used = new Set<string>();
  const waived: Finding[] = [];
  const unwaived: Finding[] = [];
  const matchers = [...byKey.values()].map((w) => ({ w, re: resourcePattern(w.resource) }));
  for (const f of findings) {
    const match = matchers.find(({ w, re }) => w.check === f.check && re.test(f.resource));
    if (match) {
      waived.push(f);
      used.add(keyOf(match.w));
    } else {
      unwaived.push(f);
    }
  }
  return {
    waived,
    unwaived,
    stale: waivers.filter((w) => !used.has(keyOf(w))),
    badReasons: waivers.filter((w) => w.reason.trim().length < MIN_REASON_LENGTH),
    duplicates,
    tooBroad: waivers.filter(isTooBroad),
  };
}

export const isClean = (r: WaiverReport) =>
  r.unwaived.length === 0 && r.stale.length === 0 && r.badReasons.length === 0 && r.duplicates.length === 0 && r.tooBroad.length === 0;
