/**
 * The shapes users copy from Argo CD's and Flux's own documentation (Argo CD's Helm, Kustomize and multiple-sources
 * user guides; Flux's HelmRelease and Kustomization docs), each a fixture pointed at this repository (or the loopback
 * chart server for a remote chart): rendered through `gitops verify --render` and `gitops diff`, each renders — or
 * is honestly `render-unavailable`, its reason named — and nothing ends in INTERNAL_ERROR or a stack trace.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {startChartServer, webChart, type ChartServer} from '../../support/chart-server.js'
import {runCli} from '../../support/cli.js'
import {contractBreach} from '../../support/cli-contract.js'
import {history} from '../../support/diff-repo.js'
import {ORIGIN, repositoryFiles, toYaml} from '../../support/gitops-arbitraries.js'
import {makeTempDir, runCleanups} from '../../support/tmp.js'
import {requireTool, toolEnv} from '../../support/toolchain.js'

const application = (name: string, source: unknown, sources?: unknown[]) => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: {name, namespace: 'argocd'},
  spec: {
    project: 'default',
    ...(sources ? {sources} : {source}),
    destination: {server: 'https://kubernetes.default.svc', namespace: 'web'},
  },
})
/** Argo CD's "Source Hydrator" user guide: the dry source, where its render is committed (and staged). */
const hydrated = (
  name: string,
  drySource: unknown,
  sync: Record<string, unknown> = {},
  more: Record<string, unknown> = {},
) => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: {name, namespace: 'argocd'},
  spec: {
    project: 'default',
    destination: {server: 'https://kubernetes.default.svc', namespace: 'web'},
    sourceHydrator: {
      drySource,
      syncSource: {targetBranch: 'environments/prod', path: `${name}-hydrated`, ...sync},
      ...more,
    },
  },
})
const chartSource = (helm: unknown) => ({repoURL: ORIGIN, targetRevision: 'HEAD', path: 'charts/app', helm})
const kustomizeSource = (kustomize: unknown) => ({
  repoURL: ORIGIN,
  targetRevision: 'HEAD',
  path: 'kust/overlay',
  kustomize,
})

const helmRelease = (name: string, spec: Record<string, unknown>) => ({
  apiVersion: 'helm.toolkit.fluxcd.io/v2',
  kind: 'HelmRelease',
  metadata: {name, namespace: 'web'},
  spec: {interval: '10m', ...spec},
})
const fromRepository = {
  chart: {
    spec: {
      chart: 'web',
      version: '1.0.0',
      sourceRef: {kind: 'HelmRepository', name: 'charts', namespace: 'flux-system'},
    },
  },
}
const fromGit = (valuesFiles?: string[]) => ({
  chart: {
    spec: {
      chart: './charts/app',
      sourceRef: {kind: 'GitRepository', name: 'flux-system', namespace: 'flux-system'},
      ...(valuesFiles ? {valuesFiles} : {}),
    },
  },
})
const kustomization = (name: string, path: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
  kind: 'Kustomization',
  metadata: {name, namespace: 'flux-system'},
  spec: {interval: '10m', path, prune: true, sourceRef: {kind: 'GitRepository', name: 'flux-system'}, ...spec},
})

interface Fixture {
  /** Where it is written. */
  file: string
  doc: unknown
  /** How verify --render names what it deploys: a Helm deployable's `application`, or a render root's. */
  deployable?: string
  root?: string
  /** A directory source's Application. */
  directory?: string
  /** What it must end as: rendered, or unavailable (the reason named). */
  expect: 'rendered' | 'unavailable'
}

function fixtures(server: ChartServer): Record<string, Fixture> {
  const argo = (name: string, doc: unknown, how: Partial<Fixture> = {deployable: name}): Fixture => ({
    file: `argocd/${name}.yaml`,
    doc,
    expect: 'rendered',
    ...how,
  })
  const release = (name: string, spec: Record<string, unknown>, outcome: Fixture['expect'] = 'rendered'): Fixture => ({
    file: `flux/releases/${name}.yaml`,
    doc: helmRelease(name, spec),
    deployable: `web/${name}`,
    expect: outcome,
  })
  const flux = (name: string, path: string, spec: Record<string, unknown>): Fixture => ({
    file: `clusters/production/${name}.yaml`,
    doc: kustomization(name, path, spec),
    root: `flux-system/${name}`,
    expect: 'rendered',
  })
  const ingress = {
    ingress: {
      enabled: true,
      path: '/',
      hosts: ['mydomain.example.com'],
      annotations: {'kubernetes.io/ingress.class': 'nginx', 'kubernetes.io/tls-acme': 'true'},
      labels: {},
      tls: [{secretName: 'mydomain-tls', hosts: ['mydomain.example.com']}],
    },
  }
  return {
    // Argo CD "Helm": values as a YAML string (the form that crashed), valuesObject, parameters, fileParameters,
    // valueFiles with ignoreMissingValueFiles, a glob, releaseName of a chart from a chart repository.
    'helm-values-string': argo(
      'helm-values-string',
      application('helm-values-string', chartSource({values: toYaml(ingress)})),
    ),
    'helm-values-object': argo(
      'helm-values-object',
      application('helm-values-object', chartSource({valuesObject: ingress})),
    ),
    'helm-parameters': argo(
      'helm-parameters',
      application(
        'helm-parameters',
        chartSource({
          parameters: [
            {name: 'service.type', value: 'LoadBalancer'},
            {name: 'replicaCount', value: '3', forceString: true},
          ],
        }),
      ),
    ),
    'helm-file-parameters': argo(
      'helm-file-parameters',
      application('helm-file-parameters', chartSource({fileParameters: [{name: 'config', path: 'files/config.txt'}]})),
    ),
    'helm-value-files': argo(
      'helm-value-files',
      application(
        'helm-value-files',
        chartSource({valueFiles: ['values-prod.yaml', 'values-optional-override.yaml'], ignoreMissingValueFiles: true}),
      ),
    ),
    'helm-value-glob': argo(
      'helm-value-glob',
      application('helm-value-glob', chartSource({valueFiles: ['envs/*.yaml']})),
    ),
    'helm-release-name': argo(
      'helm-release-name',
      application('helm-release-name', {
        chart: 'web',
        repoURL: `${server.url}/charts`,
        targetRevision: '1.0.0',
        helm: {releaseName: 'sealed-secrets'},
      }),
    ),
    // Argo CD "Kustomize": namePrefix, nameSuffix, images, commonLabels, inline patches, components.
    'kustomize-options': argo(
      'kustomize-options',
      application(
        'kustomize-options',
        kustomizeSource({
          namePrefix: 'prod-',
          nameSuffix: '-v2',
          images: ['nginx=nginx:1.27', 'ghcr.io/acme/web:1.2.3'],
          commonLabels: {'app.kubernetes.io/name': 'myapp'},
        }),
      ),
      {root: 'kustomize-options'},
    ),
    'kustomize-patches': argo(
      'kustomize-patches',
      application(
        'kustomize-patches',
        kustomizeSource({
          patches: [
            {
              target: {kind: 'Deployment', name: 'web'},
              patch: '- op: replace\n  path: /spec/template/spec/containers/0/image\n  value: nginx:1.27\n',
            },
          ],
        }),
      ),
      {root: 'kustomize-patches'},
    ),
    'kustomize-components': argo(
      'kustomize-components',
      application('kustomize-components', kustomizeSource({components: ['../components/extra']})),
      {root: 'kustomize-components'},
    ),
    // Argo CD "Multiple sources": a chart from a chart repository, its values file from this repository by `ref`.
    'multi-source-values': argo(
      'multi-source-values',
      application('multi-source-values', undefined, [
        {
          repoURL: `${server.url}/charts`,
          chart: 'web',
          targetRevision: '1.0.0',
          helm: {releaseName: 'web', valueFiles: ['$values/values/prod.yaml']},
        },
        {repoURL: ORIGIN, targetRevision: 'HEAD', ref: 'values'},
      ]),
    ),
    // Argo CD "Source Hydrator": a Helm, a Kustomize and a directory dry source; another sync repository; hydrateTo.
    'hydrator-helm': argo(
      'hydrator-helm',
      hydrated(
        'hydrator-helm',
        chartSource({
          valueFiles: ['values-prod.yaml'],
          parameters: [{name: 'image.tag', value: 'v1.2.3'}],
          releaseName: 'my-release',
        }),
      ),
    ),
    'hydrator-kustomize': argo(
      'hydrator-kustomize',
      hydrated(
        'hydrator-kustomize',
        kustomizeSource({
          namePrefix: 'prod-',
          nameSuffix: '-v1',
          images: ['gcr.io/heptio-images/ks-guestbook-demo:0.2'],
        }),
      ),
      {root: 'hydrator-kustomize'},
    ),
    'hydrator-directory': argo(
      'hydrator-directory',
      hydrated('hydrator-directory', {
        repoURL: ORIGIN,
        targetRevision: 'HEAD',
        path: 'manifests',
        directory: {recurse: true},
      }),
      {directory: 'hydrator-directory'},
    ),
    'hydrator-elsewhere': argo(
      'hydrator-elsewhere',
      hydrated(
        'hydrator-elsewhere',
        chartSource(undefined),
        {repoURL: 'https://github.com/my-org/deployments', targetBranch: 'environments/dev'},
        {hydrateTo: {targetBranch: 'environments/dev-next'}},
      ),
    ),
    // Flux "HelmReleases": chart.spec from a HelmRepository, valuesFiles from a GitRepository's chart, valuesFrom a
    // ConfigMap and a Secret (targetPath), postRenderers (kustomize patches and images).
    'hr-chart-spec': release('hr-chart-spec', {...fromRepository, values: {replicaCount: 2}}),
    'hr-values-files': release('hr-values-files', fromGit(['charts/app/values.yaml', 'charts/app/values-prod.yaml'])),
    'hr-values-from': release('hr-values-from', {
      ...fromGit(),
      valuesFrom: [
        {kind: 'ConfigMap', name: 'web-values', valuesKey: 'values.yaml'},
        {kind: 'Secret', name: 'web-secret', valuesKey: 'replicas', targetPath: 'replicaCount'},
      ],
    }),
    'hr-post-renderers': release('hr-post-renderers', {
      ...fromRepository,
      postRenderers: [
        {
          kustomize: {
            patches: [
              {
                target: {kind: 'Deployment', name: 'hr-post-renderers'},
                patch: '- op: add\n  path: /metadata/annotations/note\n  value: x\n',
              },
            ],
            images: [{name: 'ghcr.io/acme/web', newName: 'ghcr.io/acme/other', newTag: '2.0.0'}],
          },
        },
      ],
    }),
    // Flux "Kustomizations": postBuild substitute and substituteFrom, patches, images.
    'ks-post-build': flux('ks-post-build', './flux/vars', {
      postBuild: {
        substitute: {cluster_env: 'prod', replicas: '2'},
        substituteFrom: [{kind: 'ConfigMap', name: 'cluster-vars'}],
      },
    }),
    'ks-patches': flux('ks-patches', './kust/overlay', {
      patches: [
        {target: {kind: 'Deployment', name: 'web'}, patch: '- op: replace\n  path: /spec/replicas\n  value: 3\n'},
      ],
    }),
    'ks-images': flux('ks-images', './kust/base', {
      images: [{name: 'nginx', newName: 'ghcr.io/acme/nginx', newTag: '1.27'}],
    }),
  }
}

/** The repository the fixtures name, besides {@link repositoryFiles}'s. */
const support = (): Record<string, string> => ({
  'charts/app/files/config.txt': 'key=value\n',
  'charts/app/values-optional-override.yaml': 'replicaCount: 5\n',
  'charts/app/envs/a.yaml': 'replicaCount: 2\n',
  'charts/app/envs/b.yaml': 'replicaCount: 4\n',
  'flux/vars/cm.yaml':
    'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: vars, namespace: web}\ndata:\n  env: ${cluster_env}\n  replicas: "${replicas}"\n  var: ${var:=none}\n',
  'clusters/production/releases.yaml': toYaml(kustomization('releases', './flux/releases')),
  'flux/releases/secret.yaml': toYaml({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {name: 'web-secret', namespace: 'web'},
    stringData: {replicas: '3'},
  }),
  'flux/releases/values.yaml': toYaml({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {name: 'web-values', namespace: 'web'},
    data: {'values.yaml': 'replicaCount: 4\n'},
  }),
})

let server: ChartServer
let env: Record<string, string>
beforeAll(async () => {
  requireTool('helm')
  server = await startChartServer([webChart('1.0.0')])
  const home = await makeTempDir('ameide-documented-home-')
  env = toolEnv({HOME: home, DOCKER_CONFIG: `${home}/.docker`})
})
afterAll(runCleanups)

type Verified = {
  findings: Array<{rule: string; message: string; application?: string}>
  render: {
    deployables: Array<{application: string; status: string}>
    roots: Array<{application?: string; deployedBy?: string; status: string}>
    directories: Array<{application: string; status: string}>
  }
}

describe("the shapes of Argo CD's and Flux's documentation", () => {
  it('each renders (or is render-unavailable, named) in verify --render and diff; none crashes', async () => {
    const all = fixtures(server)
    const lb = {url: server.url, host: server.host}
    const added = Object.fromEntries(Object.values(all).map((f) => [f.file, toYaml(f.doc)]))
    const repo = await history({...repositoryFiles(lb), ...support()}, added)
    const verify = await runCli(['gitops', 'verify', '--render', '--json', '--no-cache'], {cwd: repo, env})
    const diff = await runCli(['gitops', 'diff', '--base', 'HEAD^', '--head', 'HEAD', '--json', '--no-cache'], {
      cwd: repo,
      env,
    })
    expect(contractBreach(verify), verify.stdout + verify.stderr).toBeUndefined()
    expect(contractBreach(diff), diff.stdout + diff.stderr).toBeUndefined()
    const result = verify.json() as Verified
    const outcomes: Record<string, string> = {}
    for (const [name, f] of Object.entries(all)) {
      const status = f.directory
        ? result.render.directories.find((d) => d.application === f.directory)?.status
        : f.deployable
          ? result.render.deployables.find((d) => d.application === f.deployable)?.status
          : result.render.roots.find((r) => (r.application ?? r.deployedBy) === f.root || r.deployedBy === f.root)
              ?.status
      const said = result.findings
        .filter((x) => x.rule.startsWith('render-') && x.message.includes(name))
        .map((x) => `${x.rule}: ${x.message}`)
      outcomes[name] = `${status}${said.length > 0 ? ` (${said.join('; ')})` : ''}`
    }
    const expected = Object.fromEntries(
      Object.entries(all).map(([name, f]) => [
        name,
        f.expect === 'rendered'
          ? expect.stringMatching(/^(rendered|cached)$/)
          : expect.stringMatching(/^(unavailable|undefined) \(render-unavailable: .+\)$/),
      ]),
    )
    expect(outcomes).toEqual(expected)
    // The diff renders the head's fixtures too: every one is an added object or a named render-unavailable.
    const changed = diff.json() as {failures: Array<{rule: string; message: string}>}
    expect(changed.failures.filter((f) => f.rule !== 'render-unavailable')).toEqual([])
  }, 300_000)
})
