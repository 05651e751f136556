#!/usr/bin/env bash
# Fails when the committed oclif.manifest.json does not match the built commands.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build --silent
AMEIDE_EAGER_COMMANDS=1 npx oclif manifest >/dev/null
node scripts/sort-manifest.mjs
if ! git diff --exit-code --stat -- oclif.manifest.json; then
  echo "oclif.manifest.json is stale: run 'npm run build && npm run manifest' and commit it." >&2
  exit 1
fi
echo "oclif.manifest.json is current."
