import {readFileSync} from 'node:fs'
import * as yaml from 'yaml'
import {checkPreviewApplicationSet} from '/work/wt/preview/src/gitops/verify/preview/applicationset.js'
for (const f of process.argv.slice(2)) {
  const text = readFileSync(f, 'utf8')
  const lc = new yaml.LineCounter()
  const docs = yaml.parseAllDocuments(text, {lineCounter: lc})
  for (const d of docs as any[]) {
    const fs = checkPreviewApplicationSet({yaml, root: d.contents, text, position: (o) => { const p = lc.linePos(o); return {line: p.line, column: p.col} }, policy: {projects: [], repositories: ['https://github.com/ameideio/ameide-gitops'], webhook: false}})
    console.log('==', f)
    for (const x of fs) console.log(`${x.line}:${x.column} ${x.rule} ${x.severity} ${x.message}`)
  }
}
