/**
 * checkov waivers as data (security/checkov-waivers.json), in cdk-nag's
 * spirit: each names one check and one resource address with a real reason;
 * a finding without a waiver, a waiver without a finding, and a short reason
 * are all errors.
 */
export interface Finding {
  readonly check: string;
  /** `<stack>/<checkov resource id>` */
  readonly resource: string;
  readonly name?: string;
}

export interface Waiver {
  readonly check: string;
  readonly resource: string;
  readonly reason: string;
}

export interface WaiverReport {
  readonly waived: Finding[];
  readonly unwaived: Finding[];
  readonly stale: Waiver[];
  readonly badReasons: Waiver[];
  readonly duplicates: Waiver[];
}

export const MIN_REASON_LENGTH = 40;

const keyOf = (x: { check: string; resource: string }) => `${x.check} ${x.resource}`;

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
  for (const f of findings) {
    if (byKey.has(keyOf(f))) {
      waived.push(f);
      used.add(keyOf(f));
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
  };
}

export const isClean = (r: WaiverReport) => r.unwaived.length === 0 && r.stale.length === 0 && r.badReasons.length === 0 && r.duplicates.length === 0;
