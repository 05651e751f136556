// Generates a GitOps tree in seed 000's layout for bench/gitops-verify and bench/gitops-verify-scale: `count` values
// files over three environment overlays, four image.ref values each (one in fifty floating), every tenth also
// embedding a Job manifest with four containers in a `manifests: |-` block (≈ a tenth of all references).
// Returns the bytes written and the number of references.
import {mkdirSync, writeFileSync} from 'node:fs'
import path from 'node:path'

const hex = (i) => i.toString(16).padStart(8, '0').repeat(8)
const envs = ['local', 'staging', 'production']

function valuesFile(i) {
  const pinned = (name, n) => `ghcr.io/ameideio/${name}:${hex(n).slice(0, 7)}@sha256:${hex(n)}`
  const floating = i % 50 === 0 ? 'ghcr.io/ameideio/runner:dev' : pinned(`runner-${i}`, i + 3)
  let text = `# component ${i}\nimage:\n  ref: ${pinned(`app-${i}`, i)}\nreplicas: 2\nmigrations:\n  image:\n    ref: "${pinned(`migrations-${i}`, i + 1)}"\nsmoke:\n  image:\n    ref: ${floating}\n    # the runner image\nsidecar:\n  image:\n    ref: ${pinned(`sidecar-${i}`, i + 4)}\n`
  if (i % 10 === 0) {
    text += `manifests: |-\n  apiVersion: batch/v1\n  kind: Job\n  metadata:\n    name: smoke-${i}\n  spec:\n    template:\n      spec:\n        containers:\n${[0, 1, 2, 3].map((c) => `          - name: step-${c}\n            image: ${pinned(`job-${i}-${c}`, i + 2 + c)}\n            imagePullPolicy: IfNotPresent\n`).join('')}`
  }
  return text
}

export function generateGitopsTree(repo, count) {
  let bytes = 0
  for (let i = 0; i < count; i++) {
    const dir = path.join(repo, 'sources/values/env', envs[i % 3], 'apps', `group-${i % 50}`)
    mkdirSync(dir, {recursive: true})
    const text = valuesFile(i)
    bytes += text.length
    writeFileSync(path.join(dir, `component-${i}.yaml`), text)
  }
  const embedded = Math.ceil(count / 10) * 4
  return {bytes, refs: count * 4 + embedded, embedded}
}
