#!/usr/bin/env bash
# Builds dist/ (tsc -p tsconfig.json) when it is missing or older than a source it is built from:
# a TypeScript or JSON file under the compiled directories, tsconfig.json or package-lock.json.
# A build with nothing changed still reads every declaration file (5 CPU-seconds), which the
# scripts that call this (local.sh, npm run doctor|bootstrap|…) would otherwise pay on every run.
#   bash scripts/ensure-build.sh [--force | --check]     --check: exit 1 when a build is needed, build nothing
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
stamp=dist/.built
if [ "${1:-}" != --force ] && [ -f "$stamp" ]; then
  # The directories tsconfig.json's "include" names; JSON files because resolveJsonModule compiles them in.
  newer="$(find main.ts tsconfig.json package-lock.json environments constructs stacks scripts __tests__ \
    \( -name '*.ts' -o -name '*.json' \) -newer "$stamp" -print -quit 2>/dev/null || true)"
  [ -z "$newer" ] && exit 0
fi
[ "${1:-}" = --check ] && exit 1
# Stamped with the time the build starts: a source saved while tsc runs is newer than the stamp.
rm -f "$stamp"
mkdir -p "$(dirname "$stamp")"
touch "$stamp.next"
npx tsc -p tsconfig.json
mv "$stamp.next" "$stamp"
