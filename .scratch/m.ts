import {readFileSync} from 'node:fs'
import * as yaml from 'yaml'
const example = readFileSync('docs/examples/gitops/preview-applicationset.yaml', 'utf8')
const siblings = Array.from({length: 3}, (_, i) => `                - component: c${i}\n`).join('')
const matrix = example.replace('  generators:\n    - pullRequest:', `  generators:\n    - matrix:\n        generators:\n          - list:\n              elements:\n${siblings}          - pullRequest:`)
const d = yaml.parseDocument(matrix)
console.log(d.errors.length, JSON.stringify(d.toJS().spec.generators).slice(0, 400))
