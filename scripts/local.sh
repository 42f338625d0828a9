#!/usr/bin/env bash
# The main job on the embedded default (README quick start): install, build,
# then scripts/local-deploy.ts (toolchain, emulator, bootstrap, deploy, outputs).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/ensure-deps.sh
npx tsc -p tsconfig.json
exec node dist/scripts/local-deploy.js
