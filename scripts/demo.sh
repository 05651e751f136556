#!/usr/bin/env bash
# The embedded-default demo — no account, no cloud. Installs what it needs (idempotent), builds, runs scripts/demo.ts.
set -euo pipefail
cd "$(dirname "$0")/.."
setup_env=$(AMEIDE_SKIP_DOCKER_ENGINE=1 bash scripts/setup.sh)
eval "$setup_env"
npm run build --silent
exec npx tsx scripts/demo.ts
