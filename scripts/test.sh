#!/usr/bin/env bash
# The whole test suite: installs what the tests need (idempotent), builds, runs vitest.
# Extra arguments go to vitest, e.g. `npm test -- test/scaffold`.
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(bash scripts/setup.sh)"
npm run build --silent
npx vitest run "$@"
