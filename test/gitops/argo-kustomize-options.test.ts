/**
 * An Argo CD kustomize source's options against Argo CD's own way of applying them (argoproj/argo-cd v3.5.1,
 * util/kustomize/kustomize.go Build): on a copy of the folder, `kustomize edit set image|replicas|namespace`,
 * `kustomize edit add label|annotation [--force]`, the patches appended to the kustomization, then `kustomize build`, all with the real kustomize 5.8.1 — and the objects `gitops diff` renders for
 * the same Application (its removal lists every object it deployed, whole). The field table (docs/gitops-fields.md)
 * names this test for each option it proves.
 */
import {execa} from 'execa'
import {mkdir, readFile, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {parseAllDocuments, parse, stringify} from 'yaml'

import {diffLast, history} from '../support/diff-repo.js'
import {makeTempDir, runCleanups} from '../support/tmp.js'
import {requireTool, toolEnv} from '../support/toolchain.js'

afterAll(runCleanups)

type Obj = {kind: string; metadata: {name: string; namespace?: string}} & Record<string, unknown>
type DiffResult = {
  summary: string
  deployables: Array<{
    application?: string
    objects: Array<{change: string; kind: string; namespace?: string; name: string; diff: string}>
  }>
  failures: unknown[]
}

let kustomize: string
let env: Record<string, string | undefined>
beforeAll(() => {
  kustomize = requireTool('kustomize')
  env = toolEnv()
})

const DEST = 'dest'
const folder: Record<string, string> = {
  'kustomization.yaml':
    'resources:\n  - deployment.yaml\n  - config.yaml\nlabels:\n  - pairs: {team: base}\ncommonAnnotations: {owner: base}\n',
  'deployment.yaml': [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata: {name: web}',
    'spec:',
    '  replicas: 1',
    '  selector: {matchLabels: {app: web}}',
    '  template:',
    '    metadata: {labels: {app: web}}',
    '    spec: {containers: [{name: web, image: "ghcr.io/acme/web:1.0.0"}]}',
    '',
  ].join('\n'),
  'config.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web-config}\ndata: {mode: plain}\n',
}

/**
 * Each case: an Application's `kustomize:` options. Not here: `components` — Argo CD adds them to the folder's own
 * kustomization (its labels, annotations and namespace reach the component's objects), the gate in a wrapper (they do
 * not): the table names it unsupported.
 */
const CASES: Record<string, Record<string, unknown>> = {
  namespace: {namespace: 'other'},
  'common-labels': {commonLabels: {tier: 'front', 'app.kubernetes.io/part-of': 'shop'}},
  'force-common-labels': {commonLabels: {team: 'shop'}, forceCommonLabels: true},
  'common-annotations': {commonAnnotations: {note: 'a b', owner: 'x'}, forceCommonAnnotations: true},
  replicas: {replicas: [{name: 'web', count: 3}]},
  patches: {
    patches: [
      {target: {kind: 'ConfigMap', name: 'web-config'}, patch: '- op: replace\n  path: /data/mode\n  value: patched\n'},
      {patch: 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {minReadySeconds: 5}\n'},
    ],
  },
  images: {images: ['ghcr.io/acme/web=ghcr.io/acme/other:2.0.0']},
}

const application = (name: string, options: Record<string, unknown>) =>
  stringify({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {name, namespace: 'argocd'},
    spec: {
      project: 'default',
      destination: {server: 'https://kubernetes.default.svc', namespace: DEST},
      source: {repoURL: 'https://github.com/example/fleet.git', path: `apps/${name}`, kustomize: options},
    },
  })

/** What Argo CD's repo-server does with the options (kustomize.go Build), run with the real kustomize. */
async function argoBuild(options: Record<string, unknown>): Promise<Obj[]> {
  const root = await makeTempDir('ameide-argo-kustomize-')
  const dir = path.join(root, 'apps', 'case')
  await mkdir(dir, {recursive: true})
  for (const [f, text] of Object.entries(folder)) await writeFile(path.join(dir, f), text)
  const edit = (...args: string[]) => execa(kustomize, ['edit', ...args], {cwd: dir})
  const o = options as Record<string, never>
  if (o.images) await edit('set', 'image', ...(o.images as string[]))
  if (o.replicas)
    await edit(
      'set',
      'replicas',
      ...(o.replicas as Array<{name: string; count: number}>).map((r) => `${r.name}=${r.count}`),
    )
  const pairs = (m: Record<string, string>) => Object.entries(m).map(([k, v]) => `${k}:${v}`)
  if (o.commonLabels) await edit('add', 'label', ...(o.forceCommonLabels ? ['--force'] : []), ...pairs(o.commonLabels))
  if (o.commonAnnotations)
    await edit('add', 'annotation', ...(o.forceCommonAnnotations ? ['--force'] : []), ...pairs(o.commonAnnotations))
  if (o.namespace) await edit('set', 'namespace', '--', o.namespace)
  if (o.patches) {
    const file = path.join(dir, 'kustomization.yaml')
    const k = parse(await readFile(file, 'utf8')) as Record<string, unknown>
    k.patches = [...((k.patches as unknown[]) ?? []), ...(o.patches as unknown[])]
    await writeFile(file, stringify(k))
  }
  const {stdout} = await execa(kustomize, ['build', dir])
  return parseAllDocuments(stdout).map((d) => d.toJS() as Obj)
}

/** An object as compared: its namespace as Argo CD applies it (the destination's when it names none). */
const normal = (o: Obj, namespace: string | undefined) => {
  const {namespace: _, ...metadata} = o.metadata
  return {key: `${o.kind} ${namespace ?? ''}/${o.metadata.name}`, object: {...o, metadata}}
}

describe("Argo CD kustomize options: gitops diff's objects against kustomize edit + build as the repo-server runs them", () => {
  it('namespace, commonLabels, commonAnnotations (forced or not), replicas, patches and images render as Argo CD renders them', async () => {
    const files: Record<string, string> = {}
    for (const [name, options] of Object.entries(CASES)) {
      for (const [f, text] of Object.entries(folder)) files[`apps/${name}/${f}`] = text
      files[`argocd/${name}.yaml`] = application(name, options)
    }
    const removed = Object.fromEntries(Object.keys(CASES).map((n) => [`argocd/${n}.yaml`, null]))
    const repo = await history(files, removed)
    const {result} = await diffLast<DiffResult>(repo, env, ['--no-cache'])
    expect(result.failures).toEqual([])
    const results: Record<string, [unknown, unknown]> = {}
    for (const [name, options] of Object.entries(CASES)) {
      const objects = result.deployables
        .filter((d) => d.application === name)
        .flatMap((d) => d.objects)
        .map((o) => {
          expect(o.change).toBe('removed')
          const yaml = o.diff
            .split('\n')
            .filter((l) => l.startsWith('-') && !l.startsWith('---'))
            .map((l) => l.slice(1))
            .join('\n')
          return normal(parse(yaml) as Obj, o.namespace)
        })
      const argo = (await argoBuild(options)).map((o) =>
        normal(o, o.kind === 'Namespace' ? undefined : (o.metadata.namespace ?? DEST)),
      )
      const byKey = (xs: Array<{key: string; object: unknown}>) =>
        Object.fromEntries(xs.map((x) => [x.key, x.object]).sort(([a], [b]) => String(a).localeCompare(String(b))))
      results[name] = [byKey(objects), byKey(argo)]
    }
    for (const [name, [ours, argos]] of Object.entries(results)) {
      expect(Object.keys(ours as object).length, name).toBe(2)
      expect(ours, name).toEqual(argos)
    }
    // Not vacuous: each case changed what the folder alone renders.
    const plain = JSON.stringify(results.images![1])
    for (const [name, [, argos]] of Object.entries(results))
      if (name !== 'images') expect(JSON.stringify(argos), name).not.toBe(plain)
  })
})
