#!/usr/bin/env bash
# The action's install step. At a release commit (release.json describes the action's own sources) the release
# tarball, its sha256 checked, and nothing else (scripts/action/release.mjs); a missing or different asset fails the
# step. At any other commit, from source, saying so: node_modules from the cache (else npm ci), then the build (dist/
# is not checked in), which must end with the ApplicationSet template engine: AMEIDE_REQUIRE_ENGINE=1 fails the step, naming what is
# missing, rather than leave a CLI that reports every ApplicationSet as render-unavailable. The engine is built with
# go.work's Go release — the runner's Go switches to it, or, where the runner has none (or one older than 1.21), the
# release is taken from the Go module proxy and checked against scripts/go-toolchain.json's sums — and the pinned
# libraries through the Go module proxy (scripts/build-wasm.mjs, scripts/go-toolchain.mjs).
set -euo pipefail
cd "$GITHUB_ACTION_PATH"
set +e
node scripts/action/release.mjs
code=$?
set -e
[ "$code" = 10 ] || exit "$code"
export AMEIDE_REQUIRE_ENGINE=1
if [ ! -f node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
if [ ! -f dist/cli/commands.js ]; then
  npm run build --silent
elif [ ! -f dist/engine/gotemplate.wasm ]; then
  node scripts/build-wasm.mjs
fi
