#!/usr/bin/env bash
# The whole unit suite against a second adopter's config: copies the working
# tree (tracked and untracked files, not ignored ones) into a temporary
# directory, puts __tests__/fixtures/second-config/app.ts in place of
# environments/app.ts, regenerates the derived files, type-checks, synthesizes
# (a plain synth: no emulator stack) and runs every unit test there.
# A test that asserts the committed config's values instead of deriving them
# fails here.
#
#   bash __tests__/support/second-config.sh <jest JSON report path>
#
# Exits non-zero when any step or any test fails; the copy is always removed.
set -euo pipefail

report="${1:?usage: second-config.sh <jest JSON report path>}"
case "$report" in /*) ;; *) report="$PWD/$report" ;; esac
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
FIXTURE="$ROOT/__tests__/fixtures/second-config/app.ts"
log() { printf 'second-config: %s\n' "$*" >&2; }

work="$(mktemp -d "${TMPDIR:-/tmp}/second-config.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# Files deleted in the working tree but still in the index are listed too: skipped.
(cd "$ROOT" && git ls-files -co --exclude-standard -z) | while IFS= read -r -d '' file; do
  [ -f "$ROOT/$file" ] || continue
  mkdir -p "$work/$(dirname "$file")"
  cp -p "$ROOT/$file" "$work/$file"
done
ln -s "$ROOT/node_modules" "$work/node_modules"

# What the committed app names that no other app's stacks can: its repository and its accounts.
committed_names="$("$ROOT/node_modules/.bin/esbuild" "$work/environments/index.ts" --bundle --platform=node --format=cjs --log-level=error |
  node -e 'let src = "";
    process.stdin.on("data", (d) => (src += d)).on("end", () => {
      const m = { exports: {} };
      new Function("module", "exports", "require", src)(m, m.exports, require);
      const envs = m.exports.ENVIRONMENTS;
      console.log([...new Set([envs[0].github.repository, ...envs.map((e) => e.accountId)])].join("\n"));
    });')"
[ -n "$committed_names" ] || { log "cannot read the committed app's repository and accounts"; exit 1; }

cp "$FIXTURE" "$work/environments/app.ts"
log "copied the tree into $work with environments/app.ts from ${FIXTURE#"$ROOT/"}"

cd "$work"
# The emulator's environment joins only when this names a running emulator; a plain synth must not see one.
unset PLATFORM_EMULATOR_ENDPOINT CDKTF_OUTDIR

# npm run generate builds first (the copy has no dist/, so tsc -p tsconfig.json runs): that build is the type check.
log "npm run generate (tsc, then the derived files)"
npm run --silent generate
log "npm run synth"
npm run --silent synth
emulator_stacks="$(find cdktf.out/stacks -mindepth 1 -maxdepth 1 -type d \( -name 'local' -o -name 'local-*' -o -name 'bootstrap-123456789012-*' \) -printf '%f ')"
if [ -n "$emulator_stacks" ]; then
  log "a plain synth holds the emulator's stacks: $emulator_stacks"
  exit 1
fi
log "synthesized: $(find cdktf.out/stacks -mindepth 1 -maxdepth 1 -type d -printf '%f ' | tr ' ' '\n' | sort | tr '\n' ' ')"
# A name of the committed app in this app's stacks comes from somewhere other than environments/app.ts.
if leaks="$(grep -rlF -f <(printf '%s\n' "$committed_names") cdktf.out/stacks)"; then
  log "the committed app's repository or accounts ($(echo "$committed_names" | tr '\n' ' ')) appear in: $leaks"
  exit 1
fi

# The regenerated workflows are still ones GitHub runs (actionlint, when the test toolchain has it).
actionlint="$( (. "$HOME/.cache/platform/toolchain-test.env" 2>/dev/null && echo "${ACTIONLINT_BIN:-}") || true)"
if [ -n "$actionlint" ] && [ -x "$actionlint" ]; then
  log "actionlint on the regenerated workflows"
  "$actionlint" .github/workflows/*.yml examples/github-actions/*.yml
else
  log "actionlint: not in the test toolchain (bash scripts/toolchain.sh test), skipped"
fi

log "jest (unit suite), report in $report"
npx jest --json --outputFile="$report"
