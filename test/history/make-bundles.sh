#!/usr/bin/env bash
# How test/history/repos/*/repo.bundle were made (kept for review; the suite only reads the bundles). Each argument is a
# bare clone of the public repository (MIRROR=/path/to/owner+name/repo). Two bundles hold the repository's whole
# history (small repositories); podinfo's is re-made from the range: each of its last 51 first-parent commits that
# touch deploy/ becomes one commit holding that commit's deploy/ and LICENSE only, author, date and message kept, the
# original commit named in a trailer (the rest of podinfo, its Go code and charts, would weigh 14 MB). arigsela's is
# re-made the same way from its last 51 first-parent commits that touch base-apps/ or appsets/ (what its Applications
# and ApplicationSet read), each holding base-apps/, appsets/ and LICENSE (its whole history weighs 3.5 MB).
# ai-accelerator's from its last 51 first-parent commits of `main` that touch bootstrap/, clusters/ or components/
# (what its bootstrap overlays, Applications and ApplicationSets read), each holding those folders and LICENSE.
set -euo pipefail
out=$(cd "$(dirname "$0")" && pwd)/repos
bridge=$1 flux=$2 podinfo=$3 arigsela=$4 aia=$5
git -C "$bridge" bundle create "$out/gitops-bridge/repo.bundle" HEAD main
git -C "$flux" bundle create "$out/flux2-kustomize-helm-example/repo.bundle" HEAD main
work=$(mktemp -d)
git clone -q --bare --no-local "$podinfo" "$work/podinfo"
parent=
for c in $(git -C "$podinfo" rev-list --first-parent --reverse HEAD -- deploy | tail -51); do
  deploy=$(git -C "$podinfo" rev-parse "$c:deploy")
  license=$(git -C "$podinfo" rev-parse "$c:LICENSE")
  tree=$(printf '040000 tree %s\tdeploy\n100644 blob %s\tLICENSE\n' "$deploy" "$license" | git -C "$work/podinfo" mktree)
  msg=$(git -C "$podinfo" log -1 --format='%B' "$c")
  export GIT_AUTHOR_NAME=$(git -C "$podinfo" log -1 --format=%an "$c") GIT_AUTHOR_EMAIL=$(git -C "$podinfo" log -1 --format=%ae "$c")
  export GIT_AUTHOR_DATE=$(git -C "$podinfo" log -1 --format=%aI "$c") GIT_COMMITTER_DATE=$(git -C "$podinfo" log -1 --format=%cI "$c")
  export GIT_COMMITTER_NAME=$GIT_AUTHOR_NAME GIT_COMMITTER_EMAIL=$GIT_AUTHOR_EMAIL
  parent=$(printf '%s\n\npodinfo-commit: %s\n' "$msg" "$c" | git -C "$work/podinfo" commit-tree "$tree" ${parent:+-p "$parent"})
done
git -C "$work/podinfo" for-each-ref --format='delete %(refname)' | git -C "$work/podinfo" update-ref --stdin
git -C "$work/podinfo" update-ref refs/heads/master "$parent"
git -C "$work/podinfo" symbolic-ref HEAD refs/heads/master
git -C "$work/podinfo" reflog expire --expire=now --all
git -C "$work/podinfo" gc -q --prune=now --aggressive
git -C "$work/podinfo" bundle create "$out/podinfo-deploy/repo.bundle" HEAD master
rm -rf "$work"
work=$(mktemp -d)
git clone -q --bare --no-local "$arigsela" "$work/arigsela"
parent=
for c in $(git -C "$arigsela" rev-list --first-parent --reverse main -- base-apps appsets | tail -51); do
  tree=$(for p in base-apps appsets LICENSE; do git -C "$arigsela" ls-tree "$c" "$p"; done | git -C "$work/arigsela" mktree)
  msg=$(git -C "$arigsela" log -1 --format='%B' "$c")
  export GIT_AUTHOR_NAME=$(git -C "$arigsela" log -1 --format=%an "$c") GIT_AUTHOR_EMAIL=$(git -C "$arigsela" log -1 --format=%ae "$c")
  export GIT_AUTHOR_DATE=$(git -C "$arigsela" log -1 --format=%aI "$c") GIT_COMMITTER_DATE=$(git -C "$arigsela" log -1 --format=%cI "$c")
  export GIT_COMMITTER_NAME=$(git -C "$arigsela" log -1 --format=%cn "$c") GIT_COMMITTER_EMAIL=$(git -C "$arigsela" log -1 --format=%ce "$c")
  parent=$(printf '%s\n\narigsela-kubernetes-commit: %s\n' "$msg" "$c" | git -C "$work/arigsela" commit-tree "$tree" ${parent:+-p "$parent"})
done
git -C "$work/arigsela" for-each-ref --format='delete %(refname)' | git -C "$work/arigsela" update-ref --stdin
git -C "$work/arigsela" update-ref refs/heads/main "$parent"
git -C "$work/arigsela" symbolic-ref HEAD refs/heads/main
git -C "$work/arigsela" reflog expire --expire=now --all
git -C "$work/arigsela" gc -q --prune=now --aggressive
mkdir -p "$out/arigsela-kubernetes"
git -C "$work/arigsela" bundle create "$out/arigsela-kubernetes/repo.bundle" HEAD main
rm -rf "$work"
work=$(mktemp -d)
git clone -q --bare --no-local "$aia" "$work/aia"
parent=
for c in $(git -C "$aia" rev-list --first-parent --reverse main -- bootstrap clusters components | tail -51); do
  tree=$(for p in bootstrap clusters components LICENSE; do git -C "$aia" ls-tree "$c" "$p"; done | git -C "$work/aia" mktree)
  msg=$(git -C "$aia" log -1 --format='%B' "$c")
  export GIT_AUTHOR_NAME=$(git -C "$aia" log -1 --format=%an "$c") GIT_AUTHOR_EMAIL=$(git -C "$aia" log -1 --format=%ae "$c")
  export GIT_AUTHOR_DATE=$(git -C "$aia" log -1 --format=%aI "$c") GIT_COMMITTER_DATE=$(git -C "$aia" log -1 --format=%cI "$c")
  export GIT_COMMITTER_NAME=$(git -C "$aia" log -1 --format=%cn "$c") GIT_COMMITTER_EMAIL=$(git -C "$aia" log -1 --format=%ce "$c")
  parent=$(printf '%s\n\nai-accelerator-commit: %s\n' "$msg" "$c" | git -C "$work/aia" commit-tree "$tree" ${parent:+-p "$parent"})
done
git -C "$work/aia" for-each-ref --format='delete %(refname)' | git -C "$work/aia" update-ref --stdin
git -C "$work/aia" update-ref refs/heads/main "$parent"
git -C "$work/aia" symbolic-ref HEAD refs/heads/main
git -C "$work/aia" reflog expire --expire=now --all
git -C "$work/aia" gc -q --prune=now --aggressive
mkdir -p "$out/ai-accelerator"
git -C "$work/aia" bundle create "$out/ai-accelerator/repo.bundle" HEAD main
rm -rf "$work"
