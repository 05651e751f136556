/**
 * GitOps repositories shaped like the public examples people start from: argoproj/argocd-example-apps (a directory
 * app `guestbook`, a chart `helm-guestbook`, a kustomization `kustomize-guestbook` over a base, an app of apps `apps/`
 * whose chart renders the child Applications, a jsonnet app and a config-management-plugin app) and a Flux fleet
 * (a Kustomization over a folder of plain manifests without a kustomization.yaml, a HelmRelease whose chart comes
 * from a HelmRepository). Written from scratch in their shape.
 */
export const PIN = `@sha256:${'a'.repeat(64)}`
export const EXAMPLE_ORIGIN = 'https://github.com/acme/example-apps.git'
export const FLEET_ORIGIN = 'https://github.com/acme/fleet.git'

const deployment = (name: string, image: string) =>
  [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    '  replicas: 1',
    '  selector:',
    '    matchLabels:',
    `      app: ${name}`,
    '  template:',
    '    metadata:',
    '      labels:',
    `        app: ${name}`,
    '    spec:',
    '      containers:',
    `      - image: ${image}`,
    `        name: ${name}`,
    '        imagePullPolicy: IfNotPresent',
    '',
  ].join('\n')

const service = (name: string, port: number) =>
  `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\nspec:\n  ports:\n  - port: ${port}\n  selector:\n    app: ${name}\n`

const application = (name: string, server: string, source: string[]) =>
  [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: Application',
    'metadata:',
    `  name: ${name}`,
    '  namespace: argocd',
    'spec:',
    '  project: default',
    '  destination:',
    `    namespace: ${name}`,
    `    server: ${server}`,
    '  source:',
    ...source,
    '',
  ].join('\n')

/** An Application of the app of apps' chart, over `path` of this repository. */
export const childApplication = (name: string, path = name) =>
  application(name, '{{ .Values.spec.destination.server }}', [
    `    path: ${path}`,
    '    repoURL: {{ .Values.spec.source.repoURL }}',
    '    targetRevision: {{ .Values.spec.source.targetRevision }}',
  ])

/** An Application written in a file, over this repository. */
const topApplication = (name: string, body: string[]) =>
  application(name, 'https://kubernetes.default.svc', [`    repoURL: ${EXAMPLE_ORIGIN}`, ...body])

export const guestbookImage = `gcr.io/heptio-images/ks-guestbook-demo:0.2${PIN}`

export function exampleApps(): Record<string, string> {
  return {
    'README.md': '# example apps\n',
    // The root of the app of apps: a chart whose templates are the child Applications.
    'root-app.yaml': topApplication('apps', ['    path: apps', '    targetRevision: HEAD']),
    'apps/Chart.yaml': 'apiVersion: v2\nname: applications\nversion: 0.1.0\n',
    'apps/values.yaml': [
      'spec:',
      '  destination:',
      '    server: https://kubernetes.default.svc',
      '  source:',
      `    repoURL: ${EXAMPLE_ORIGIN}`,
      '    targetRevision: HEAD',
      '',
    ].join('\n'),
    'apps/templates/guestbook.yaml': childApplication('guestbook'),
    'apps/templates/helm-guestbook.yaml': childApplication('helm-guestbook'),
    'apps/templates/kustomize-guestbook.yaml': childApplication('kustomize-guestbook'),
    'apps/templates/jsonnet-guestbook.yaml': childApplication('jsonnet-guestbook'),
    // A directory source: plain manifests, one file of two documents.
    'guestbook/guestbook-ui-deployment.yaml': deployment('guestbook-ui', guestbookImage),
    'guestbook/guestbook-ui-svc.yaml': `${service('guestbook-ui', 80)}---\n# an empty document\n`,
    'helm-guestbook/Chart.yaml': 'apiVersion: v2\nname: helm-guestbook\nversion: 0.1.0\n',
    'helm-guestbook/values.yaml': `image:\n  repository: gcr.io/heptio-images/ks-guestbook-demo\n  tag: 0.1${PIN}\n`,
    'helm-guestbook/templates/deployment.yaml': deployment(
      '{{ .Release.Name }}',
      '"{{ .Values.image.repository }}:{{ .Values.image.tag }}"',
    ),
    'kustomize-guestbook/kustomization.yaml': [
      'namePrefix: kustomize-',
      'resources:',
      '- ../kustomize-base',
      'images:',
      '- name: gcr.io/heptio-images/ks-guestbook-demo',
      `  newTag: 0.1${PIN}`,
      '',
    ].join('\n'),
    'kustomize-base/kustomization.yaml': 'resources:\n- deployment.yaml\n- service.yaml\n',
    'kustomize-base/deployment.yaml': deployment('guestbook-ui', 'gcr.io/heptio-images/ks-guestbook-demo:0.1'),
    'kustomize-base/service.yaml': service('guestbook-ui', 80),
    'jsonnet-guestbook/guestbook-ui.jsonnet':
      "local params = import 'params.libsonnet';\n[{apiVersion: 'v1', kind: 'Service', metadata: {name: params.name}}]\n",
    'jsonnet-guestbook/params.libsonnet': "{name: 'jsonnet-guestbook-ui'}\n",
    // A config management plugin renders this one in the repo-server.
    'plugin-app.yaml': topApplication('plugin-app', ['    path: plugin-app', '    plugin:', '      name: kasane']),
    'plugin-app/kasane.jsonnet': '{}\n',
    // A chart from a Helm repository (not fetched) with a value file of this repository (`$values`).
    'remote-chart.yaml': [
      'apiVersion: argoproj.io/v1alpha1',
      'kind: Application',
      'metadata:',
      '  name: podinfo',
      '  namespace: argocd',
      'spec:',
      '  project: default',
      '  destination: {namespace: podinfo, server: https://kubernetes.default.svc}',
      '  sources:',
      '  - repoURL: https://stefanprodan.github.io/podinfo',
      '    chart: podinfo',
      '    targetRevision: 6.5.0',
      '    helm:',
      '      valueFiles: [$values/values/podinfo.yaml]',
      `  - repoURL: ${EXAMPLE_ORIGIN}`,
      '    targetRevision: HEAD',
      '    ref: values',
      `  - repoURL: ${EXAMPLE_ORIGIN}`,
      '    targetRevision: HEAD',
      '    path: podinfo-extra',
      '',
    ].join('\n'),
    'values/podinfo.yaml': 'replicaCount: 2\n',
    'podinfo-extra/config.yaml':
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: podinfo-extra\ndata:\n  level: info\n',
    // A directory source with options: recurse, an exclude glob; a non-manifest and a skipped file beside.
    'more-apps/recursive.yaml': topApplication('recursive', [
      '    path: recursive',
      '    directory:',
      '      recurse: true',
      "      exclude: '{old/*,*.json}'",
    ]),
    'recursive/web.yaml': deployment('web', `ghcr.io/acme/web:1.0.0${PIN}`),
    'recursive/sub/config.yaml':
      'apiVersion: v1\nkind: ConfigMapList\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: settings\n  data:\n    mode: fast\n',
    'recursive/old/legacy.yaml': deployment('legacy', 'ghcr.io/acme/legacy:latest'),
    'recursive/extra.json': JSON.stringify({apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'excluded'}}),
    'recursive/settings.yaml': 'replicas: 3\nowner: team-a\n',
    'recursive/draft.yaml': `# +argocd:skip-file-rendering\n${deployment('draft', 'ghcr.io/acme/draft:latest')}`,
    'recursive/notes.txt': 'kind: Deployment\n',
  }
}

export function fleet(): Record<string, string> {
  return {
    '.github/workflows/ci.yaml': 'on: push\njobs: {}\n',
    'clusters/production/apps.yaml': [
      'apiVersion: kustomize.toolkit.fluxcd.io/v1',
      'kind: Kustomization',
      'metadata:',
      '  name: apps',
      '  namespace: flux-system',
      'spec:',
      '  interval: 10m',
      '  path: ./apps/production',
      '  prune: true',
      '  sourceRef:',
      '    kind: GitRepository',
      '    name: flux-system',
      '',
    ].join('\n'),
    'apps/production/podinfo.yaml': [
      'apiVersion: source.toolkit.fluxcd.io/v1',
      'kind: HelmRepository',
      'metadata:',
      '  name: podinfo',
      '  namespace: flux-system',
      'spec:',
      '  url: https://stefanprodan.github.io/podinfo',
      '---',
      'apiVersion: helm.toolkit.fluxcd.io/v2',
      'kind: HelmRelease',
      'metadata:',
      '  name: podinfo',
      '  namespace: podinfo',
      'spec:',
      '  chart:',
      '    spec:',
      '      chart: podinfo',
      '      version: 6.5.0',
      '      sourceRef:',
      '        kind: HelmRepository',
      '        name: podinfo',
      '        namespace: flux-system',
      '  valuesFrom:',
      '    - kind: ConfigMap',
      '      name: podinfo-values',
      '  values:',
      '    replicaCount: 2',
      '',
    ].join('\n'),
    'apps/production/podinfo-values.yaml':
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: podinfo-values\n  namespace: podinfo\ndata:\n  values.yaml: |\n    ui:\n      color: "#34577c"\n',
    'apps/production/web/deployment.yaml': deployment('web', `ghcr.io/acme/web:1.0.0${PIN}`),
  }
}
