/**
 * A render's documents cross once (src/effects/render-module/go/documents.go): the render module reads its own output
 * with go-yaml v2 — the parser of sigs.k8s.io/yaml, which Argo CD's kube.SplitYAML and the API server use — and the
 * host takes that reading instead of parsing the YAML again. What the host makes of it must be what it makes of the
 * text, to the key order: every chart of the render corpora and a kustomize build, in both engines, and outputs
 * shaped to reach each case the module leaves to the host.
 */
import {mkdir, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import * as yaml from 'yaml'

import type {ModuleCommand} from '../../../src/effects/render-module/commands.js'
import {openRenderModule, renderModuleBuild, type RenderModule} from '../../../src/effects/render-module/host.js'
import {
  outputDocuments,
  parseRendered,
  renderedChunks,
  type RenderedText,
} from '../../../src/gitops/kubernetes/objects.js'
import {makeTempDir, runCleanups} from '../../support/tmp.js'
import {foldersHolding, unpackRenderCorpus} from '../../support/render-corpus.js'

const linuxX64 = process.platform === 'linux' && process.arch === 'x64'

let work: string
const engines: Record<string, RenderModule> = {}

beforeAll(async () => {
  const build = renderModuleBuild()
  if (!build) throw new Error('the render module is not built: npm run build')
  engines.wasm = openRenderModule(build, 'wasm')
  if (linuxX64) engines.native = openRenderModule(build, 'native')
  work = await makeTempDir('ameide-rendered-documents-')
  unpackRenderCorpus(work)
}, 120_000)

afterAll(runCleanups)

/** The objects the host reads, each chunk from the module's documents where it has them, else from the text. */
const fromDocuments = (output: RenderedText) =>
  renderedChunks(output).flatMap((c) => parseRendered(yaml, c.text, undefined, c.documents))
const fromText = (text: string) => text.split(/^---[ \t]*$/m).flatMap((chunk) => parseRendered(yaml, chunk))
/** Key order counts: JSON text, not deep equality. */
const json = (objects: unknown) => JSON.stringify(objects)

/** The command's output; undefined where it failed (the chart's own error: no output to read). */
async function rendered(engine: RenderModule, dir: string, command: ModuleCommand): Promise<RenderedText | undefined> {
  const run = await engine.run({roots: [dir], files: {}, cwd: dir, commands: [command]})
  if (!run.ok) throw new Error(run.message)
  const result = run.results[0]!
  if (result.exit !== 0) return undefined
  return {yaml: result.stdout, ...(result.documents ? {documents: result.documents} : {})}
}

async function mustRender(engine: RenderModule, dir: string, command: ModuleCommand): Promise<RenderedText> {
  const output = await rendered(engine, dir, command)
  if (!output) throw new Error(`${dir} did not render`)
  return output
}

describe('the module reads its output once, as the host would', () => {
  it('every chart of the corpora, in each engine: the same objects, keys in the same order; most chunks read by the module', async () => {
    const charts = [
      ...(await foldersHolding(path.join(work, 'charts'), 'Chart.yaml')),
      ...(await foldersHolding(path.join(work, 'corpus'), 'Chart.yaml')),
    ]
    expect(charts.length).toBeGreaterThanOrEqual(4)
    for (const [name, engine] of Object.entries(engines)) {
      let [chunks, claimed, charted] = [0, 0, 0]
      for (const dir of charts) {
        const command: ModuleCommand = {
          helmTemplate: {release: 'rel', chart: '.', namespace: 'prod', includeCrds: true},
          documents: true,
        }
        const output = await rendered(engine, dir, command)
        if (!output) continue
        charted++
        expect(output.documents, `${name} ${dir}`).toBeDefined()
        expect(json(fromDocuments(output)), `${name} ${dir}`).toBe(json(fromText(output.yaml)))
        const all = renderedChunks(output)
        chunks += all.length
        claimed += all.filter((c) => c.documents).length
      }
      expect(charted, name).toBeGreaterThanOrEqual(3)
      expect(claimed / chunks, name).toBeGreaterThan(0.8)
    }
  }, 600_000)

  it('a kustomize build: every document read by the module, the same objects as from the text', async () => {
    const dir = path.join(work, 'kustomize')
    await mkdir(dir, {recursive: true})
    await writeFile(
      path.join(dir, 'kustomization.yaml'),
      'resources: [cm.yaml, deploy.yaml]\nnamePrefix: p-\ncommonLabels: {app: x}\n',
    )
    await writeFile(
      path.join(dir, 'cm.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {z: "1", a: "0444", on: "yes"}\n',
    )
    await writeFile(
      path.join(dir, 'deploy.yaml'),
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  replicas: 2\n  template: {spec: {containers: [{name: c, image: "x:1"}]}}\n',
    )
    for (const [name, engine] of Object.entries(engines)) {
      if (name === 'native') continue // the helper runs helm template only: kustomize builds in WebAssembly
      const output = await mustRender(engine, dir, {kustomizeBuild: {dir}, documents: true})
      const documents = outputDocuments(output)
      expect(documents, name).toHaveLength(2)
      expect(json(parseRendered(yaml, output.yaml, undefined, documents))).toBe(json(parseRendered(yaml, output.yaml)))
    }
  }, 120_000)

  it('what could read otherwise is left to the host, and the host reads it as before', async () => {
    const dir = path.join(work, 'shapes')
    await mkdir(path.join(dir, 'templates'), {recursive: true})
    await writeFile(path.join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: shapes\nversion: 0.1.0\n')
    const templates: Record<string, string> = {
      // claimed: plain objects, YAML 1.1 scalars, block scalars, an empty document, a comment-only chunk
      'a.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n  mode: "x"\n  num: 0444\n  b: yes\n  f: 1_000.5\n  t: 2001-12-14\n  s: |\n    text\n',
      'b.yaml':
        '# only a comment\n---\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: b}\nstringData: {k: "<&>"}\n',
      // left: an alias, a tag, a merge key, a boolean key, a repeated key (h.yaml: two documents, which helm splits)
      'c.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, labels: &l {x: "1"}, annotations: *l}\n',
      'd.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: d}\ndata: {n: !!str 10}\n',
      'e.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  <<: {name: e}\n',
      'f.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: f}\ndata:\n  yes: "1"\n  "true": "2"\n',
      'g.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: g}\ndata: {a: "1", a: "2"}\n',
      'h.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: h}\n--- # two\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: h2}\n',
    }
    for (const [file, text] of Object.entries(templates)) await writeFile(path.join(dir, 'templates', file), text)
    for (const [name, engine] of Object.entries(engines)) {
      const output = await mustRender(engine, dir, {helmTemplate: {release: 'rel', chart: '.'}, documents: true})
      const chunks = renderedChunks(output)
      const by = (needle: string) => chunks.filter((c) => c.text.includes(needle))
      for (const t of ['a.yaml', 'b.yaml'])
        expect(
          by(`templates/${t}`).every((c) => c.documents),
          `${name} ${t}`,
        ).toBe(true)
      for (const t of ['c.yaml', 'd.yaml', 'e.yaml', 'f.yaml', 'g.yaml'])
        expect(
          by(`templates/${t}`).some((c) => c.documents),
          `${name} ${t}`,
        ).toBe(false)
      expect(json(fromDocuments(output)), name).toBe(json(fromText(output.yaml)))
      expect(
        fromDocuments(output)
          .map((o) => o.name)
          .sort(),
      ).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'h2'])
    }
  }, 120_000)

  it('an answer that does not match the split (another line ending) is read from the text', () => {
    const output = {
      yaml: 'apiVersion: v1\r\nkind: ConfigMap\r\nmetadata: {name: a}\r\n',
      documents: '[{"kind":"Other"},null]',
    }
    expect(renderedChunks(output)).toEqual([{text: output.yaml}])
    expect(fromDocuments(output).map((o) => o.kind)).toEqual(['ConfigMap'])
  })
})
