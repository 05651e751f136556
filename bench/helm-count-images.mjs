#!/usr/bin/env node
// An independent count for `gitops verify --render` over Helm charts (docs/commands/gitops-verify.md, "On real
// charts"): reads `helm template` output on stdin and prints one line per container of every pod-bearing object,
// `<Kind> <name> <container> <image>`, sorted. Shares no code with ameide.
//   helm template REL CHART --values V | node bench/helm-count-images.mjs
import {parseAllDocuments} from 'yaml'

const SPEC_AT = {
  Pod: ['spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
}

let text = ''
for await (const chunk of process.stdin) text += chunk
const lines = []
for (const doc of parseAllDocuments(text)) {
  const obj = doc.toJS()
  const path = obj && SPEC_AT[obj.kind]
  if (!path) continue
  let spec = obj
  for (const k of path) spec = spec?.[k]
  for (const list of ['initContainers', 'containers', 'ephemeralContainers']) {
    for (const c of spec?.[list] ?? []) lines.push(`${obj.kind} ${obj.metadata?.name} ${c.name} ${c.image}`)
  }
}
lines.sort()
console.log(lines.join('\n'))
console.error(`${lines.length} container(s)`)
