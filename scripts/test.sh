#!/usr/bin/env bash
# The whole test suite: installs what the tests need (idempotent), builds, runs vitest.
# Extra arguments go to vitest, e.g. `npm test -- test/scaffold`.
set -euo pipefail
cd "$(dirname "$0")/.."
setup_env=$(bash scripts/setup.sh)
eval "$setup_env"
npm run build --silent
npx vitest run "$@"
