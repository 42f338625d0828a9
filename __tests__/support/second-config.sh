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

# One directory per working tree, the same on every run, so that jest's transform cache (keyed by
# file path and content) serves the copy as it serves the tree; runs of one tree take turns.
work="${TMPDIR:-/tmp}/platform-second-config-$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)"
exec 9>"$work.lock"
flock -w 900 9 || { log "another run of this tree still holds $work.lock"; exit 1; }
rm -rf "$work"
mkdir -p "$work"
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

# The type check and build. Every file but environments/app.ts is the tree's own, already checked
# and compiled into its dist/, and the others see that file only through its declaration
# (`export declare const APP: AppConfig`). So the second app is checked and compiled alone; when
# its declaration equals the committed app's, no other file's check can differ (tsc's incremental
# builds reason the same way) and the tree's dist/ serves the rest. Otherwise: a full build.
app_alone() { # <project root> <outDir>: type-check environments/app.ts and what it imports, emit JS and declarations
  local config
  config="$scratch/tsconfig-$RANDOM"
  mkdir -p "$config"
  printf '{ "extends": "%s/tsconfig.json", "compilerOptions": { "incremental": false, "declaration": true, "rootDir": "%s", "outDir": "%s", "typeRoots": ["%s/node_modules/@types"] }, "files": ["%s/environments/app.ts"], "include": [] }\n' \
    "$1" "$1" "$2" "$ROOT" "$1" >"$config/tsconfig.json"
  "$ROOT/node_modules/.bin/tsc" -p "$config/tsconfig.json"
  rm -rf "$config"
}
scratch="$(mktemp -d)"
committed_declaration="$scratch/committed"
trap 'rm -rf "$work" "$scratch"' EXIT
# The tree's dist/ only when it is current; this never builds in the tree (its suites may be running from it).
if bash "$ROOT/scripts/ensure-build.sh" --check; then
  cp -a "$ROOT/dist" dist
  log "tsc: environments/app.ts alone"
  app_alone "$work" "$work/dist"
  app_alone "$ROOT" "$committed_declaration"
  if cmp -s dist/environments/app.d.ts "$committed_declaration/environments/app.d.ts"; then
    touch dist/.built
  else
    log "its declaration differs from the committed app's: tsc -p tsconfig.json (everything)"
    bash scripts/ensure-build.sh --force
  fi
else
  log "the tree's dist/ is not current: tsc -p tsconfig.json (everything)"
  bash scripts/ensure-build.sh --force
fi
log "npm run generate (the derived files)"
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
# Not holding the lock's descriptor: a process jest leaves behind must not keep the next run waiting.
npx jest --json --outputFile="$report" 9>&-
