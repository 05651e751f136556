/**
 * The revision's CRDs (src/gitops/kubernetes/crd-scopes.ts): every YAML and JSON file of the revision is read for
 * them, wherever it sits; a file that names CustomResourceDefinition but that ameide's own limits kept unread (past
 * maxFileBytes, nested deeper than its YAML reader follows, an alias bomb) is said, never left out silently; a Helm
 * template or a text that is not YAML holds no CRD, and is not said.
 */
import {mkdir, writeFile} from 'node:fs/promises'
import path from 'node:path'
import * as yaml from 'yaml'
import {afterAll, describe, expect, it} from 'vitest'

import {revisionCrdsOf} from '../../../src/gitops/kubernetes/crd-scopes.js'
import {makeTempDir, runCleanups} from '../../support/tmp.js'

afterAll(runCleanups)

const crd = (kind: string) =>
  [
    'apiVersion: apiextensions.k8s.io/v1',
    'kind: CustomResourceDefinition',
    `metadata: {name: ${kind.toLowerCase()}s.example.com}`,
    'spec:',
    '  group: example.com',
    '  scope: Namespaced',
    `  names: {plural: ${kind.toLowerCase()}s, kind: ${kind}}`,
    '',
  ].join('\n')

async function tree(files: Record<string, string>): Promise<string> {
  const root = await makeTempDir('ameide-crd-scopes-')
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, file)), {recursive: true})
    await writeFile(path.join(root, file), text)
  }
  return root
}

describe('revisionCrdsOf', () => {
  it('reads every file, deployed or not; says a CRD file past the limits, not a template', async () => {
    let deep = '"x"'
    for (let i = 0; i < 3000; i++) deep = `{"n": ${deep}}`
    const files = {
      'deep/in/any/folder/gadget.yml': crd('Gadget'),
      'widget.json': JSON.stringify(yaml.parse(crd('Widget'))),
      'big/crds.yaml': `${crd('Big')}# ${'x'.repeat(40_000)}\n`,
      'nested/crds.yaml': `${crd('Nested')}---\n{"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "spec": ${deep}}\n`,
      'chart/templates/crd.yaml': `${crd('Templated').replace('scope: Namespaced', 'scope: {{ .Values.scope }}')}{{- if .Values.x }}\n`,
      'notes.yaml': 'a: [unclosed\n',
    }
    const root = await tree(files)
    const found = revisionCrdsOf(root, Object.keys(files), yaml, 30_000)
    expect(found.documents.map((d) => d.file)).toEqual(['deep/in/any/folder/gadget.yml', 'widget.json'])
    expect([...found.scopes.keys()]).toEqual(['example.com/Gadget', 'example.com/Widget'])
    expect(found.unread.map((u) => u.file)).toEqual(['big/crds.yaml', 'nested/crds.yaml'])
    expect(found.unread[0]!.reason).toMatch(/^it is larger than gitopsPolicy\.maxFileBytes \(\d+ > 30000 bytes\)$/)
    expect(found.unread[1]!.reason).toMatch(/nest deeper than 256 levels, more than ameide's YAML reader follows/)
  })
})
