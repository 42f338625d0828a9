#!/usr/bin/env bash
# Build, tag and push a service image to its environment's ECR repository (seed 000).
#
#   scripts/ecr-deploy.sh [--cli docker|podman] <env> <service> [build context, default .]
#
# Reads the repository URL, region and tag mutability from the environment's
# Terraform outputs (cdktf.out/stacks/<env>) and the ECR user's active key pair
# from its credentials stack's (cdktf.out/stacks/<env>-credentials), logs in,
# builds, tags with the commit (and `latest` unless tags are immutable) and
# pushes. Secrets travel in the environment of the aws CLI only; nothing
# secret is echoed.
#
# Environment: IMAGE_TAG (default: git short commit), DOCKERFILE, STACKS_DIR
# (default cdktf.out/stacks), TF_BINARY (default tofu, else terraform),
# ECR_USE_AMBIENT_CREDENTIALS=1 to use this shell's credentials (OIDC in CI)
# instead of the ECR user's keys, CONTAINER_CLI (docker, the default, or
# podman; --cli wins), CONTAINER_CLI_ARGS (global options of the CLI, e.g.
# podman's storage), CONTAINER_CERT_DIR (podman: a directory with the
# registry's ca.crt, for registries whose CA is not installed).
set -euo pipefail
set +x # never trace: the secret key passes through variables

die() { code="$1"; shift; printf 'ecr-deploy: %s\n' "$*" >&2; exit "$code"; }
say() { printf 'ecr-deploy: %s\n' "$*"; }

CLI="${CONTAINER_CLI:-docker}"
if [ "${1:-}" = "--cli" ]; then CLI="${2:-}"; shift 2 || true; fi
case "$CLI" in docker | podman) ;; *) die 2 "unsupported container CLI '$CLI': docker or podman" ;; esac
[ $# -ge 2 ] || die 2 "usage: scripts/ecr-deploy.sh [--cli docker|podman] <env> <service> [build context]"
ENV_NAME="$1"; SERVICE="$2"; CONTEXT="${3:-.}"
STACKS_DIR="${STACKS_DIR:-cdktf.out/stacks}"
STACK="$STACKS_DIR/$ENV_NAME"
CREDENTIALS_STACK="$STACKS_DIR/$ENV_NAME-credentials"

# 1. dependencies
missing=()
for tool in aws "$CLI"; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
TF="${TF_BINARY:-$(command -v tofu 2>/dev/null || command -v terraform 2>/dev/null || true)}"
[ -n "$TF" ] || missing+=("tofu or terraform")
[ ${#missing[@]} -eq 0 ] || die 3 "missing dependencies: ${missing[*]} (install them or put them on PATH)"
[ -d "$STACK" ] || die 4 "no synthesized stack at $STACK: run 'npm run synth' (and deploy the environment) first"
[ -d "$CONTEXT" ] || die 2 "build context '$CONTEXT' is not a directory"

# 2. outputs of the deployed environment (each synthesis leaves its stacks to be initialised again)
initialised() { [ -d "$1/.terraform" ] || "$TF" -chdir="$1" init -input=false >/dev/null 2>&1 || true; }
initialised "$STACK"
output() { "$TF" -chdir="$STACK" output -raw "$1" 2>/dev/null; }
key="$(printf '%s' "$SERVICE" | tr -c 'a-z0-9\n' '_')"
REPOSITORY_URL="$(output "${key}_repository_url")" || die 4 "no output ${key}_repository_url in $STACK: is '$SERVICE' a service of $ENV_NAME, and is the environment deployed (state initialised)?"
REGION="$(output region)" || die 4 "no output 'region' in $STACK"
REGISTRY="$(output ecr_registry)" || die 4 "no output 'ecr_registry' in $STACK"
MUTABILITY="$(output image_tag_mutability)" || MUTABILITY="IMMUTABLE"
[ -n "$REPOSITORY_URL" ] || die 4 "empty repository URL for $SERVICE in $ENV_NAME"

# 3. credentials: the ECR user's keys, unless told to use this shell's
if [ "${ECR_USE_AMBIENT_CREDENTIALS:-0}" != "1" ]; then
  initialised "$CREDENTIALS_STACK"
  credential() { "$TF" -chdir="$CREDENTIALS_STACK" output -raw "$1" 2>/dev/null; }
  ECR_KEY_ID="$(credential ecr_aws_access_key_id)" || die 5 "cannot read ecr_aws_access_key_id from the outputs of $ENV_NAME-credentials (deployed? your role may read its state?)"
  ECR_SECRET="$(credential ecr_aws_secret_access_key)" || die 5 "cannot read ecr_aws_secret_access_key from the outputs of $ENV_NAME-credentials"
  aws_ecr() { AWS_ACCESS_KEY_ID="$ECR_KEY_ID" AWS_SECRET_ACCESS_KEY="$ECR_SECRET" AWS_SESSION_TOKEN="" aws "$@"; }
  say "using the ECR user's credentials of $ENV_NAME"
else
  aws_ecr() { aws "$@"; }
  say "using this shell's AWS credentials"
fi

# The container CLI with its global options; podman can be told the registry's CA.
read -r -a cli_args <<<"${CONTAINER_CLI_ARGS:-}"
cert_args=()
[ -n "${CONTAINER_CERT_DIR:-}" ] && [ "$CLI" = podman ] && cert_args=(--cert-dir "$CONTAINER_CERT_DIR")
container() { "$CLI" "${cli_args[@]}" "$@"; }

# 4. login (the token is valid 12 hours), in two steps so that a failure names the one that failed
say "logging in to $REGISTRY ($REGION) with $CLI"
if ! PASSWORD="$(aws_ecr ecr get-login-password --region "$REGION")" || [ -z "$PASSWORD" ]; then
  die 6 "ecr:GetAuthorizationToken failed (aws ecr get-login-password): these credentials may not get a registry token; explain the error above with: npm run doctor -- explain $ENV_NAME '<error>' (or npm run doctor -- $ENV_NAME --service $SERVICE --online)"
fi
if ! login_out="$(printf '%s' "$PASSWORD" | container login "${cert_args[@]}" --username AWS --password-stdin "$REGISTRY" 2>&1 >/dev/null)"; then
  unset PASSWORD
  printf '%s\n' "$login_out" >&2
  die 6 "$CLI login to $REGISTRY failed after the token was issued (ecr:GetAuthorizationToken succeeded): the registry refused the token or could not be reached; explain the error above with: npm run doctor -- explain $ENV_NAME '<error>'"
fi
unset PASSWORD

# 5. build and tag
TAG="${IMAGE_TAG:-$(git rev-parse --short HEAD 2>/dev/null || true)}"
[ -n "$TAG" ] || die 2 "no IMAGE_TAG given and not in a git repository"
tags=("$REPOSITORY_URL:$TAG")
if [ "$MUTABILITY" = "MUTABLE" ]; then tags+=("$REPOSITORY_URL:latest"); else say "tags are immutable in $ENV_NAME: pushing $TAG only, not latest"; fi
build_args=(build)
for t in "${tags[@]}"; do build_args+=(-t "$t"); done
[ -n "${DOCKERFILE:-}" ] && build_args+=(-f "$DOCKERFILE")
build_args+=("$CONTEXT")
say "building ${tags[*]}"
container "${build_args[@]}" || die 7 "$CLI build failed"

# 6. push
for t in "${tags[@]}"; do
  say "pushing $t"
  container push "${cert_args[@]}" "$t" || die 8 "$CLI push of $t failed: 403 means the policy or the repository, 'tag invalid' on an immutable repository means $TAG was pushed before; explain the error above with: npm run doctor -- explain $ENV_NAME '<error>'"
done
say "done: ${tags[*]}"
