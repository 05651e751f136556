set -e
EX=/work/wt/preview/docs/examples/gitops/preview-applicationset.yaml
run() { # $1 python replacement expr
  d=$(mktemp -d); mkdir -p $d/argocd; cd $d; git init -q; git remote add origin https://github.com/ameideio/ameide-gitops.git
  python3 -c "import sys;s=open('$EX').read();$1;open('argocd/previews.yaml','w').write(s)"
  NO_COLOR=1 node /work/wt/preview/bin/run.js gitops verify --root $d 2>&1 | grep -E "^\s+[0-9]+:" | grep -v hint || true
  cd /; rm -rf $d
}
run "s=s.replace('project: previews','project: default')"
run "s=s.replace('namespace: \"pr-{{ .number }}\"','namespace: \"pr-{{ .branch }}\"')"
run "s=s.replace('          labels:\n            - preview\n','')"
run "s=s.replace('goTemplateOptions: [\"missingkey=error\"]','goTemplateOptions: []')"
run "s=s.replace('- ServerSideApply=true','- CreateNamespace=true')"
run "s=s.replace('targetRevision: main','targetRevision: \"{{ .head_sha }}\"')"
run "s=s.replace('requeueAfterSeconds: 300','requeueAfterSeconds: 1800')"
run "pass"
