/**
 * An Argo CD Application's kustomize options, one Application per field over the same folder, rendered by
 * `gitops diff` (the render module runs the repo-server's `kustomize edit` sequence with kustomize's own edit code,
 * then builds) and held to Argo CD v3.5.1's own repo-server code: the oracle (test/support/argo-oracle.ts) renders the
 * same Application of the same revision with reposerver/repository GenerateManifests (util/kustomize Build: the
 * `kustomize edit` commands, the patches, the components, Envsubst), the real kustomize 5.8.1 — the module's pin,
 * built natively — first on its PATH, the output read by kube.SplitYAML and the destination namespace given. The
 * objects must be the same. Each case runs in both forms of the source: `spec.source`, and a Source Hydrator's
 * `drySource` (the hydrator has the repo-server render it alike; only Helm reads the cluster state it leaves out).
 */
import path from 'node:path'
import * as YAML from 'yaml'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {addedObjects, buildGo, byName, type AddedResult} from '../../support/argo-render.js'
import {oracleObjects, startOracle, type Oracle} from '../../support/argo-oracle.js'
import {diffLast, history} from '../../support/diff-repo.js'
import {formApplication, ORIGIN, SOURCE_FORMS, type SourceForm} from '../../support/helm-repo.js'
import {git, runCleanups} from '../../support/tmp.js'
import {toolEnv} from '../../support/toolchain.js'

let oracle: Oracle
afterAll(async () => {
  oracle?.stop()
  await runCleanups()
})

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
}

const PATCH = {target: {kind: 'Deployment'}, patch: '- op: replace\n  path: /spec/replicas\n  value: 5\n'}

const CASES: Case[] = [
  {name: 'none', kustomize: []},
  // `kustomize edit set nameprefix` replaces the folder's own prefix.
  {name: 'name-prefix', kustomize: ['namePrefix: argo-']},
  {name: 'name-suffix', kustomize: ['nameSuffix: -v2']},
  {name: 'images', kustomize: ['images: ["nginx=ghcr.io/acme/nginx:$ARGOCD_APP_NAME"]']},
  {name: 'replicas', kustomize: ['replicas: [{name: guestbook, count: "3"}]']},
  {name: 'labels', kustomize: ['commonLabels: {team: a}']},
  {name: 'labels-without-selector', kustomize: ['commonLabels: {team: a}', 'labelWithoutSelector: true']},
  {
    name: 'labels-include-templates',
    kustomize: ['commonLabels: {team: a}', 'labelWithoutSelector: true', 'labelIncludeTemplates: true'],
  },
  {name: 'labels-env', kustomize: ['commonLabels: {ns: "$ARGOCD_APP_NAMESPACE"}', 'forceCommonLabels: true']},
  {name: 'annotations', kustomize: ['commonAnnotations: {app: "$ARGOCD_APP_NAME"}']},
  {
    name: 'annotations-envsubst',
    kustomize: ['commonAnnotations: {app: "$ARGOCD_APP_NAME"}', 'commonAnnotationsEnvsubst: true'],
  },
  // An annotation the folder sets too: `--force` overwrites it.
  {name: 'annotations-force', kustomize: ['commonAnnotations: {owner: argo}', 'forceCommonAnnotations: true']},
  {name: 'namespace', kustomize: ['namespace: other']},
  {name: 'patches', kustomize: [`patches: [${JSON.stringify(PATCH)}]`]},
  {name: 'components', kustomize: ['components: [../../components/extra]']},
  // Argo CD adds --helm-kube-version / --helm-api-versions only where kustomize.buildOptions has --enable-helm (not
  // its default; util/kustomize parseKustomizeBuildOptions), and only Helm inflation reads them: a kustomization
  // without helmCharts builds as without them.
  {
    name: 'kube-version-api-versions',
    kustomize: ['kubeVersion: "1.29.0"', 'apiVersions: [monitoring.coreos.com/v1, example.com/v1alpha1]'],
  },
  {
    name: 'components-missing',
    kustomize: ['components: [../../components/extra, ../../components/nowhere]', 'ignoreMissingComponents: true'],
  },
]

const application = (c: Case, form: SourceForm = 'spec.source') =>
  formApplication(
    form,
    c.name,
    [`path: ${APP}`, ...(c.kustomize.length > 0 ? ['kustomize:', ...c.kustomize.map((l) => `  ${l}`)] : [])].join('\n'),
    '',
  )

const repos = {} as Record<SourceForm, string>

beforeAll(async () => {
  const kustomize = await buildGo('src/effects/render-module/go', 'kustomize', 'sigs.k8s.io/kustomize/kustomize/v5')
  oracle = await startOracle([path.dirname(kustomize)])
  for (const form of SOURCE_FORMS) {
    const apps = Object.fromEntries(CASES.map((c) => [`argocd/${c.name}.yaml`, application(c, form)]))
    repos[form] = await history({...files, 'argocd/.keep': ''}, apps)
    await git(repos[form], ['remote', 'set-url', 'origin', ORIGIN])
  }
}, 1_800_000)

/** The case as Argo CD's repo-server renders it: the oracle's objects, the destination namespace given. */
async function argoRender(c: Case, form: SourceForm) {
  const dir = repos[form]
  const answer = await oracle.render({
    dir,
    revision: await git(dir, ['rev-parse', 'HEAD']),
    application: YAML.parse(application(c, form)) as Record<string, unknown>,
    kubeVersion: '1.34.0',
  })
  return oracleObjects(answer)
}

describe("Argo CD's kustomize options, each as Argo CD v3.5.1's repo-server applies them", () => {
  const results = {} as Record<SourceForm, AddedResult>

  beforeAll(async () => {
    const runs = await Promise.all(SOURCE_FORMS.map((form) => diffLast<AddedResult>(repos[form], toolEnv())))
    for (const [i, form] of SOURCE_FORMS.entries()) results[form] = runs[i].result
  }, 300_000)

  it.each(SOURCE_FORMS.flatMap((form) => CASES.map((c) => [c.name, form, c] as const)))(
    '%s through %s',
    async (_, form, c) => {
      const want = byName(await argoRender(c, form))
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
        message: expect.stringMatching(
          /inflates Helm charts \(helmCharts: redis 1\.0\.0 from https:\/\/charts\.example\.com\): .*--enable-helm/,
        ) as string,
      }),
    ])
  }, 120_000)
})
