#!/usr/bin/env bash
# Finds or builds everything the end-to-end tests and the local deploy need,
# offline from the Go module proxy and PyPI, cached under ~/.cache/platform
# keyed by version. Prints progress; writes ~/.cache/platform/toolchain.env.
#
#   OpenTofu            built from tools/opentofu (pinned in its go.mod), or
#                       PLATFORM_TF_BINARY=/path/to/terraform-or-tofu, or
#                       TERRAFORM_BINARY_NAME=tofu|terraform (cdktf's variable)
#   hashicorp/aws       a provider binary laid out as a filesystem mirror
#                       (PLATFORM_AWS_PROVIDER=/path/to/terraform-provider-aws_vX_x5,
#                       else one already on the machine; see README "Providers")
#   integrations/github PLATFORM_GITHUB_PROVIDER=/path/to/binary, if you have one
#   moto                pinned in scripts/emulator/requirements.txt, in a venv
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${PLATFORM_CACHE:-$HOME/.cache/platform}"
mkdir -p "$CACHE"
log() { printf '[toolchain %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# ---------- OpenTofu ----------
TOFU_VERSION="$(sed -n 's#^require github.com/opentofu/opentofu \(v[0-9.]*\)$#\1#p' "$ROOT/tools/opentofu/go.mod")"
[ -n "$TOFU_VERSION" ] || { log "cannot read the OpenTofu version from tools/opentofu/go.mod"; exit 1; }
# cdktf's own variable names the user's engine too (e.g. TERRAFORM_BINARY_NAME=tofu).
if [ -z "${PLATFORM_TF_BINARY:-}" ] && [ -n "${TERRAFORM_BINARY_NAME:-}" ]; then
  PLATFORM_TF_BINARY="$(command -v "$TERRAFORM_BINARY_NAME" || true)"
  [ -n "$PLATFORM_TF_BINARY" ] || { log "TERRAFORM_BINARY_NAME=$TERRAFORM_BINARY_NAME is not on PATH"; exit 1; }
fi
if [ -n "${PLATFORM_TF_BINARY:-}" ]; then
  TOFU_BIN="$PLATFORM_TF_BINARY"
  [ -x "$TOFU_BIN" ] || { log "PLATFORM_TF_BINARY=$TOFU_BIN is not executable"; exit 1; }
  log "using your Terraform engine: $TOFU_BIN"
else
  TOFU_BIN="$CACHE/tofu-${TOFU_VERSION#v}/tofu"
  if [ -x "$TOFU_BIN" ]; then
    log "OpenTofu $TOFU_VERSION: cached at $TOFU_BIN"
  else
    command -v go >/dev/null || { log "Go is needed to build OpenTofu (or set PLATFORM_TF_BINARY)"; exit 1; }
    log "OpenTofu $TOFU_VERSION: building from the Go module proxy (about 3 minutes cold on 2 cores)"
    start=$SECONDS
    tmp="$TOFU_BIN.partial"
    mkdir -p "$(dirname "$TOFU_BIN")"
    (
      cd "$ROOT/tools/opentofu"
      log "downloading OpenTofu's modules"
      go mod download -x 2>&1 | awk '/: 200 OK/ { n++; if (n % 200 == 0) { printf "[toolchain]   %d module files fetched\n", n; fflush() } }' >&2
      # -v names each package as it compiles; show a count so long builds are visibly alive.
      go build -v -trimpath -ldflags "-s -w -X github.com/opentofu/opentofu/version.dev=no" -o "$tmp" github.com/opentofu/opentofu/cmd/tofu 2>&1 |
        awk '/^#|\.go:[0-9]+:/ { print; fflush(); next } { n++; if (n % 200 == 0) { printf "[toolchain]   compiled %d packages\n", n; fflush() } }' >&2
    )
    [ -x "$tmp" ] || { log "OpenTofu build failed"; exit 1; }
    mv "$tmp" "$TOFU_BIN"
    log "OpenTofu $TOFU_VERSION: built in $((SECONDS - start)) s"
  fi
fi

# ---------- providers: filesystem mirror ----------
MIRROR="$CACHE/tf-mirror"
mirror_provider() { # <namespace/type> <binary> -> prints version
  local addr="$1" bin="$2" base ver
  base="$(basename "$bin")"
  ver="$(sed -n 's/^terraform-provider-[a-z0-9]*_v\([0-9][0-9.]*[0-9]\)\(_x[0-9]*\)\{0,1\}$/\1/p' <<<"$base")"
  [ -n "$ver" ] || { log "cannot read a version from provider file name $base"; return 1; }
  for host in registry.opentofu.org registry.terraform.io; do
    local dir="$MIRROR/$host/$addr/$ver/linux_amd64"
    mkdir -p "$dir"
    ln -sfn "$bin" "$dir/$base"
  done
  echo "$ver"
}
find_provider() { # <type> -> newest binary found on this machine
  local type="$1"
  { find /opt/tf-plugins "$HOME/.terraform.d/plugins" "$CACHE/providers" -type f -name "terraform-provider-${type}_v*" 2>/dev/null || true; } | sort -V | tail -1
}

AWS_BIN="${PLATFORM_AWS_PROVIDER:-$(find_provider aws)}"
if [ -z "$AWS_BIN" ]; then
  log "no hashicorp/aws provider binary: the Go module proxy serves no 6.x version of github.com/hashicorp/terraform-provider-aws here and the Terraform registry is unreachable."
  log "set PLATFORM_AWS_PROVIDER to a terraform-provider-aws binary; end-to-end tests cannot run without one"
  AWS_PROVIDER_VERSION=""
else
  AWS_PROVIDER_VERSION="$(mirror_provider hashicorp/aws "$AWS_BIN")"
  log "hashicorp/aws $AWS_PROVIDER_VERSION: $AWS_BIN"
fi
GITHUB_BIN="${PLATFORM_GITHUB_PROVIDER:-$(find_provider github)}"
if [ -n "$GITHUB_BIN" ]; then
  GITHUB_PROVIDER_VERSION="$(mirror_provider integrations/github "$GITHUB_BIN")"
  log "integrations/github $GITHUB_PROVIDER_VERSION: $GITHUB_BIN"
else
  GITHUB_PROVIDER_VERSION=""
  log "integrations/github: not available (not on the Go module proxy here); GitHub stacks are checked by unit tests only"
fi

cat >"$CACHE/tofu.tfrc" <<TFRC
# Written by scripts/toolchain.sh: providers come only from the local mirror.
provider_installation {
  filesystem_mirror {
    path    = "$MIRROR"
    include = ["registry.opentofu.org/hashicorp/aws", "registry.terraform.io/hashicorp/aws", "registry.opentofu.org/integrations/github", "registry.terraform.io/integrations/github"]
  }
  direct {
    exclude = ["*/*/*"]
  }
}
TFRC

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
VENV="$(ensure_venv moto "$ROOT/scripts/emulator/requirements.txt")"
CHECKOV_VENV="$(ensure_venv checkov "$ROOT/scripts/security/requirements.txt")"

# ---------- actionlint ----------
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

cat >"$CACHE/toolchain.env" <<ENV
TOFU_BIN=$TOFU_BIN
TF_CLI_CONFIG_FILE=$CACHE/tofu.tfrc
AWS_PROVIDER_VERSION=$AWS_PROVIDER_VERSION
GITHUB_PROVIDER_VERSION=$GITHUB_PROVIDER_VERSION
MOTO_PYTHON=$VENV/bin/python
TF_PLUGIN_CACHE_DIR=$CACHE/plugin-cache
CHECKOV_BIN=$CHECKOV_VENV/bin/checkov
ACTIONLINT_BIN=$ACTIONLINT_BIN
ENV
mkdir -p "$CACHE/plugin-cache"
log "ready: $CACHE/toolchain.env"
