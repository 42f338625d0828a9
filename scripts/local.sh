#!/usr/bin/env bash
# The main job on the embedded default (README quick start): install, build,
# then scripts/local-deploy.ts (toolchain, emulator, bootstrap, deploy, outputs).
#   bash scripts/local.sh [up [--as operator|ecr-user|s3-user] | down]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# AWS SDK v3 warns that releases after January 2027 need Node 22; the pinned versions run on this Node 20.
export NODE_OPTIONS="${NODE_OPTIONS:+$NODE_OPTIONS }--disable-warning=NodeVersionSupportWarning"
bash scripts/ensure-deps.sh
npx tsc -p tsconfig.json
exec node dist/scripts/local-deploy.js "$@"
