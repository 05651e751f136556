// The preview rules' own cost: the example preview ApplicationSet (docs/examples/gitops/), and a 200-generator
// matrix variant of it, parsed and checked by `previewFindings` (what `gitops verify` runs per file naming an
// ApplicationSet), against parsing alone with the same YAML module. Medians of interleaved runs, per file.
// Usage: npx tsx bench/gitops-preview.ts [runs]
import {readFileSync} from 'node:fs'
import {performance} from 'node:perf_hooks'
import * as yaml from 'yaml'

import {DEFAULT_GITOPS_POLICY} from '../src/core/config.js'
import {previewFindings} from '../src/gitops/rules/preview-checks/file.js'

const runs = Number(process.argv[2] ?? 9)
const example = readFileSync(new URL('../docs/examples/gitops/preview-applicationset.yaml', import.meta.url), 'utf8')
const policy = {...DEFAULT_GITOPS_POLICY.preview, repositories: ['https://github.com/ameideio/ameide-gitops']}
const siblings = Array.from({length: 200}, (_, i) => `                - component: c${i}\n`).join('')
/** The same ApplicationSet with its pull-request generator inside a matrix next to a list of 200 components. */
function matrixOf(text: string): string {
  const start = text.indexOf('    - pullRequest:\n')
  const end = text.indexOf('  template:\n')
  const block = text.slice(start, end).replace(/^(?=.)/gm, '      ')
  const head = '    - matrix:\n        generators:\n          - list:\n              elements:\n'
  return text.slice(0, start) + head + siblings + block + text.slice(end)
}
const matrix = matrixOf(example)
// Not blind: without an allowed repository each variant has exactly one finding, so the generator was found.
for (const text of [example, matrix]) {
  if (previewFindings(yaml, text, {...policy, repositories: []}).length !== 1) throw new Error('not a preview')
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

for (const [name, text] of [
  ['example', example],
  ['matrix of 200', matrix],
] as const) {
  const reps = 200
  const check: number[] = []
  const parse: number[] = []
  for (let r = 0; r < runs; r++) {
    let t = performance.now()
    for (let i = 0; i < reps; i++) previewFindings(yaml, text, policy)
    check.push((performance.now() - t) / reps)
    t = performance.now()
    for (let i = 0; i < reps; i++) yaml.parseAllDocuments(text, {lineCounter: new yaml.LineCounter()})
    parse.push((performance.now() - t) / reps)
  }
  const findings = previewFindings(yaml, text, policy).length
  console.log(
    `${name.padEnd(14)} ${text.length} B, ${findings} findings: parse+check ${median(check).toFixed(3)} ms, parse alone ${median(parse).toFixed(3)} ms`,
  )
}
