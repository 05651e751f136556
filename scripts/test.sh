#!/usr/bin/env bash
# The whole test suite: installs what the tests need (idempotent), builds, runs vitest.
# Extra arguments go to vitest, e.g. `npm test -- test/scaffold`.
set -euo pipefail
cd "$(dirname "$0")/.."
setup_env=$(bash scripts/setup.sh)
eval "$setup_env"
npm run build --silent
report=$(mktemp /tmp/ameide-vitest.XXXXXX.json)
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@" || status=$?
# One plain closing line, whatever the reporter printed above.
node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed` + (r.numPendingTests ? `, ${r.numPendingTests} skipped` : ""))' "$report" || true
rm -f "$report"
exit "$status"
