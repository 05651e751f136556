#!/usr/bin/env bash
# The action's install step: node_modules from the cache (else npm ci), then the build (dist/ is not checked in).
set -euo pipefail
cd "$GITHUB_ACTION_PATH"
if [ ! -f node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
if [ ! -f dist/cli/commands.js ]; then
  npm run build --silent
fi
