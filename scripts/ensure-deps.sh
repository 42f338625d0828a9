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
# Native modules are built for one Node ABI and platform: a tree is reused only by the same ones.
cached="$cache_root/node_modules-$(printf '%s %s' "$want" "$(node -p 'process.versions.modules + "-" + process.platform + "-" + process.arch')" | sha256sum | cut -c1-32)"
if [ "${PLATFORM_NO_MODULES_CACHE:-}" != 1 ] && [ -f "$cached/.platform-lock-sha" ] && [ "$(cat "$cached/.platform-lock-sha")" = "$want" ]; then
  # Linked beside, then moved into place: an interrupted link never leaves a tree that looks complete.
  rm -rf node_modules.linking
  if cp -al "$cached" node_modules.linking 2>/dev/null; then
    rm -rf node_modules && mv -T node_modules.linking node_modules
    echo "[deps] node_modules linked from $cached (same package-lock.json)" >&2
    exit 0
  fi
  rm -rf node_modules.linking # another filesystem: install instead
fi

echo "[deps] npm ci (package-lock.json changed or node_modules missing)" >&2
npm ci --no-audit --no-fund --loglevel=error >&2
echo "$want" >"$stamp"
if [ "${PLATFORM_NO_MODULES_CACHE:-}" != 1 ]; then
  mkdir -p "$cache_root"
  # Older trees go: one lock file's tree is kept.
  find "$cache_root" -maxdepth 1 -name 'node_modules-*' ! -name "$(basename "$cached")" -exec rm -rf {} + 2>/dev/null || true
  if [ ! -d "$cached" ]; then
    tmp="$(mktemp -d "$cache_root/.node_modules-XXXXXX")"
    # mv -T: a second run finishing at the same time fails here instead of nesting its tree inside.
    if cp -al node_modules "$tmp/tree" 2>/dev/null && mv -T "$tmp/tree" "$cached" 2>/dev/null; then
      echo "[deps] kept for the next clean clone: $cached" >&2
    fi
    rm -rf "$tmp"
  fi
fi
