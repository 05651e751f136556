#!/usr/bin/env bash
# The embedded-default demo — no account, no cloud. Installs what it needs (idempotent), builds, runs scripts/demo.ts.
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(AMEIDE_SKIP_DOCKER_ENGINE=1 bash scripts/setup.sh)"
npm run build --silent
exec npx tsx scripts/demo.ts
