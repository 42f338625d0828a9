#!/usr/bin/env bash
# The main job on the embedded default (README quick start): install, build,
# then scripts/local-deploy.ts (toolchain, emulator, bootstrap, deploy, outputs).
#   bash scripts/local.sh [up [--as operator|ecr-user|s3-user] | down]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# AWS SDK v3 warns that its releases after January 2027 need Node 22; the pinned versions run on
# Node 20. The SDK emits that warning with the generic type `Warning`: only its own switch stops it.
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
bash scripts/ensure-deps.sh
bash scripts/ensure-build.sh
exec node dist/scripts/local-deploy.js "$@"
