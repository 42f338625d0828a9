#!/usr/bin/env bash
# Installs node_modules from package-lock.json when missing or stale (cheap otherwise).
# A clean clone with the same lock file reuses the tree `npm ci` installed last time, hard-linked
# from ~/.cache/platform/node_modules-<lock sha256> (a few seconds instead of half a minute).
# npm replaces files rather than writing into them, so the linked cache is never changed by an
# install; PLATFORM_NO_MODULES_CACHE=1 always runs npm ci.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
stamp=node_modules/.platform-lock-sha
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && exit 0

cache_root="${PLATFORM_CACHE:-$HOME/.cache/platform}"
cached="$cache_root/node_modules-$want"
if [ "${PLATFORM_NO_MODULES_CACHE:-}" != 1 ] && [ -f "$cached/.platform-lock-sha" ] && [ "$(cat "$cached/.platform-lock-sha")" = "$want" ]; then
  rm -rf node_modules
  if cp -al "$cached" node_modules 2>/dev/null; then
    echo "[deps] node_modules linked from $cached (same package-lock.json)" >&2
    exit 0
  fi
  rm -rf node_modules # another filesystem: install instead
fi

echo "[deps] npm ci (package-lock.json changed or node_modules missing)" >&2
npm ci --no-audit --no-fund --loglevel=error >&2
echo "$want" >"$stamp"
if [ "${PLATFORM_NO_MODULES_CACHE:-}" != 1 ]; then
  mkdir -p "$cache_root"
  # Older trees go: one lock file's tree is kept.
  find "$cache_root" -maxdepth 1 -name 'node_modules-*' ! -name "node_modules-$want" -exec rm -rf {} + 2>/dev/null || true
  if [ ! -d "$cached" ]; then
    tmp="$(mktemp -d "$cache_root/.node_modules-XXXXXX")"
    if cp -al node_modules "$tmp/tree" 2>/dev/null && mv "$tmp/tree" "$cached"; then
      echo "[deps] kept for the next clean clone: $cached" >&2
    fi
    rm -rf "$tmp"
  fi
fi
