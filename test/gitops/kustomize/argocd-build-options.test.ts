/**
 * Argo CD's `kustomize.buildOptions` (argocd-cm, else the base's policy) beyond `--enable-helm`
 * (./helm-charts-render.test.ts). `--load-restrictor LoadRestrictionsNone`:
 * Argo CD passes it to every `kustomize build`, which then reads files outside a kustomization's folder (a patch or
 * a resource file of a sibling folder) that it refuses by default. The oracle is kustomize itself, built natively from
 * the render module's go.sum, on the same files: with the flag, the gate's objects are its objects; without it (no
 * argocd-cm, or the last `--load-restrictor` given another value) the root fails as kustomize's build fails.
 * `--enable-alpha-plugins`: Argo CD runs a kustomization's plugins (a transformer of a kind kustomize does not hold),
 * the gate never runs one — render-unavailable, the plugin named; without it, kustomize refuses the plugin and the root
 * fails in its words.
 */
import path from 'node:path'
import * as YAML from 'yaml'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {addedObjects, buildGo, byName, type Obj} from '../../support/argo-render.js'
import {diffLast, history} from '../../support/diff-repo.js'
import {ORIGIN, originApplication} from '../../support/helm-repo.js'
import {runNative} from '../../support/native-render.js'
import {git, runCleanups} from '../../support/tmp.js'
import {toolEnv} from '../../support/toolchain.js'

afterAll(runCleanups)

interface Result {
  deployables: Array<{application?: string; source: string; objects: Array<{name: string; diff: string}>}>
  summary: string
  verdict: {introduced: Array<{rule: string; file: string; message: string}>}
}

let kustomize: string
const env = toolEnv()

beforeAll(async () => {
  kustomize = await buildGo('src/effects/render-module/go', 'kustomize', 'sigs.k8s.io/kustomize/kustomize/v5')
}, 600_000)

const ARGOCD_CM = (options: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: argocd-cm, namespace: argocd}\ndata:\n  kustomize.buildOptions: ${JSON.stringify(options)}\n`

/** An Application over apps/web, whose kustomization reads a resource and a patch of the sibling folder common/. */
const APP = {
  'argocd/web.yaml': originApplication('web', 'path: apps/web'),
  'apps/web/kustomization.yaml':
    'resources:\n- deployment.yaml\n- ../common/settings.yaml\npatches:\n- path: ../common/replicas.yaml\n',
  'apps/web/deployment.yaml':
    'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 1\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n      - {name: web, image: "nginx@sha256:0000000000000000000000000000000000000000000000000000000000000000"}\n',
  'apps/common/settings.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {colour: blue}\n',
  'apps/common/replicas.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 3}\n',
}

async function repo(base: Record<string, string>): Promise<string> {
  const dir = await history({'argocd/.keep': '', ...base}, APP)
  await git(dir, ['remote', 'set-url', 'origin', ORIGIN])
  return dir
}

/** kustomize's own build of apps/web with `flags`: its objects, or its failure. */
async function oracle(dir: string, flags: string[]): Promise<{objects: Obj[]} | {stderr: string}> {
  const run = await runNative(kustomize, ['build', path.join(dir, 'apps/web'), ...flags], dir, {})
  if (run.exit !== 0) return {stderr: run.stderr}
  const objects = YAML.parseAllDocuments(run.stdout).map((d) => d.toJS() as Obj)
  for (const o of objects) o.metadata.namespace ??= 'dev' // Argo CD's destination namespace
  return {objects}
}

const renderFindings = (r: Result) => r.verdict.introduced.filter((f) => f.rule.startsWith('render-'))

describe("kustomize's load restrictor as Argo CD's build options set it", () => {
  it("argocd-cm's --load-restrictor LoadRestrictionsNone: the files of a sibling folder read, as kustomize reads them", async () => {
    const dir = await repo({'argocd/argocd-cm.yaml': ARGOCD_CM('--load-restrictor LoadRestrictionsNone')})
    const {result} = await diffLast<Result>(dir, env)
    expect(renderFindings(result)).toEqual([])
    const want = await oracle(dir, ['--load-restrictor', 'LoadRestrictionsNone'])
    if (!('objects' in want)) throw new Error(want.stderr)
    expect(Object.keys(byName(want.objects)).sort()).toEqual(['ConfigMap/dev/settings', 'Deployment/dev/web'])
    expect(byName(want.objects)['Deployment/dev/web']).toMatchObject({spec: {replicas: 3}})
    expect(byName(addedObjects(result, 'web'))).toEqual(byName(want.objects))
  }, 300_000)

  it("the policy's, written with '=', where the repository holds no argocd-cm", async () => {
    const policy =
      'gitopsPolicy:\n  render:\n    kustomizeBuildOptions: "--enable-helm --load-restrictor=LoadRestrictionsNone"\n'
    const dir = await repo({'ameide.yaml': policy})
    const {result} = await diffLast<Result>(dir, env)
    expect(renderFindings(result)).toEqual([])
    const want = await oracle(dir, ['--load-restrictor=LoadRestrictionsNone'])
    if (!('objects' in want)) throw new Error(want.stderr)
    expect(byName(addedObjects(result, 'web'))).toEqual(byName(want.objects))
  }, 300_000)

  it('no such option, or the last one another value: the root fails as kustomize refuses the file', async () => {
    const refused = await oracle(await repo({}), [])
    expect('stderr' in refused && refused.stderr).toMatch(/security; file .*settings\.yaml' is not in or below/)
    const bases: Array<Record<string, string>> = [
      {},
      {'argocd/argocd-cm.yaml': ARGOCD_CM('--enable-helm')},
      {
        'argocd/argocd-cm.yaml': ARGOCD_CM(
          '--load-restrictor LoadRestrictionsNone --load-restrictor=LoadRestrictionsRootOnly',
        ),
      },
    ]
    for (const base of bases) {
      const {result} = await diffLast<Result>(await repo(base), env)
      expect(result.summary).toBe('incomplete')
      expect(renderFindings(result)).toEqual([
        expect.objectContaining({
          rule: 'render-failed',
          message: expect.stringMatching(/kustomize build apps\/web \(Application web\) failed: .*is not in or below/),
        }),
      ])
    }
  }, 300_000)
})

describe("kustomize plugins where Argo CD's build options enable them", () => {
  const plugin = {
    'argocd/web.yaml': originApplication('web', 'path: apps/web'),
    'apps/web/kustomization.yaml': 'resources: [cm.yaml]\ntransformers: [annotator.yaml]\n',
    'apps/web/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\ndata: {a: b}\n',
    'apps/web/annotator.yaml':
      'apiVersion: someteam.example.com/v1\nkind: ValueAnnotator\nmetadata:\n  name: annotate\n  annotations:\n    config.kubernetes.io/function: |\n      exec:\n        path: ./annotate.sh\n',
  }
  const withPlugin = async (base: Record<string, string>) => {
    const dir = await history({'argocd/.keep': '', ...base}, plugin)
    await git(dir, ['remote', 'set-url', 'origin', ORIGIN])
    return dir
  }

  it('--enable-alpha-plugins: render-unavailable, the plugin named, nothing run; without it: failed as kustomize fails', async () => {
    const options = '--enable-alpha-plugins --enable-exec'
    const {result} = await diffLast<Result>(await withPlugin({'argocd/argocd-cm.yaml': ARGOCD_CM(options)}), env)
    expect(result.summary).toBe('incomplete')
    expect(renderFindings(result)).toEqual([
      expect.objectContaining({
        rule: 'render-unavailable',
        message: expect.stringContaining(
          'it names the kustomize plugin ValueAnnotator, which Argo CD runs (--enable-alpha-plugins in its kustomize.buildOptions) and the gate never runs',
        ) as string,
      }),
    ])
    const dir = await withPlugin({})
    const refused = await oracle(dir, [])
    expect('stderr' in refused && refused.stderr).toMatch(
      /external plugins disabled; unable to load external plugin 'ValueAnnotator'/,
    )
    const {result: plain} = await diffLast<Result>(dir, env)
    expect(renderFindings(plain)).toEqual([
      expect.objectContaining({
        rule: 'render-failed',
        message: expect.stringMatching(
          /failed: .*external plugins disabled; unable to load external plugin 'ValueAnnotator'/,
        ),
      }),
    ])
  }, 300_000)
})
