/**
 * Writes docs/gitops-fields.md from the pinned CRDs (src/gitops/fields/crds/) and the field table
 * (src/gitops/fields/): `npm run fields`. With --check, exits 1 when the file is not what it would write.
 */
import {readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {fieldsDoc, loadPinned} from '../src/gitops/fields-doc/doc.js'

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..')
const file = path.join(root, 'docs', 'gitops-fields.md')
const text = fieldsDoc(loadPinned(root))
if (process.argv.includes('--check')) {
  const now = readFileSync(file, 'utf8')
  if (now !== text) {
    console.error('docs/gitops-fields.md is not what `npm run fields` writes: run it.')
    process.exit(1)
  }
} else {
  writeFileSync(file, text)
  console.log(`wrote ${path.relative(root, file)}`)
}
