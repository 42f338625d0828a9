#!/usr/bin/env bash
# The OCI toolchain of the registry tests, installed or built when missing:
#   podman, skopeo, docker-registry (CNCF distribution 2.8)  Debian packages (apt-get, as root)
#   crane, the distribution-spec conformance suite           the Go module proxy, pinned in tools/oci/go.mod,
#                                                            cached in ~/.cache/platform keyed by version
# Prints KEY=VALUE lines (CRANE_BIN, CONFORMANCE_BIN) and writes them to
# $CACHE/oci-toolchain.env. Progress goes to stderr.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE="${PLATFORM_CACHE:-$HOME/.cache/platform}"
log() { printf '[oci-toolchain] %s\n' "$*" >&2; }

missing=()
for pair in podman:podman skopeo:skopeo docker-registry:docker-registry; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || { log "missing ${missing[*]}: install them (apt-get install ${missing[*]}) or run as root"; exit 1; }
  log "installing ${missing[*]} (apt-get; waits for the dpkg lock)"
  apt_get() { DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 "$@" >&2; }
  apt_get install -y --no-install-recommends "${missing[@]}" || { apt_get update && apt_get install -y --no-install-recommends "${missing[@]}"; }
fi

command -v go >/dev/null 2>&1 || { log "go is needed to build crane and the conformance suite (the Go toolchain, 1.25 or later)"; exit 1; }
pin() { sed -n "s#^\t$1 \(v[^ ]*\)\$#\1#p" "$ROOT/tools/oci/go.mod" | head -1; }
CRANE_VERSION="$(pin github.com/google/go-containerregistry)"
CONFORMANCE_VERSION="$(pin github.com/opencontainers/distribution-spec/conformance)"
[ -n "$CRANE_VERSION" ] && [ -n "$CONFORMANCE_VERSION" ] || { log "tools/oci/go.mod pins neither crane nor the conformance suite"; exit 1; }

CRANE_BIN="$CACHE/crane-${CRANE_VERSION#v}/crane"
CONFORMANCE_BIN="$CACHE/oci-conformance-${CONFORMANCE_VERSION#v}/conformance.test"
build() { # <bin> <what> <package> <go command...>
  local bin="$1" what="$2" package="$3"; shift 3
  if [ -x "$bin" ]; then log "$what: cached at $bin"; return; fi
  log "$what: building from the Go module proxy"
  mkdir -p "$(dirname "$bin")"
  (cd "$ROOT/tools/oci" && "$@" -o "$bin.partial" "$package") >&2
  mv "$bin.partial" "$bin"
  log "$what: built"
}
build "$CRANE_BIN" "crane $CRANE_VERSION" github.com/google/go-containerregistry/cmd/crane go build -trimpath -ldflags "-s -w"
build "$CONFORMANCE_BIN" "distribution-spec conformance $CONFORMANCE_VERSION" github.com/opencontainers/distribution-spec/conformance go test -c -trimpath

mkdir -p "$CACHE"
printf 'CRANE_BIN=%s\nCONFORMANCE_BIN=%s\n' "$CRANE_BIN" "$CONFORMANCE_BIN" | tee "$CACHE/oci-toolchain.env.tmp"
mv "$CACHE/oci-toolchain.env.tmp" "$CACHE/oci-toolchain.env"
