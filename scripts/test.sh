#!/usr/bin/env bash
# The whole test suite: installs what the tests need (idempotent), builds, runs vitest.
# Extra arguments go to vitest, e.g. `npm test -- test/scaffold`.
set -euo pipefail
cd "$(dirname "$0")/.."
setup_env=$(bash scripts/setup.sh)
eval "$setup_env"
# The builds the suite makes of its own (a clone's, under an empty HOME) take the CRD catalog's releases from the
# machine's cache, as they take npm's and Go's: fetched and generated once (scripts/crd-catalog.mjs).
export AMEIDE_CRD_CATALOG_CACHE="${AMEIDE_CRD_CATALOG_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ameide/crd-catalog}"
# And Go's: the pinned toolchain, the module cache (downloads, checked against go.sum) and the build cache (keyed by
# content; the same bytes out). Under an empty HOME each of those builds would fetch and compile the render module
# and the native helper from nothing — minutes each on two cores, and nothing the test is about (a clean HOME is
# about what ameide itself reads; a fresh machine's build is .ci/run's own).
export AMEIDE_GO_TOOLCHAIN_CACHE="${AMEIDE_GO_TOOLCHAIN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ameide/go-toolchain}"
if command -v go >/dev/null; then
  GOMODCACHE="${GOMODCACHE:-$(go env GOMODCACHE)}"
  GOCACHE="${GOCACHE:-$(go env GOCACHE)}"
  export GOMODCACHE GOCACHE
fi
# Both native render helpers, as the package ships them (the arm64 one is run under qemu-user): for this build only,
# not exported, so a test's own build (install.test's clone) makes just its machine's.
if [ "$(uname -s)" = Linux ]; then
  AMEIDE_NATIVE_ARCHS="${AMEIDE_NATIVE_ARCHS:-x64,arm64}" npm run build --silent
else
  npm run build --silent
fi
report=$(mktemp /tmp/ameide-vitest.XXXXXX.json)
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@" || status=$?
# One plain closing line, whatever the reporter printed above.
node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed` + (r.numPendingTests ? `, ${r.numPendingTests} skipped` : ""))' "$report" || true
rm -f "$report"
exit "$status"
