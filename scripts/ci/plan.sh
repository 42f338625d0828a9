#!/usr/bin/env bash
# Plan one environment in CI with the credentials already in the shell (the
# read-only plan role): init against the remote state, plan without the
# state lock (the role may write nothing, not even a lock), write a one-line
# Markdown summary to $PLAN_SUMMARY. Exit 1 on error.
set -euo pipefail
ENV_NAME="${1:?usage: scripts/ci/plan.sh <environment>}"
TF="${TF_BINARY:-tofu}"
DIR="cdktf.out/stacks/$ENV_NAME"
SUMMARY="${PLAN_SUMMARY:-/dev/stdout}"
[ -d "$DIR" ] || { echo "no synthesized stack $DIR (run npm run synth)" >&2; exit 1; }
"$TF" -chdir="$DIR" init -input=false -no-color >/dev/null
set +e
"$TF" -chdir="$DIR" plan -input=false -no-color -lock=false -detailed-exitcode -out=plan.bin
rc=$?
set -e
if [ "$rc" -eq 1 ]; then
  printf '**%s**: plan failed, see the job log\n' "$ENV_NAME" >"$SUMMARY"
  exit 1
fi
"$TF" -chdir="$DIR" show -json plan.bin | node dist/scripts/ci/plan-summary.js "$ENV_NAME" >"$SUMMARY"
