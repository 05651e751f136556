#!/usr/bin/env bash
# A supported Node.js (>= 22.12) for the project's own commands, when the machine's `node` is older (Debian 12
# ships 20, end of life since 2026-04-30). The official binary comes from the npm registry, where it is published
# as the package `node-linux-<arch>` (a binary inside a registry package): `npm pack` + `tar`, no other download.
#
#   bash scripts/ci/node-runtime.sh [VERSION]   prints one `export PATH=…` line when a Node had to be brought
#                                               (nothing when PATH's node is already supported); progress on stderr
#
# VERSION defaults to the pinned LTS below (AMEIDE_NODE_VERSION overrides it); the binary lands in
# $AMEIDE_TOOLS_DIR/node-<version>/bin (default <repo>/.tools). Idempotent: a second run only checks.
# AMEIDE_NODE_FORCE=1 brings VERSION even when PATH's node is supported (the Node 22 smoke uses it).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TOOLS_DIR=${AMEIDE_TOOLS_DIR:-$ROOT/.tools}
PINNED=24.21.0 # Node 24 LTS ("Krypton"); bump with the release notes, and docs/performance.md's runtime table
VERSION=${1:-${AMEIDE_NODE_VERSION:-$PINNED}}
MIN=22.12.0

supported() { # $1: a version like 22.12.0 → exit 0 when >= MIN
  [ "$(printf '%s\n%s\n' "$MIN" "$1" | sort -V | head -1)" = "$MIN" ]
}

if [ "${AMEIDE_NODE_FORCE:-0}" != 1 ] && command -v node >/dev/null; then
  current=$(node -p 'process.versions.node' 2>/dev/null || echo 0)
  if supported "$current"; then exit 0; fi
  echo "[node-runtime] node $current on PATH is older than $MIN: bringing Node $VERSION into $TOOLS_DIR" >&2
fi

case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "node-runtime.sh: no node-linux package for $(uname -m); install Node.js >= $MIN" >&2; exit 3 ;;
esac
dest=$TOOLS_DIR/node-$VERSION
if [ ! -x "$dest/bin/node" ]; then
  command -v npm >/dev/null || { echo "node-runtime.sh: npm is needed to fetch node-linux-$arch@$VERSION" >&2; exit 3; }
  work=$(mktemp -d "$TOOLS_DIR/.node-XXXXXX" 2>/dev/null || { mkdir -p "$TOOLS_DIR" && mktemp -d "$TOOLS_DIR/.node-XXXXXX"; })
  trap 'rm -rf "$work"' EXIT
  echo "[node-runtime] npm pack node-linux-$arch@$VERSION" >&2
  (cd "$work" && npm pack --silent --loglevel=error "node-linux-$arch@$VERSION" >/dev/null)
  tar -xzf "$work"/node-linux-"$arch"-*.tgz -C "$work"
  "$work/package/bin/node" -e 0 || { echo "node-runtime.sh: the fetched Node does not run here" >&2; exit 3; }
  rm -rf "$dest"
  mv "$work/package" "$dest" # one rename: a half-unpacked Node is never at $dest
fi
echo "[node-runtime] $("$dest/bin/node" --version) at $dest/bin/node" >&2
echo "export PATH=\"$dest/bin:\$PATH\""
