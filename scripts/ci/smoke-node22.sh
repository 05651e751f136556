#!/usr/bin/env bash
# The oldest supported Node line (22) runs the built CLI: every command's --help, one `primitive verify` on a freshly
# scaffolded monorepo and one `gitops verify` on the GitOps fixture, each answering with its contract's exit code and
# a JSON document. Run after `npm run build` (CI: .ci/run). The Node comes from the npm registry like the default one
# (scripts/ci/node-runtime.sh), pinned here: bump with the 22.x releases.
set -euo pipefail
cd "$(dirname "$0")/../.."
NODE22_VERSION=${AMEIDE_NODE22_VERSION:-22.23.3}
node22_path=$(AMEIDE_NODE_FORCE=1 bash scripts/ci/node-runtime.sh "$NODE22_VERSION" | sed -n 's/^export PATH="\([^:]*\):.*/\1/p')
node22=$node22_path/node
[ -x "$node22" ] || { echo "smoke-node22: no Node $NODE22_VERSION at $node22" >&2; exit 1; }
run() { "$node22" bin/run.js "$@"; }
fail() { echo "smoke-node22: $*" >&2; exit 1; }

# Every command's help, by the ids the manifest lists.
mapfile -t ids < <("$node22" -p 'Object.keys(require("./oclif.manifest.json").commands).map((id) => id.replaceAll(":", " ")).join("\n")')
[ "${#ids[@]}" -ge 8 ] || fail "the manifest lists ${#ids[@]} commands"
for id in "${ids[@]}"; do
  # shellcheck disable=SC2086 # the id's words are the command's tokens
  run $id --help >/dev/null || fail "'ameide $id --help' exited $?"
done

# One check of each kind; exit 0 (pass) or 1 (fail) with a result document, never another code.
expect_result() { # $1 = exit code, $2 = JSON file, $3 = what
  [ "$1" = 0 ] || [ "$1" = 1 ] || fail "$3 exited $1: $(head -c 600 "$2")"
  "$node22" -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    if (!["pass", "fail"].includes(r.summary)) { console.error(JSON.stringify(r).slice(0, 600)); process.exit(1) }' "$2" ||
    fail "$3 printed no result"
}
work=$(mktemp -d /tmp/ameide-smoke22.XXXXXX)
trap 'rm -rf "$work"' EXIT
git -C "$work" init -q -b main
run primitive scaffold --kind domain --name orders --repo-root "$work" --json >"$work/scaffold.json" ||
  fail "scaffold exited $?"
status=0
run primitive verify --all --repo-root "$work" --json >"$work/verify.json" || status=$?
expect_result "$status" "$work/verify.json" "primitive verify"
status=0
run gitops verify --root test/fixtures/gitops-repo --json >"$work/gitops.json" || status=$?
expect_result "$status" "$work/gitops.json" "gitops verify"

# The ApplicationSet engine (Go's text/template as WebAssembly on worker threads) on Node 22.
appset=$work/appset
mkdir -p "$appset/argocd" && git -C "$appset" init -q -b main
cat >"$appset/argocd/apps.yaml" <<'YAML'
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: apps, namespace: argocd}
spec:
  goTemplate: true
  generators:
    - list: {elements: [{name: Web, env: dev}]}
  template:
    metadata: {name: '{{ .name | lower }}-{{ .env }}'}
    spec: {project: default, source: {repoURL: https://example.com/gitops.git, path: 'apps/{{ slugify .name }}'}, destination: {namespace: apps}}
YAML
# What renders is read from the tracked files (src/gitops/revision): the ApplicationSet is added to the index.
git -C "$appset" add -A
run gitops verify --print-layout --root "$appset" --json >"$work/appset.json" || fail "gitops verify --print-layout exited $?"
"$node22" -e 'const a = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).layout.applicationSets[0];
  if (a.errors.length || a.applications.map((x) => x.name).join() !== "web-dev") { console.error(JSON.stringify(a)); process.exit(1) }' \
  "$work/appset.json" || fail "the ApplicationSet was not evaluated on Node 22"
echo "[smoke-node22] node $("$node22" --version): ${#ids[@]} commands' --help, primitive verify, gitops verify, an ApplicationSet" >&2
