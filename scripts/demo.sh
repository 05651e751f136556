#!/usr/bin/env bash
# The embedded-default demo — no account, no cloud: a temporary monorepo, scaffolded by ameide, verified
# (RED, then GREEN), published to a local registry with a throwaway cosign key, changed, published again.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
eval "$(bash scripts/setup.sh)"
npm run build --silent

ameide() { node "$ROOT/bin/run.js" "$@"; }
step() { printf '\n\033[1m$ ameide %s\033[0m\n' "$*" >&2; }

WORK=$(mktemp -d /tmp/ameide-demo.XXXXXX)
cleanup() {
  [ -n "${REGISTRY_PID:-}" ] && kill "$REGISTRY_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
REPO=$WORK/monorepo
mkdir -p "$REPO" && cd "$REPO"
git init -q -b main && git config user.email demo@example.com && git config user.name demo

# 1. scaffold: code only, RED tests
step primitive scaffold --kind domain --name orders
ameide primitive scaffold --kind domain --name orders
step primitive scaffold --kind agent --name support-triage --json
ameide primitive scaffold --kind agent --name support-triage --json
