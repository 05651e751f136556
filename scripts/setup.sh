#!/usr/bin/env bash
# Idempotent set-up on a fresh Debian 12 machine (as root; network: npm registry + Debian archive only):
# a supported Node.js (>= 22.12; the pinned Node 24 LTS from the npm registry into .tools/ when PATH's node is
# older: scripts/ci/node-runtime.sh), npm dependencies, then the container toolchain (registry, buildah, skopeo, cosign, oras, cdxgen, gofmt, rg)
# and the optional Docker engine packages. Progress goes to stderr; stdout carries only the `export` lines
# to eval:   eval "$(bash scripts/setup.sh)"
set -euo pipefail
cd "$(dirname "$0")/.."

# The runtime first: npm ci, the build and the tests all run on it.
node_env=$(bash scripts/ci/node-runtime.sh)
if [ -n "$node_env" ]; then
  eval "$node_env"
  echo "$node_env"
fi
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # The lock records every platform's optional binaries (@bufbuild/buf pinned, rollup overridden to versions
  # whose platform packages all resolve on the registry), so a clean clone installs exactly the lock.
  echo "[setup] npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
bash scripts/ci/install-toolchain.sh
if [ "${AMEIDE_SKIP_DOCKER_ENGINE:-0}" != 1 ]; then
  bash scripts/ci/docker-engine.sh install >&2
fi
