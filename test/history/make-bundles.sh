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
# vehagn-homelab's from its last 51 first-parent commits of `main` that touch k8s/ (what its ApplicationSets, AppProjects
# and kustomizations read), each holding k8s/ and LICENSE.
# npawelek-home-ops's from its last 51 first-parent commits of `main` that touch kubernetes/ (the flux-system
# Kustomization's kubernetes/flux/cluster, the apps, components and ks.yaml Kustomizations it prints) or ansible/ (a
# configMapGenerator of kubernetes/apps/automation reads files there), each holding kubernetes/ (less the pictures of
# kubernetes/apps/home-automation/esphome/docs, which no build reads: 1.3 MB of the 1.75), ansible/ and LICENSE.
set -euo pipefail
out=$(cd "$(dirname "$0")" && pwd)/repos
bridge=$1 flux=$2 podinfo=$3 arigsela=$4 aia=$5 homelab=$6 npawelek=$7
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
# remade MIRROR NAME PATH...: the last 51 first-parent commits of MIRROR's `main` that touch the paths, each one commit
# holding those paths and LICENSE, author, committer, dates and message kept, the original named in a NAME-commit trailer;
# EXCLUDE, when set, a pathspec left out of each tree (pictures no build reads).
remade() {
  local mirror=$1 name=$2 work parent= c tree msg
  shift 2
  work=$(mktemp -d)
  git clone -q --bare --no-local "$mirror" "$work/r"
  for c in $(git -C "$mirror" rev-list --first-parent --reverse main -- "$@" | tail -51); do
    tree=$(for p in "$@" LICENSE; do git -C "$mirror" ls-tree "$c" "$p"; done | git -C "$work/r" mktree)
    if [ -n "${EXCLUDE:-}" ]; then
      export GIT_INDEX_FILE=$work/index
      git -C "$work/r" read-tree "$tree"
      git -C "$work/r" ls-tree -r -z --name-only "$tree" -- "$EXCLUDE" | xargs -0r git -C "$work/r" --work-tree="$work/r" update-index --force-remove --
      tree=$(git -C "$work/r" write-tree)
      unset GIT_INDEX_FILE
    fi
    msg=$(git -C "$mirror" log -1 --format='%B' "$c")
    export GIT_AUTHOR_NAME=$(git -C "$mirror" log -1 --format=%an "$c") GIT_AUTHOR_EMAIL=$(git -C "$mirror" log -1 --format=%ae "$c")
    export GIT_AUTHOR_DATE=$(git -C "$mirror" log -1 --format=%aI "$c") GIT_COMMITTER_DATE=$(git -C "$mirror" log -1 --format=%cI "$c")
    export GIT_COMMITTER_NAME=$(git -C "$mirror" log -1 --format=%cn "$c") GIT_COMMITTER_EMAIL=$(git -C "$mirror" log -1 --format=%ce "$c")
    parent=$(printf '%s\n\n%s-commit: %s\n' "$msg" "$name" "$c" | git -C "$work/r" commit-tree "$tree" ${parent:+-p "$parent"})
  done
  git -C "$work/r" for-each-ref --format='delete %(refname)' | git -C "$work/r" update-ref --stdin
  git -C "$work/r" update-ref refs/heads/main "$parent"
  git -C "$work/r" symbolic-ref HEAD refs/heads/main
  git -C "$work/r" reflog expire --expire=now --all
  git -C "$work/r" gc -q --prune=now --aggressive
  mkdir -p "$out/$name"
  git -C "$work/r" bundle create "$out/$name/repo.bundle" HEAD main
  rm -rf "$work"
}
remade "$arigsela" arigsela-kubernetes base-apps appsets
remade "$aia" ai-accelerator bootstrap clusters components
remade "$homelab" vehagn-homelab k8s
EXCLUDE=kubernetes/apps/home-automation/esphome/docs remade "$npawelek" npawelek-home-ops kubernetes ansible
