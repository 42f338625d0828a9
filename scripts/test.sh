#!/usr/bin/env bash
# The project's test command (README; .ci/run calls exactly this).
#   1. dependencies (npm ci when the lock changed; a clean clone links the last install)
#   2. type check + build   3. toolchain: engine, OpenTofu, provider mirror, moto, checkov,
#      actionlint, the OCI clients (cached under ~/.cache/platform)
#   4. end-to-end suites (the cdktf CLI, the engines and real providers against the AWS emulator),
#      five at a time, started in the background: most of their time is spent waiting on the
#      emulator and on the provider's waiters, so the steps below run beside them. One sandbox
#      (the main job's) is shared by the suites that can share it: __tests__/support/shared-sandbox.ts
#   5. the constructs' own type check, emulator patch tests, checkov with the project's waivers,
#      eslint + prettier, actionlint
#   6. unit tests and permission proofs (jest), then again on a second configuration
# Ends with one line "N passed, N failed, N skipped"; exits non-zero on any failure.
# The fast inner loop, unit tests and proofs only: npm run test:unit
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
bash scripts/ensure-build.sh --force || exit 1

step "toolchain"
bash scripts/toolchain.sh test || exit 1
# shellcheck disable=SC1090
. "${PLATFORM_CACHE:-$HOME/.cache/platform}/toolchain-test.env"
if [ -f __tests__/support/oci-toolchain.sh ]; then bash __tests__/support/oci-toolchain.sh >/dev/null || exit 1; fi

# The end-to-end suites, in the background (their output is shown when they end).
e2e_started=$SECONDS
(
  npx jest -c jest.e2e.config.js --json --outputFile="$REPORTS/e2e.json" >"$REPORTS/e2e.log" 2>&1
  echo $? >"$REPORTS/e2e.rc"
  echo $((SECONDS - e2e_started)) >"$REPORTS/e2e.seconds"
) &
e2e_pid=$!

step "constructs type check (tsc -p tsconfig.constructs.json)"
# The constructs alone, with declarations: fails if one of them reaches into app configuration.
npx tsc -p tsconfig.constructs.json || { echo "the constructs do not compile on their own" >&2; failures=$((failures + 1)); }

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

count_jest() { # <report> : adds a jest JSON report's counts to the totals
  if [ -f "$1" ]; then
    read -r p f s < <(node -e 'const r=require(process.argv[1]); console.log(r.numPassedTests, r.numFailedTests, r.numPendingTests + r.numTodoTests)' "$1")
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
  else
    failed=$((failed + 1))
  fi
}

step "unit tests and proofs (jest)"
npx jest --json --outputFile="$REPORTS/unit.json" || failures=$((failures + 1))
count_jest "$REPORTS/unit.json"

step "unit tests and proofs again, on a second configuration (every name, id, account, region and service changed)"
bash __tests__/support/second-config.sh "$REPORTS/second-config.json" || failures=$((failures + 1))
count_jest "$REPORTS/second-config.json"

end_step
step "end-to-end suites (started $((SECONDS - e2e_started)) s ago, beside the steps above)"
wait "$e2e_pid"
e2e_rc=$(cat "$REPORTS/e2e.rc" 2>/dev/null || echo 1)
cat "$REPORTS/e2e.log"
[ "$e2e_rc" -eq 0 ] || failures=$((failures + 1))
count_jest "$REPORTS/e2e.json"
STEP_TIMES+=("$(printf '%5d s  %s' "$(cat "$REPORTS/e2e.seconds" 2>/dev/null || echo 0)" "end-to-end suites alone, from their start")")
end_step
step "summary"
printf 'wall time per step (total %d s):\n' "$SECONDS"
printf '  %s\n' "${STEP_TIMES[@]}"
for report in "$REPORTS"/unit.json "$REPORTS"/second-config.json "$REPORTS"/e2e.json; do
  [ -f "$report" ] && node -e 'const r = require(process.argv[1]); for (const t of r.testResults.sort((a, b) => (b.endTime - b.startTime) - (a.endTime - a.startTime)).slice(0, 12)) console.log(`    ${String(Math.round((t.endTime - t.startTime) / 1000)).padStart(4)} s  ${t.name.replace(process.cwd() + "/", "")}`)' "$report"
done
echo
echo "tests: $passed passed, $failed failed, $skipped skipped"
[ "$failures" -eq 0 ] && [ "$failed" -eq 0 ]
