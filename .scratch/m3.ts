import * as yaml from 'yaml'
import {readFileSync} from 'node:fs'
import {previewFindings} from '../src/gitops/verify/preview/file.js'
const example = readFileSync('docs/examples/gitops/preview-applicationset.yaml', 'utf8')
const siblings = Array.from({length: 2}, (_, i) => `                - component: c${i}\n`).join('')
function matrixOf(text: string): string {
  const start = text.indexOf('    - pullRequest:\n')
  const end = text.indexOf('  template:\n')
  const block = text.slice(start, end).replace('    - pullRequest:', '          - pullRequest:').replace(/^(?=\s{8}\S|\s{8}#)/gm, '      ')
  const head = '    - matrix:\n        generators:\n          - list:\n              elements:\n'
  return text.slice(0, start) + head + siblings + block + text.slice(end)
}
const m = matrixOf(example)
console.log(m.split('\n').slice(16, 40).join('\n'))
for (const t of [example, m]) console.log(previewFindings(yaml, t, {projects: [], repositories: [], webhook: false}))
