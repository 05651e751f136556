#!/usr/bin/env bash
# The whole test suite. Installs what the tests need (idempotent), builds, then runs vitest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run build --silent
npx vitest run "$@"
