/**
 * GitHub's matching rule for the name patterns of a deployment branch or tag
 * policy: Ruby's `File.fnmatch` with `File::FNM_PATHNAME`. `*` matches any run
 * of characters except `/`, `?` one character except `/`, `[...]` one character
 * of a set (`[!...]` or `[^...]` negated, never `/`), `\x` the literal `x`, and
 * a whole `**` segment followed by `/` zero or more path segments. Braces are
 * literal (no FNM_EXTGLOB). Leading-dot rules are ignored: Git refuses ref
 * components that start with `.`, so no ref GitHub can match has one.
 */

/** Characters that start a wildcard or an escape; braces count too, in case GitHub ever enables FNM_EXTGLOB. */
const SPECIAL = /[*?[\\{]/;

/** The fixed text a pattern starts with, up to its first wildcard, escape or brace. */
export function literalPrefix(pattern: string): string {
  const i = pattern.search(SPECIAL);
  return i < 0 ? pattern : pattern.slice(0, i);
}

/** Index just past the `]` closing a bracket expression that opens at `start`, or -1 when unclosed. */
function bracketEnd(pattern: string, start: number): number {
  let i = start + 1;
  if (pattern[i] === "!" || pattern[i] === "^") i++;
  if (pattern[i] === "]") i++; // a leading `]` is a member, not the end
  for (; i < pattern.length; i++) {
    if (pattern[i] === "\\") i++;
    else if (pattern[i] === "]") return i + 1;
  }
  return -1;
}

function bracketMatches(body: string, c: string): boolean {
  let i = 0;
  const negated = body[0] === "!" || body[0] === "^";
  if (negated) i++;
  let hit = false;
  while (i < body.length) {
    let lo = body[i];
    if (lo === "\\" && i + 1 < body.length) lo = body[++i];
    i++;
    if (body[i] === "-" && i + 1 < body.length) {
      let hi = body[i + 1];
      i += 2;
      if (hi === "\\" && i < body.length) hi = body[i++];
      if (lo <= c && c <= hi) hit = true;
    } else if (lo === c) hit = true;
  }
  return c !== "/" && hit !== negated;
}

/** One path segment (no `/` on either side) against one pattern segment. */
function segmentMatches(p: string, s: string, pi = 0, si = 0): boolean {
  while (pi < p.length) {
    const c = p[pi];
    if (c === "*") {
      while (p[pi] === "*") pi++;
      if (pi === p.length) return true;
      for (let k = si; k <= s.length; k++) if (segmentMatches(p, s, pi, k)) return true;
      return false;
    }
    if (si >= s.length) return false;
    if (c === "?") {
      pi++;
      si++;
      continue;
    }
    if (c === "[") {
      const end = bracketEnd(p, pi);
      if (end > 0) {
        if (!bracketMatches(p.slice(pi + 1, end - 1), s[si])) return false;
        pi = end;
        si++;
        continue;
      }
    }
    let literal = c;
    if (c === "\\" && pi + 1 < p.length) literal = p[++pi];
    if (literal !== s[si]) return false;
    pi++;
    si++;
  }
  return si === s.length;
}

/** Splits on `/` outside bracket expressions (a `/` inside one never matches anyway). */
function segmentsOf(pattern: string): string[] {
  const out: string[] = [];
  let current = "";
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === "[") {
      const end = bracketEnd(pattern, i);
      if (end > 0 && !pattern.slice(i, end).includes("/")) {
        current += pattern.slice(i, end);
        i = end - 1;
        continue;
      }
    }
    if (pattern[i] === "\\" && i + 1 < pattern.length) {
      current += pattern.slice(i, i + 2);
      i++;
      continue;
    }
    if (pattern[i] === "/") {
      out.push(current);
      current = "";
    } else current += pattern[i];
  }
  out.push(current);
  return out;
}

/** Does GitHub's deployment policy pattern `pattern` match the branch or tag name `ref`? */
export function refPatternMatches(pattern: string, ref: string): boolean {
  const p = segmentsOf(pattern);
  const s = ref.split("/");
  const match = (pi: number, si: number): boolean => {
    if (pi === p.length) return si === s.length;
    // `**/` spans zero or more whole segments; a trailing `**` is an ordinary `*`.
    if (p[pi] === "**" && pi + 1 < p.length) return match(pi + 1, si) || (si < s.length && match(pi, si + 1));
    return si < s.length && segmentMatches(p[pi], s[si]) && match(pi + 1, si + 1);
  };
  return match(0, 0);
}

/**
 * Why a deployment pattern opens the environment too wide, or undefined. A
 * pattern must start with literal text: every ref it matches then starts with
 * that text (a namespace such as `release/` or `v`, which rulesets can guard),
 * whereas `?*`, `[a-z]*`, `**` or `*-release` match refs anyone with push
 * access can name freely.
 */
export function refPatternProblem(pattern: string): string | undefined {
  const prefix = literalPrefix(pattern);
  if (prefix === "" || prefix.startsWith("/"))
    return `must start with a literal name part: '${pattern.slice(0, 1)}' lets refs of any name deploy (GitHub matches with fnmatch; ?, [..] and * match any leading character)`;
  return undefined;
}
