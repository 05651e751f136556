#!/usr/bin/env bash
# The action's run step: one ameide command with --json, its result kept as a file, step outputs written from it.
# AMEIDE_COMMAND and AMEIDE_ARGS come from the action inputs through env: they are never evaluated as shell code.
# The CLI is the release the install step unpacked (AMEIDE_ACTION_CLI, through GITHUB_ENV), else the checkout's build.
set -euo pipefail
case "$AMEIDE_COMMAND" in
  'primitive verify' | 'primitive publish' | 'primitive publish merge' | 'gitops verify' | 'gitops diff' | 'gitops set-image' | \
    'gitops promote' | 'primitive gitops update-images' | 'primitive gitops scaffold') ;;
  *)
    echo "::error title=ameide action::command \"$AMEIDE_COMMAND\" is not one the action runs" >&2
    exit 2
    ;;
esac
read -r -a command <<<"$AMEIDE_COMMAND"
read -r -a args <<<"$AMEIDE_ARGS"
report="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/ameide-$(printf '%s' "$AMEIDE_COMMAND" | tr ' ' '-')-$$.json"
set +e
node "${AMEIDE_ACTION_CLI:-$GITHUB_ACTION_PATH/bin/run.js}" "${command[@]}" "${args[@]}" --json >"$report"
code=$?
set -e
node "$GITHUB_ACTION_PATH/scripts/action/outputs.mjs" "$report" "$code" >>"$GITHUB_OUTPUT"
exit "$code"
