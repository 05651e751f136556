#!/usr/bin/env node
// Step outputs (name=value lines, or name<<EOF blocks) from an ameide --json result: report, exit-code, summary,
// sarif (the verifies with --sarif), markdown (gitops diff --markdown FILE), and for publish images / failed / one
// ref-<component> per image.
import {randomUUID} from 'node:crypto'
import {readFileSync} from 'node:fs'

const [file, exitCode] = process.argv.slice(2)
let doc = {}
try {
  doc = JSON.parse(readFileSync(file, 'utf8'))
} catch {
  doc = {}
}
const out = {report: file, 'exit-code': exitCode}
if (typeof doc.summary === 'string') out.summary = doc.summary
else if (typeof doc.status === 'string') out.summary = doc.status
else if (doc.error) out.summary = 'error'
if (typeof doc.sarif === 'string') out.sarif = doc.sarif
if (typeof doc.markdown?.file === 'string') out.markdown = doc.markdown.file
// gitops diff's images are moves, not published refs.
if (Array.isArray(doc.images) && !Array.isArray(doc.deployables)) {
  out.images = JSON.stringify(doc.images.filter((i) => i.ref).map((i) => ({component: i.component, ref: i.ref})))
  out.failed = String(Array.isArray(doc.failures) && doc.failures.length > 0)
  for (const image of doc.images) if (image.ref) out[`ref-${image.component}`] = image.ref
}
// The runner reads $GITHUB_OUTPUT line by line: a value holding a line break (LF or CR) goes in a heredoc whose random
// delimiter it cannot contain, so no value can add a line, and with it an output, of its own.
for (const [name, value] of Object.entries(out)) {
  if (!/[\r\n]/.test(String(value))) {
    console.log(`${name}=${value}`)
  } else {
    const delimiter = `ameide-${randomUUID()}`
    console.log(`${name}<<${delimiter}\n${value}\n${delimiter}`)
  }
}
