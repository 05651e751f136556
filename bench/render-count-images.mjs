#!/usr/bin/env node
// An independent count for `gitops verify --render` (docs/commands/gitops-verify.md, "On real repositories"): reads
// `kustomize build` output on stdin and prints one line per container of every pod-bearing object:
// `<Kind> <namespace>/<name> <container> <image>`. Shares no code with ameide.
//   kustomize build ROOT | node bench/render-count-images.mjs
import {parseAllDocuments} from 'yaml'

const PODSPEC = {
  Pod: ['spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
}
const TEMPLATED = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job', 'Rollout']

let input = ''
for await (const chunk of process.stdin) input += chunk
for (const doc of parseAllDocuments(input)) {
  const o = doc.toJS()
  if (!o || typeof o !== 'object') continue
  const where = PODSPEC[o.kind] ?? (TEMPLATED.includes(o.kind) ? ['spec', 'template', 'spec'] : null)
  if (!where) continue
  const spec = where.reduce((v, k) => v?.[k], o) ?? {}
  for (const list of ['initContainers', 'containers', 'ephemeralContainers']) {
    for (const c of spec[list] ?? []) {
      console.log(`${o.kind} ${o.metadata?.namespace ?? ''}/${o.metadata?.name} ${c.name} ${c.image}`)
    }
  }
}
