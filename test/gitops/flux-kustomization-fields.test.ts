/**
 * A Flux Kustomization's fields against kustomize-controller's own code, natively: testdata/flux-postbuild with
 * FLUX_GENERATE=1 runs the controller's generate step (fluxcd/pkg kustomize Generator.WriteFile: targetNamespace,
 * images, patches written into the folder's kustomization) then its build (SecureBuild) — and the objects
 * `gitops diff` renders for the same Kustomization (its removal lists every object it deployed, whole). The field
 * table (docs/gitops-fields.md) names this test for each field it proves.
 */
import {execFile, execFileSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {mkdir, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {promisify} from 'node:util'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {parse, parseAllDocuments, stringify} from 'yaml'

import {diffLast, history} from '../support/diff-repo.js'
import {makeTempDir, runCleanups} from '../support/tmp.js'
import {toolEnv} from '../support/toolchain.js'

afterAll(runCleanups)

const run = promisify(execFile)
const repoRoot = path.resolve(import.meta.dirname, '../..')
const reference = path.join(import.meta.dirname, 'testdata/flux-postbuild')

type Obj = {kind: string; metadata: {name: string; namespace?: string}} & Record<string, unknown>
type DiffResult = {
  deployables: Array<{
    source: string
    objects: Array<{change: string; kind: string; namespace?: string; name: string; diff: string}>
  }>
  failures: unknown[]
}

let native: string
let env: Record<string, string | undefined>
beforeAll(async () => {
  env = toolEnv()
  // As test/gitops/render-flux-post-build.test.ts builds it (Go 1.27 through GOTOOLCHAIN).
  const go = [process.env.AMEIDE_GO, path.join(repoRoot, '.tools/bin/go')].find((g) => g && existsSync(g)) ?? 'go'
  native = path.join(await makeTempDir('ameide-flux-native-'), 'flux-postbuild')
  execFileSync(go, ['build', '-trimpath', '-o', native, '.'], {
    cwd: reference,
    stdio: 'inherit',
    env: {...process.env, GOTOOLCHAIN: 'go1.27.3', GOFLAGS: '-mod=readonly', CGO_ENABLED: '0'},
  })
}, 1_200_000)

const folder: Record<string, string> = {
  'kustomization.yaml': 'resources:\n  - deployment.yaml\n  - config.yaml\n',
  'deployment.yaml': [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata: {name: web, namespace: app}',
    'spec:',
    '  selector: {matchLabels: {app: web}}',
    '  template:',
    '    metadata: {labels: {app: web}}',
    '    spec:',
    '      containers:',
    '        - {name: web, image: "ghcr.io/acme/web:1.0.0"}',
    '        - {name: side, image: "ghcr.io/acme/side:1.0.0"}',
    '',
  ].join('\n'),
  'config.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web-config, namespace: app}\ndata: {mode: plain}\n',
}

/** Each case: the Kustomization's spec fields besides path and sourceRef. */
const CASES: Record<string, Record<string, unknown>> = {
  'target-namespace': {targetNamespace: 'shop'},
  images: {
    images: [
      {name: 'ghcr.io/acme/web', newTag: '2.0.0'},
      {name: 'ghcr.io/acme/side', newName: 'ghcr.io/acme/other', digest: `sha256:${'a'.repeat(64)}`},
    ],
  },
  patches: {
    patches: [
      {
        target: {kind: 'ConfigMap', name: 'web-config'},
        patch: '- op: replace\n  path: /data/mode\n  value: patched\n',
      },
      {
        patch:
          'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: app}\nspec: {minReadySeconds: 5}\n',
      },
      {target: {labelSelector: 'none=here'}, patch: '- op: add\n  path: /metadata/labels\n  value: {x: y}\n'},
    ],
  },
  together: {targetNamespace: 'shop', images: [{name: 'ghcr.io/acme/web', newTag: '3.0.0'}]},
}

const kustomization = (name: string, spec: Record<string, unknown>) =>
  stringify({
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: {name, namespace: 'flux-system'},
    spec: {
      interval: '10m',
      path: `./apps/${name}`,
      prune: true,
      sourceRef: {kind: 'GitRepository', name: 'flux-system'},
      ...spec,
    },
  })

/** kustomize-controller's generate and build of the folder, natively. */
async function flux(name: string, spec: Record<string, unknown>): Promise<Obj[]> {
  const dir = await makeTempDir('ameide-flux-fields-')
  for (const [f, text] of Object.entries(folder)) await writeFile(path.join(dir, f), text)
  await mkdir(path.join(dir, '.flux'))
  await writeFile(path.join(dir, '.flux/ks.yaml'), kustomization(name, spec))
  await writeFile(path.join(dir, '.flux/holders.yaml'), 'kind: None\n')
  const {stdout} = await run(native, [dir, path.join(dir, '.flux/ks.yaml'), path.join(dir, '.flux/holders.yaml')], {
    env: {...process.env, FLUX_GENERATE: '1'},
  })
  return parseAllDocuments(stdout).map((d) => d.toJS() as Obj)
}

const keyed = (xs: ReadonlyArray<{o: Obj; namespace?: string}>) =>
  Object.fromEntries(
    xs
      .map(({o, namespace}) => {
        const {namespace: _, ...metadata} = o.metadata
        return [`${o.kind} ${namespace ?? ''}/${o.metadata.name}`, {...o, metadata}] as const
      })
      .sort(([a], [b]) => a.localeCompare(b)),
  )

describe("Flux Kustomization fields: gitops diff's objects against kustomize-controller's generate and build", () => {
  it('targetNamespace, images and patches render as kustomize-controller renders them', async () => {
    const files: Record<string, string> = {}
    for (const [name, spec] of Object.entries(CASES)) {
      for (const [f, text] of Object.entries(folder)) files[`apps/${name}/${f}`] = text
      files[`clusters/prod/${name}.yaml`] = kustomization(name, spec)
    }
    const removed = Object.fromEntries(Object.keys(CASES).map((n) => [`clusters/prod/${n}.yaml`, null]))
    const {result} = await diffLast<DiffResult>(await history(files, removed), env, ['--no-cache'])
    expect(result.failures).toEqual([])
    const results: Record<string, [unknown, unknown]> = {}
    for (const [name, spec] of Object.entries(CASES)) {
      const ours = result.deployables
        .filter((d) => d.source === `apps/${name}`)
        .flatMap((d) => d.objects)
        .map((o) => {
          expect(o.change).toBe('removed')
          const yaml = o.diff
            .split('\n')
            .filter((l) => l.startsWith('-') && !l.startsWith('---'))
            .map((l) => l.slice(1))
            .join('\n')
          return {o: parse(yaml) as Obj, namespace: o.namespace}
        })
      const theirs = (await flux(name, spec)).map((o) => ({o, namespace: o.metadata.namespace}))
      results[name] = [keyed(ours), keyed(theirs)]
    }
    for (const [name, [ours, theirs]] of Object.entries(results)) {
      expect(Object.keys(ours as object).length, name).toBe(2)
      expect(ours, name).toEqual(theirs)
    }
    // Not vacuous: each case changed what the folder alone builds.
    const keys = Object.values(results).map(([, theirs]) => JSON.stringify(theirs))
    expect(new Set(keys).size).toBe(keys.length)
  })
})
