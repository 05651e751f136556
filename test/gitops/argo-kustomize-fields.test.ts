/**
 * An Argo CD Application's kustomize options, one Application per field over the same folder, rendered by
 * `gitops diff` (the render module runs the repo-server's `kustomize edit` sequence with kustomize's own edit code,
 * then builds) and held to the real kustomize 5.8.1 — the module's pin, built natively — run on a copy of the
 * revision with the commands Argo CD's repo-server runs for that field (argo-cd v3.5.1 util/kustomize Build: `edit
 * set nameprefix|namesuffix|image|replicas`, `edit add label [--force] [--without-selector] [--include-templates]`,
 * `edit add annotation`, `edit set namespace`, the patches appended, `edit add component`; values through Envsubst),
 * the output read as Argo CD reads it and the destination namespace given. The objects must be the same. Each case
 * runs in both forms of the source: `spec.source`, and a Source Hydrator's `drySource` (the hydrator has the
 * repo-server render it alike; only Helm reads the cluster state it leaves out).
 */
import {execFileSync} from 'node:child_process'
import {cpSync, readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import * as YAML from 'yaml'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {addedObjects, argoReader, buildGo, byName, type AddedResult, type Obj} from '../support/argo-render.js'
import {diffLast, history} from '../support/diff-repo.js'
import {formApplication, ORIGIN, SOURCE_FORMS, type SourceForm} from '../support/helm-repo.js'
import {git, makeTempDir, runCleanups} from '../support/tmp.js'
import {toolEnv} from '../support/toolchain.js'

afterAll(runCleanups)

const APP = 'apps/guestbook'
const files: Record<string, string> = {
  [`${APP}/kustomization.yaml`]:
    'namePrefix: own-\ncommonAnnotations: {owner: folder}\nresources: [deployment.yaml, service.yaml]\n',
  [`${APP}/deployment.yaml`]: [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata: {name: guestbook, labels: {app: guestbook}}',
    'spec:',
    '  replicas: 1',
    '  selector: {matchLabels: {app: guestbook}}',
    '  template:',
    '    metadata: {labels: {app: guestbook}}',
    '    spec: {containers: [{name: web, image: "nginx:1.25"}]}',
    '',
  ].join('\n'),
  [`${APP}/service.yaml`]:
    'apiVersion: v1\nkind: Service\nmetadata: {name: guestbook}\nspec: {selector: {app: guestbook}, ports: [{port: 80}]}\n',
  'components/extra/kustomization.yaml': [
    'apiVersion: kustomize.config.k8s.io/v1alpha1',
    'kind: Component',
    'resources: [config.yaml]',
    '',
  ].join('\n'),
  'components/extra/config.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: extra}\ndata: {from: component}\n',
}

interface Case {
  name: string
  /** The lines under `kustomize:`. */
  kustomize: string[]
  /** The `kustomize edit …` commands Argo CD runs in the folder, in order (after `kustomize`). */
  edits: string[][]
  /** The patches Build appends to the kustomization. */
  patches?: unknown[]
}

const PATCH = {target: {kind: 'Deployment'}, patch: '- op: replace\n  path: /spec/replicas\n  value: 5\n'}

const CASES: Case[] = [
  {name: 'none', kustomize: [], edits: []},
  // `kustomize edit set nameprefix` replaces the folder's own prefix.
  {name: 'name-prefix', kustomize: ['namePrefix: argo-'], edits: [['edit', 'set', 'nameprefix', '--', 'argo-']]},
  {name: 'name-suffix', kustomize: ['nameSuffix: -v2'], edits: [['edit', 'set', 'namesuffix', '--', '-v2']]},
  {
    name: 'images',
    kustomize: ['images: ["nginx=ghcr.io/acme/nginx:$ARGOCD_APP_NAME"]'],
    edits: [['edit', 'set', 'image', 'nginx=ghcr.io/acme/nginx:images']],
  },
  {
    name: 'replicas',
    kustomize: ['replicas: [{name: guestbook, count: "3"}]'],
    edits: [['edit', 'set', 'replicas', 'guestbook=3']],
  },
  {name: 'labels', kustomize: ['commonLabels: {team: a}'], edits: [['edit', 'add', 'label', 'team:a']]},
  {
    name: 'labels-without-selector',
    kustomize: ['commonLabels: {team: a}', 'labelWithoutSelector: true'],
    edits: [['edit', 'add', 'label', '--without-selector', 'team:a']],
  },
  {
    name: 'labels-include-templates',
    kustomize: ['commonLabels: {team: a}', 'labelWithoutSelector: true', 'labelIncludeTemplates: true'],
    edits: [['edit', 'add', 'label', '--without-selector', '--include-templates', 'team:a']],
  },
  {
    name: 'labels-env',
    kustomize: ['commonLabels: {ns: "$ARGOCD_APP_NAMESPACE"}', 'forceCommonLabels: true'],
    edits: [['edit', 'add', 'label', '--force', 'ns:dev']],
  },
  {
    name: 'annotations',
    kustomize: ['commonAnnotations: {app: "$ARGOCD_APP_NAME"}'],
    edits: [['edit', 'add', 'annotation', 'app:$ARGOCD_APP_NAME']],
  },
  {
    name: 'annotations-envsubst',
    kustomize: ['commonAnnotations: {app: "$ARGOCD_APP_NAME"}', 'commonAnnotationsEnvsubst: true'],
    edits: [['edit', 'add', 'annotation', 'app:annotations-envsubst']],
  },
  // An annotation the folder sets too: `--force` overwrites it.
  {
    name: 'annotations-force',
    kustomize: ['commonAnnotations: {owner: argo}', 'forceCommonAnnotations: true'],
    edits: [['edit', 'add', 'annotation', '--force', 'owner:argo']],
  },
  {name: 'namespace', kustomize: ['namespace: other'], edits: [['edit', 'set', 'namespace', '--', 'other']]},
  {name: 'patches', kustomize: [`patches: [${JSON.stringify(PATCH)}]`], edits: [], patches: [PATCH]},
  {
    name: 'components',
    kustomize: ['components: [../../components/extra]'],
    edits: [['edit', 'add', 'component', '../../components/extra']],
  },
  // Argo CD adds --helm-kube-version / --helm-api-versions only where kustomize.buildOptions has --enable-helm (not
  // its default; util/kustomize parseKustomizeBuildOptions), and only Helm inflation reads them: a kustomization
  // without helmCharts builds as without them.
  {
    name: 'kube-version-api-versions',
    kustomize: ['kubeVersion: "1.29.0"', 'apiVersions: [monitoring.coreos.com/v1, example.com/v1alpha1]'],
    edits: [],
  },
  {
    name: 'components-missing',
    kustomize: ['components: [../../components/extra, ../../components/nowhere]', 'ignoreMissingComponents: true'],
    edits: [['edit', 'add', 'component', '../../components/extra']],
  },
]

const application = (c: Case, form: SourceForm = 'spec.source') =>
  formApplication(
    form,
    c.name,
    [`path: ${APP}`, ...(c.kustomize.length > 0 ? ['kustomize:', ...c.kustomize.map((l) => `  ${l}`)] : [])].join('\n'),
    '',
  )

let read: Awaited<ReturnType<typeof argoReader>>
let kustomize: string
const repos = {} as Record<SourceForm, string>

beforeAll(async () => {
  read = await argoReader()
  kustomize = await buildGo('src/effects/render-module/go', 'kustomize', 'sigs.k8s.io/kustomize/kustomize/v5')
  for (const form of SOURCE_FORMS) {
    const apps = Object.fromEntries(CASES.map((c) => [`argocd/${c.name}.yaml`, application(c, form)]))
    repos[form] = await history({...files, 'argocd/.keep': ''}, apps)
    await git(repos[form], ['remote', 'set-url', 'origin', ORIGIN])
  }
}, 900_000)

/** The case as Argo CD renders it: the edits on a copy of the revision, the build, read by kube.SplitYAML. */
async function argoRender(c: Case): Promise<Obj[]> {
  const repo = repos['spec.source']
  const copy = await makeTempDir('ameide-argo-kustomize-case-')
  cpSync(path.join(repo, APP), path.join(copy, APP), {recursive: true})
  cpSync(path.join(repo, 'components'), path.join(copy, 'components'), {recursive: true})
  const folder = path.join(copy, APP)
  for (const args of c.edits) execFileSync(kustomize, args, {cwd: folder})
  if (c.patches) {
    const file = path.join(folder, 'kustomization.yaml')
    const k = YAML.parse(readFileSync(file, 'utf8')) as Record<string, unknown>
    k.patches = [...((k.patches as unknown[]) ?? []), ...c.patches]
    writeFileSync(file, JSON.stringify(k))
  }
  return read(execFileSync(kustomize, ['build', folder], {cwd: copy}).toString('utf8'), 'dev')
}

describe("Argo CD's kustomize options, each as the repo-server applies them with the real kustomize", () => {
  const results = {} as Record<SourceForm, AddedResult>

  beforeAll(async () => {
    const runs = await Promise.all(SOURCE_FORMS.map((form) => diffLast<AddedResult>(repos[form], toolEnv())))
    for (const [i, form] of SOURCE_FORMS.entries()) results[form] = runs[i].result
  }, 300_000)

  it.each(SOURCE_FORMS.flatMap((form) => CASES.map((c) => [c.name, form, c] as const)))(
    '%s through %s',
    async (_, form, c) => {
      const want = byName(await argoRender(c))
      expect(Object.keys(want).length).toBeGreaterThanOrEqual(2)
      expect(byName(addedObjects(results[form], c.name))).toEqual(want)
    },
  )

  it('a revision variable in an option is render-unavailable, named, never the text left as it is', async () => {
    const other = await history(
      {...files, 'argocd/.keep': ''},
      {
        'argocd/rev.yaml': application({
          name: 'rev',
          kustomize: ['images: ["nginx=ghcr.io/acme/nginx:$ARGOCD_APP_REVISION_SHORT"]'],
          edits: [],
        }),
      },
    )
    await git(other, ['remote', 'set-url', 'origin', ORIGIN])
    const {result: r} = await diffLast<{
      summary: string
      verdict: {introduced: Array<{rule: string; message: string}>}
    }>(other, toolEnv())
    expect(r.summary).toBe('incomplete')
    expect(r.verdict.introduced).toContainEqual(
      expect.objectContaining({
        rule: 'render-unavailable',
        message: expect.stringContaining('$ARGOCD_APP_REVISION_SHORT') as string,
      }),
    )
  }, 120_000)

  it('kubeVersion and apiVersions over a kustomization that inflates charts: render-unavailable, its helmCharts named', async () => {
    const inflating = {
      ...files,
      [`${APP}/kustomization.yaml`]:
        'resources: [deployment.yaml]\nhelmCharts:\n  - {name: redis, repo: https://charts.example.com, version: 1.0.0}\n',
    }
    const other = await history(
      {...inflating, 'argocd/.keep': ''},
      {
        'argocd/charts.yaml': application({
          name: 'charts',
          kustomize: ['kubeVersion: "1.29.0"', 'apiVersions: [monitoring.coreos.com/v1]'],
          edits: [],
        }),
      },
    )
    await git(other, ['remote', 'set-url', 'origin', ORIGIN])
    const {result: r} = await diffLast<{
      summary: string
      verdict: {introduced: Array<{rule: string; message: string; file: string}>}
    }>(other, toolEnv())
    expect(r.summary).toBe('incomplete')
    expect(r.verdict.introduced).toEqual([
      expect.objectContaining({
        rule: 'render-unavailable',
        file: `${APP}/kustomization.yaml`,
        message: expect.stringMatching(/inflates Helm charts .*--enable-helm/) as string,
      }),
    ])
  }, 120_000)
})
