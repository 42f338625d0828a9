#!/usr/bin/env bash
# The project's test command (README; .ci/run calls exactly this).
#   1. dependencies (npm ci when the lock changed)   2. type check + build
#   3. toolchain: OpenTofu, provider mirror, moto (cached under ~/.cache/platform)
#   4. emulator patch tests (python unittest)         5. checkov with the project's waivers, eslint + prettier, actionlint
#   6. unit tests and permission proofs (jest)
#   7. end-to-end tests: tofu validate of every stack, deploy/fault/destroy against the emulator
# Ends with one line "N passed, N failed, N skipped"; exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
# AWS SDK v3 warns that its releases after January 2027 need Node 22; the pinned versions run on
# Node 20. The SDK emits that warning with the generic type `Warning`: only its own switch stops it.
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
REPORTS="$ROOT/.e2e/reports"
rm -rf "$REPORTS" && mkdir -p "$REPORTS"
# Wall time per step, printed in the summary: where the test command's time goes.
STEP_TIMES=()
step_name=""
step_started=$SECONDS
end_step() { [ -n "$step_name" ] && STEP_TIMES+=("$(printf '%5d s  %s' "$((SECONDS - step_started))" "$step_name")"); step_name=""; }
step() { end_step; step_name="$*"; step_started=$SECONDS; printf '\n==> %s\n' "$*"; }
failures=0
passed=0 failed=0 skipped=0

step "dependencies"
bash scripts/ensure-deps.sh || exit 1

step "type check and build (tsc)"
npx tsc -p tsconfig.json || exit 1
# The constructs alone, with declarations: fails if one of them reaches into app configuration.
npx tsc -p tsconfig.constructs.json || exit 1

step "toolchain"
bash scripts/toolchain.sh test || exit 1
# shellcheck disable=SC1090
. "${PLATFORM_CACHE:-$HOME/.cache/platform}/toolchain-test.env"

step "emulator patch tests"
if out="$("$MOTO_PYTHON" -m unittest -v scripts/emulator/test_moto_patch.py 2>&1)"; then :; else failures=$((failures + 1)); fi
echo "$out"
p=$(grep -c '\.\.\. ok$' <<<"$out"); f=$(grep -cE '\.\.\. (FAIL|ERROR)$' <<<"$out")
passed=$((passed + p)); failed=$((failed + f))

step "security scan (checkov on every synthesized stack, waivers in security/checkov-waivers.json)"
if CHECKOV_BIN="$CHECKOV_BIN" node dist/scripts/security/checkov-scan.js --with-new-environment; then passed=$((passed + 1)); else failed=$((failed + 1)); failures=$((failures + 1)); fi

step "lint and format (eslint with typescript-eslint, prettier --check)"
if npx eslint . && npx prettier --check . >/dev/null; then passed=$((passed + 1)); echo "eslint and prettier: clean"; else npx prettier --list-different . || true; failed=$((failed + 1)); failures=$((failures + 1)); fi

step "actionlint (.github/workflows and examples/github-actions)"
if "$ACTIONLINT_BIN" .github/workflows/*.yml examples/github-actions/*.yml; then passed=$((passed + 1)); echo "actionlint: no findings"; else failed=$((failed + 1)); failures=$((failures + 1)); fi

run_jest() { # <name> <jest args...>
  local name="$1"; shift
  step "$name"
  npx jest "$@" --json --outputFile="$REPORTS/$name.json" || failures=$((failures + 1))
  if [ -f "$REPORTS/$name.json" ]; then
    read -r p f s < <(node -e 'const r=require(process.argv[1]); console.log(r.numPassedTests, r.numFailedTests, r.numPendingTests + r.numTodoTests)' "$REPORTS/$name.json")
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
  else
    failed=$((failed + 1))
  fi
}
run_jest unit
run_jest e2e -c jest.e2e.config.js --runInBand

end_step
step "summary"
printf 'wall time per step (total %d s):\n' "$SECONDS"
printf '  %s\n' "${STEP_TIMES[@]}"
for report in "$REPORTS"/unit.json "$REPORTS"/e2e.json; do
  [ -f "$report" ] && node -e 'const r = require(process.argv[1]); for (const t of r.testResults.sort((a, b) => (b.endTime - b.startTime) - (a.endTime - a.startTime)).slice(0, 12)) console.log(`    ${String(Math.round((t.endTime - t.startTime) / 1000)).padStart(4)} s  ${t.name.replace(process.cwd() + "/", "")}`)' "$report"
done
[ -f .e2e/timings.json ] && cat .e2e/timings.json
echo
echo "tests: $passed passed, $failed failed, $skipped skipped"
[ "$failures" -eq 0 ] && [ "$failed" -eq 0 ]
