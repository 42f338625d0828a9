#!/usr/bin/env bash
# Finds or builds what the main job and the tests need, cached under
# ~/.cache/platform keyed by version, and writes ~/.cache/platform/toolchain-<mode>.env.
#
#   bash scripts/toolchain.sh engine  an engine and providers (npm run bootstrap)
#   bash scripts/toolchain.sh         the main job: also moto, the AWS emulator
#   bash scripts/toolchain.sh test    the tests: also OpenTofu (built when missing), checkov, actionlint
#
# The engine (the Terraform CLI that cdktf drives), the first that applies:
#   1. PLATFORM_TF_BINARY=/path, or TERRAFORM_BINARY_NAME=tofu|terraform (cdktf's own variable)
#   2. `tofu` on PATH, then `terraform` on PATH, each at least $MIN_ENGINE (S3 native state locking)
#   3. OpenTofu built from the Go module proxy (tools/opentofu/go.mod), the last resort
# Providers:
#   - the Terraform registry answers: the engine installs them as it always does;
#   - it does not: a filesystem mirror of the binaries on this machine
#     (PLATFORM_AWS_PROVIDER, else /opt/tf-plugins or ~/.terraform.d/plugins);
#   - integrations/github only from PLATFORM_GITHUB_PROVIDER (never from a cache: what a
#     previous session built must not change what runs).
# PLATFORM_REGISTRY_URL overrides the registry probe (tests point it at loopback).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${PLATFORM_CACHE:-$HOME/.cache/platform}"
MODE="${1:-main}"
case "$MODE" in engine | main | test) ;; *) echo "usage: bash scripts/toolchain.sh [engine|main|test]" >&2; exit 2 ;; esac
mkdir -p "$CACHE"
log() { printf '[toolchain %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
# Terraform >= 1.10 and OpenTofu >= 1.10 keep the S3 backend's lock file (use_lockfile).
MIN_ENGINE="1.10.0"

# ---------- engine ----------
engine_version() { # <binary> -> x.y.z, empty when it does not answer like Terraform
  "$1" version -json 2>/dev/null | sed -n 's/.*"terraform_version": *"\([0-9][0-9.]*\)".*/\1/p' | head -1
}
at_least() { # <have> <want>
  [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -1)" = "$2" ]
}
engine_kind() { # <binary> -> tofu|terraform
  if "$1" version 2>/dev/null | head -1 | grep -q '^OpenTofu'; then echo tofu; else echo terraform; fi
}

TOFU_VERSION="$(sed -n 's#^require github.com/opentofu/opentofu \(v[0-9.]*\)$#\1#p' "$ROOT/tools/opentofu/go.mod")"
[ -n "$TOFU_VERSION" ] || { log "cannot read the OpenTofu version from tools/opentofu/go.mod"; exit 1; }
OPENTOFU_BUILD="$CACHE/tofu-${TOFU_VERSION#v}/tofu"
build_opentofu() {
  if [ -x "$OPENTOFU_BUILD" ]; then
    log "OpenTofu $TOFU_VERSION: cached at $OPENTOFU_BUILD"
    return 0
  fi
  command -v go >/dev/null || { log "no Terraform engine: install Terraform or OpenTofu >= $MIN_ENGINE (or Go, to build OpenTofu)"; return 1; }
  log "OpenTofu $TOFU_VERSION: building from the Go module proxy (about 3 minutes cold on 2 cores)"
  local start=$SECONDS tmp="$OPENTOFU_BUILD.partial"
  mkdir -p "$(dirname "$OPENTOFU_BUILD")"
  (
    cd "$ROOT/tools/opentofu"
    go mod download -x 2>&1 | awk '/: 200 OK/ { n++; if (n % 200 == 0) { printf "[toolchain]   %d module files fetched\n", n; fflush() } }' >&2
    # -v names each package as it compiles; a count shows that a long build is alive.
    go build -v -trimpath -ldflags "-s -w -X github.com/opentofu/opentofu/version.dev=no" -o "$tmp" github.com/opentofu/opentofu/cmd/tofu 2>&1 |
      awk '/^#|\.go:[0-9]+:/ { print; fflush(); next } { n++; if (n % 200 == 0) { printf "[toolchain]   compiled %d packages\n", n; fflush() } }' >&2
  )
  [ -x "$tmp" ] || { log "OpenTofu build failed"; return 1; }
  mv "$tmp" "$OPENTOFU_BUILD"
  log "OpenTofu $TOFU_VERSION: built in $((SECONDS - start)) s"
}

ENGINE_BIN=""
ENGINE_SOURCE=""
if [ -n "${PLATFORM_TF_BINARY:-}" ]; then
  ENGINE_BIN="$PLATFORM_TF_BINARY" ENGINE_SOURCE="PLATFORM_TF_BINARY"
elif [ -n "${TERRAFORM_BINARY_NAME:-}" ]; then
  ENGINE_BIN="$(command -v "$TERRAFORM_BINARY_NAME" || true)" ENGINE_SOURCE="TERRAFORM_BINARY_NAME"
  [ -n "$ENGINE_BIN" ] || { log "TERRAFORM_BINARY_NAME=$TERRAFORM_BINARY_NAME is not on PATH"; exit 1; }
fi
if [ -n "$ENGINE_BIN" ]; then
  [ -x "$ENGINE_BIN" ] || { log "$ENGINE_SOURCE=$ENGINE_BIN is not executable"; exit 1; }
  have="$(engine_version "$ENGINE_BIN")"
  [ -n "$have" ] || { log "$ENGINE_SOURCE=$ENGINE_BIN does not answer 'version -json' like Terraform or OpenTofu"; exit 1; }
  at_least "$have" "$MIN_ENGINE" || { log "$ENGINE_SOURCE=$ENGINE_BIN is version $have; at least $MIN_ENGINE is needed (S3 state lock file)"; exit 1; }
else
  for candidate in tofu terraform; do
    bin="$(command -v "$candidate" || true)"
    [ -n "$bin" ] || continue
    have="$(engine_version "$bin")"
    if [ -n "$have" ] && at_least "$have" "$MIN_ENGINE"; then
      ENGINE_BIN="$bin" ENGINE_SOURCE="PATH"
      break
    fi
    log "$bin is version ${have:-unknown}; at least $MIN_ENGINE is needed (S3 state lock file): not used"
  done
  if [ -z "$ENGINE_BIN" ]; then
    build_opentofu || exit 1
    ENGINE_BIN="$OPENTOFU_BUILD" ENGINE_SOURCE="built"
  fi
fi
ENGINE_NAME="$(engine_kind "$ENGINE_BIN")"
ENGINE_VERSION="$(engine_version "$ENGINE_BIN")"
log "engine: $ENGINE_NAME $ENGINE_VERSION at $ENGINE_BIN ($ENGINE_SOURCE)"

# The test command also runs suites with OpenTofu whatever the machine's engine is.
TOFU_BIN="$ENGINE_BIN"
if [ "$MODE" = test ]; then
  if [ "$ENGINE_NAME" = tofu ]; then
    TOFU_BIN="$ENGINE_BIN"
  else
    build_opentofu || exit 1
    TOFU_BIN="$OPENTOFU_BUILD"
  fi
fi

# ---------- providers ----------
REGISTRY_URL="${PLATFORM_REGISTRY_URL:-https://registry.terraform.io/.well-known/terraform.json}"
if curl -fsS -m 5 -o /dev/null "$REGISTRY_URL" 2>/dev/null; then
  REGISTRY=reachable
else
  REGISTRY=unreachable
fi
log "Terraform registry: $REGISTRY"

MIRROR="$CACHE/tf-mirror"
MIRRORED=()
mirror_provider() { # <namespace/type> <binary> -> prints version
  local addr="$1" bin="$2" base ver
  base="$(basename "$bin")"
  ver="$(sed -n 's/^terraform-provider-[a-z0-9]*_v\([0-9][0-9.]*[0-9]\)\(_x[0-9]*\)\{0,1\}$/\1/p' <<<"$base")"
  [ -n "$ver" ] || { log "cannot read a version from provider file name $base"; return 1; }
  for host in registry.opentofu.org registry.terraform.io; do
    local dir="$MIRROR/$host/$addr/$ver/linux_amd64"
    mkdir -p "$dir"
    # Relinked only when it changes: an engine beside this run (another suite) may be reading it.
    [ "$(readlink "$dir/$base" 2>/dev/null)" = "$bin" ] || ln -sfn "$bin" "$dir/$base"
  done
  echo "$ver"
}
find_provider() { # <type> -> newest binary that ships with this machine
  local type="$1"
  { find /opt/tf-plugins "$HOME/.terraform.d/plugins" -type f -name "terraform-provider-${type}_v*" 2>/dev/null || true; } | sort -V | tail -1
}
# A GitHub provider mirrored earlier is dropped unless named again, and so are the copies the
# engines put in the shared plugin cache when they installed it.
[ -n "${PLATFORM_GITHUB_PROVIDER:-}" ] || rm -rf "$MIRROR"/*/integrations "$CACHE/plugin-cache"/*/integrations

AWS_PROVIDER_VERSION=""
AWS_BIN="${PLATFORM_AWS_PROVIDER:-}"
[ -n "$AWS_BIN" ] || [ "$REGISTRY" = reachable ] || AWS_BIN="$(find_provider aws)"
if [ -n "$AWS_BIN" ]; then
  AWS_PROVIDER_VERSION="$(mirror_provider hashicorp/aws "$AWS_BIN")"
  MIRRORED+=(hashicorp/aws)
  log "hashicorp/aws $AWS_PROVIDER_VERSION: $AWS_BIN (local mirror)"
elif [ "$REGISTRY" = reachable ]; then
  AWS_PROVIDER_VERSION=registry
  log "hashicorp/aws: from the Terraform registry"
else
  log "no hashicorp/aws provider: the Terraform registry does not answer and no binary is on this machine."
  log "set PLATFORM_AWS_PROVIDER to a terraform-provider-aws binary; the emulator deploy cannot run without one"
fi

GITHUB_PROVIDER_VERSION=""
if [ -n "${PLATFORM_GITHUB_PROVIDER:-}" ]; then
  [ -x "$PLATFORM_GITHUB_PROVIDER" ] || { log "PLATFORM_GITHUB_PROVIDER=$PLATFORM_GITHUB_PROVIDER is not an executable file"; exit 1; }
  GITHUB_PROVIDER_VERSION="$(mirror_provider integrations/github "$PLATFORM_GITHUB_PROVIDER")"
  MIRRORED+=(integrations/github)
  log "integrations/github $GITHUB_PROVIDER_VERSION: $PLATFORM_GITHUB_PROVIDER (local mirror)"
elif [ "$REGISTRY" = reachable ]; then
  GITHUB_PROVIDER_VERSION=registry
  log "integrations/github: from the Terraform registry"
else
  log "integrations/github: none (set PLATFORM_GITHUB_PROVIDER to a binary); suites that apply GitHub stacks are skipped"
fi

# A CLI configuration only when something comes from the mirror: mirrored providers from it,
# everything else from the registry (or nothing, when the registry does not answer).
CLI_CONFIG=""
if [ "${#MIRRORED[@]}" -gt 0 ] || [ "$REGISTRY" = unreachable ]; then
  CLI_CONFIG="$CACHE/tofu.tfrc"
  quoted() { local out="" a; for a in "$@"; do for host in registry.opentofu.org registry.terraform.io; do out+="${out:+, }\"$host/$a\""; done; done; echo "$out"; }
  {
    echo "# Written by scripts/toolchain.sh."
    echo "provider_installation {"
    if [ "${#MIRRORED[@]}" -gt 0 ]; then
      printf '  filesystem_mirror {\n    path    = "%s"\n    include = [%s]\n  }\n' "$MIRROR" "$(quoted "${MIRRORED[@]}")"
    fi
    if [ "$REGISTRY" = reachable ]; then
      printf '  direct {\n    exclude = [%s]\n  }\n' "$(quoted "${MIRRORED[@]}")"
    else
      printf '  direct {\n    exclude = ["*/*/*"]\n  }\n'
    fi
    echo "}"
  } >"$CLI_CONFIG.$$.tmp"
  mv "$CLI_CONFIG.$$.tmp" "$CLI_CONFIG"
fi

# ---------- Python tools: one virtualenv per pinned version ----------
# ensure_venv <package> <requirements file>: prints the venv path. A marker file
# written after pip succeeds tells a complete install from an interrupted one.
ensure_venv() {
  local package="$1" requirements="$2" pin version venv
  pin="$(grep -v '^#' "$requirements" | grep -m1 "$package")"
  version="${pin##*==}"
  venv="$CACHE/venv-$package-$version"
  if [ -f "$venv/.installed" ]; then
    log "$package $version: cached at $venv"
  else
    log "$package $version: installing into $venv (up to a minute)"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements" >&2
    touch "$venv/.installed"
    log "$package $version: installed"
  fi
  echo "$venv"
}
MOTO_PYTHON=""
[ "$MODE" = engine ] || MOTO_PYTHON="$(ensure_venv moto "$ROOT/scripts/emulator/requirements.txt")/bin/python"

CHECKOV_BIN="" ACTIONLINT_BIN=""
if [ "$MODE" = test ]; then
  CHECKOV_BIN="$(ensure_venv checkov "$ROOT/scripts/security/requirements.txt")/bin/checkov"
  ACTIONLINT_VERSION="$(sed -n 's#^require github.com/rhysd/actionlint \(v[0-9.]*\)$#\1#p' "$ROOT/tools/actionlint/go.mod")"
  ACTIONLINT_BIN="$CACHE/actionlint-${ACTIONLINT_VERSION#v}/actionlint"
  if [ -x "$ACTIONLINT_BIN" ]; then
    log "actionlint $ACTIONLINT_VERSION: cached at $ACTIONLINT_BIN"
  else
    log "actionlint $ACTIONLINT_VERSION: building from the Go module proxy"
    mkdir -p "$(dirname "$ACTIONLINT_BIN")"
    (cd "$ROOT/tools/actionlint" && go build -trimpath -ldflags "-s -w" -o "$ACTIONLINT_BIN.partial" github.com/rhysd/actionlint/cmd/actionlint) >&2
    mv "$ACTIONLINT_BIN.partial" "$ACTIONLINT_BIN"
    log "actionlint $ACTIONLINT_VERSION: built"
  fi
fi

mkdir -p "$CACHE/plugin-cache"
# One file per mode: a narrower run (the bootstrap's) never blanks what a wider one found.
ENV_FILE="$CACHE/toolchain-$MODE.env"
cat >"$ENV_FILE.$$.tmp" <<ENV
ENGINE_BIN=$ENGINE_BIN
ENGINE_NAME=$ENGINE_NAME
ENGINE_VERSION=$ENGINE_VERSION
TOFU_BIN=$TOFU_BIN
TF_CLI_CONFIG_FILE=$CLI_CONFIG
PROVIDER_MIRROR=$([ "${#MIRRORED[@]}" -gt 0 ] && echo "$MIRROR")
REGISTRY=$REGISTRY
AWS_PROVIDER_VERSION=$AWS_PROVIDER_VERSION
GITHUB_PROVIDER_VERSION=$GITHUB_PROVIDER_VERSION
MOTO_PYTHON=$MOTO_PYTHON
TF_PLUGIN_CACHE_DIR=$CACHE/plugin-cache
CHECKOV_BIN=$CHECKOV_BIN
ACTIONLINT_BIN=$ACTIONLINT_BIN
ENV
mv "$ENV_FILE.$$.tmp" "$ENV_FILE"
log "ready: $ENV_FILE"
