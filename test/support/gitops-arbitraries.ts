/**
 * fast-check arbitraries of the documents Argo CD and Flux read, field by field from their CRDs: Applications (helm,
 * kustomize, directory, plugin, remote chart, multiple sources with `ref`, a Source Hydrator), ApplicationSets (list, git, matrix,
 * pull-request generators), Flux HelmReleases (v2: chart.spec, chartRef, values, valuesFrom, postRenderers) and
 * Kustomizations (v1: path, patches, images, postBuild, components, targetNamespace, namePrefix) — each field
 * well-formed most of the time, and otherwise hostile: YAML-special text, `$ARGOCD_APP_NAMESPACE`, `${var}`, `../`,
 * absolute paths, URLs to a loopback server, huge numbers, the wrong type. {@link repositoryFiles} is the repository
 * they name (a chart, a kustomize base, overlay and component, a directory, Flux folders).
 */
import fc from 'fast-check'
import {stringify} from 'yaml'

export const ORIGIN = 'https://github.com/example/fleet.git'

/** One arbitrary per loopback server: built once, shared by every field (building them is what costs). */
const memo = <T>(build: (lb: Loopback) => T): ((lb: Loopback) => T) => {
  const built = new WeakMap<Loopback, T>()
  return (lb) => {
    if (!built.has(lb)) built.set(lb, build(lb))
    return built.get(lb)!
  }
}

/** Where hostile URLs point: a loopback chart server (`http://127.0.0.1:PORT`). */
export interface Loopback {
  url: string
  host: string
  /** Well-formed fields only: the documents that reach the renderers (half of each batch). */
  tame?: boolean
}

const tameOf = memo((lb: Loopback): Loopback => ({...lb, tame: true}))

/** Raw YAML spliced in after stringify (`__RAW_n__` tokens): what a YAML 1.1 reader and a JSON one disagree on. */
export const RAW = [
  '0444',
  'yes',
  'on',
  'Off',
  '0x1F',
  '1_000',
  '123456789012345678901234567890123456789',
  '-9223372036854775809',
  '1e400',
  '.inf',
  '~',
  '!!binary AAAA',
  '!!str',
  '!custom {a: 1}',
  '{{ .Values.x }}',
  '[a, {b: c}]',
  '"\\u0000\\u202e"',
  '2001-12-14t21:59:43.10-05:00',
]

const hostileStrings = (lb: Loopback) => [
  '',
  ' ',
  '-',
  '---',
  '...',
  '- a',
  ': x',
  'a: b',
  '{a: b}',
  '[1, 2]',
  '&a [*a]',
  '*nope',
  '? x',
  '|',
  '>-',
  '#',
  '%YAML 1.1',
  'null',
  'true',
  'no',
  'y',
  '0444',
  '0o17',
  '1e400',
  '-0',
  'NaN',
  '9'.repeat(400),
  '$ARGOCD_APP_NAMESPACE',
  '$ARGOCD_APP_NAME',
  '${ARGOCD_APP_REVISION_SHORT}',
  '$ARGOCD_ENV_FOO',
  '${var}',
  '${var:=default}',
  '${var:-x}',
  '${',
  '$(shell)',
  '$$',
  '{{ .name }}',
  '{{',
  '}}',
  '{{ index .path.segments 9 }}',
  '{{ template "x" }}',
  '{{ fail "boom" }}',
  '{{ .Values.nope.deeper }}',
  '../',
  '../../../../etc/passwd',
  '/etc/passwd',
  '/',
  '.',
  './',
  '~/.ssh/id_rsa',
  'C:\\Windows',
  'a\\b',
  'values.yaml\u0000.txt',
  `${lb.url}/values.yaml`,
  `${lb.url}/charts`,
  `oci://${lb.host}/charts`,
  `${lb.host}/charts`,
  'http://127.0.0.1:1/x',
  'https://127.0.0.1:1/x',
  'file:///etc/passwd',
  'git::https://127.0.0.1:1/org/repo.git//base?ref=main',
  'github.com/kubernetes-sigs/kustomize/examples/helloWorld?ref=v1.0.6',
  '\u202egnp.exe',
  '\u001b[31mred',
  '::set-output name=x::y',
  '::error::forged',
  '\n',
  'line\nline',
  '"quoted"',
  "'single'",
  'ΩΩ ünï',
  '😀',
  'x'.repeat(5000),
  'UPPER_Case.name',
  'a/b',
  'web',
  'default',
  'kube-system',
]

/** A hostile string: the list above, or anything. */
export const hostileString = memo((lb: Loopback): fc.Arbitrary<string> =>
  lb.tame
    ? oneOf('web', 'a', 'x-1')
    : fc.oneof(
        {weight: 6, arbitrary: fc.constantFrom(...hostileStrings(lb))},
        {weight: 2, arbitrary: fc.string({maxLength: 24})},
        {weight: 1, arbitrary: fc.string({unit: 'binary', maxLength: 12})},
        {weight: 1, arbitrary: fc.integer({min: 0, max: RAW.length - 1}).map((i) => `__RAW_${i}__`)},
      ),
)

const scalar = memo((lb: Loopback): fc.Arbitrary<unknown> =>
  fc.oneof(
    {weight: 4, arbitrary: hostileString(lb)},
    {weight: 1, arbitrary: fc.constantFrom(0, -1, 1, 1e308, -1e308, 2 ** 53 + 1, 0.5, true, false, null)},
    {weight: 1, arbitrary: fc.double()},
  ),
)

/** Any value of the wrong shape: a scalar where a map is expected, a map or a list where a scalar is. */
export const wrongType = memo((lb: Loopback): fc.Arbitrary<unknown> =>
  lb.tame
    ? oneOf<unknown>('web')
    : fc.oneof(
        scalar(lb),
        fc.constantFrom({}, [], [[]], [{}]),
        fc.dictionary(fc.constantFrom('a', 'name', 'path', '', '$x', '{{x}}'), scalar(lb), {maxKeys: 3}),
        fc.array(scalar(lb), {maxLength: 3}),
      ),
)

/** `arb` most of the time (12 in 13); otherwise hostile (a string) or the wrong type. */
export const maybe = <T>(lb: Loopback, arb: fc.Arbitrary<T>): fc.Arbitrary<unknown> =>
  lb.tame
    ? arb
    : fc.oneof(
        {weight: 24, arbitrary: arb},
        {weight: 1, arbitrary: hostileString(lb)},
        {weight: 1, arbitrary: wrongType(lb)},
      )

/** A record of optional fields, each possibly hostile. */
const fields = (lb: Loopback, shape: Record<string, fc.Arbitrary<unknown>>) =>
  fc.record(Object.fromEntries(Object.entries(shape).map(([k, a]) => [k, maybe(lb, a)])), {requiredKeys: []})

const oneOf = <T>(...values: T[]) => fc.constantFrom(...values)
const list = <T>(arb: fc.Arbitrary<T>, maxLength = 3) => fc.array(arb, {maxLength})
const boolish = fc.oneof({weight: 4, arbitrary: fc.boolean()}, {weight: 1, arbitrary: oneOf('true', 'false', 'yes')})

/** One of the usual values four times in five; otherwise a hostile string. */
const text = (lb: Loopback, ...usual: string[]) =>
  lb.tame
    ? oneOf(...usual)
    : fc.oneof({weight: 4, arbitrary: oneOf(...usual)}, {weight: 1, arbitrary: hostileString(lb)})

/** Values of a chart: known keys of the chart, and anything. */
const values = memo((lb: Loopback): fc.Arbitrary<unknown> =>
  fc.oneof(
    {
      weight: 4,
      arbitrary: fields(lb, {
        replicaCount: fc.oneof(fc.integer({min: 0, max: 5}), scalar(lb)),
        image: fields(lb, {repository: oneOf('ghcr.io/acme/web', 'nginx'), tag: oneOf('1.0.0', 'latest', '')}),
        labels: fc.dictionary(oneOf('team', 'app', 'a/b', ''), hostileString(lb), {maxKeys: 3}),
        mode: oneOf<unknown>(292, '0444', '__RAW_0__'),
        enabled: boolish,
        name: text(lb, 'web'),
      }),
    },
    {weight: 1, arbitrary: wrongType(lb)},
  ),
)

const valuesText = memo((lb: Loopback): fc.Arbitrary<string> =>
  fc.oneof(
    values(lb).map((v) => stringify(v)),
    values(lb).map((v) => JSON.stringify(v) ?? 'null'),
    hostileString(lb),
    oneOf('replicaCount: 3\n', 'image:\n  tag: "2.0"\n', '{"replicaCount": 2}', 'a: [unclosed', ': :', '- 1\n- 2\n'),
  ),
)

const valueFile = memo((lb: Loopback) =>
  fc.oneof(
    oneOf('values.yaml', 'values-prod.yaml', 'missing.yaml', 'values-*.yaml', '*.yaml', '$values/values/prod.yaml'),
    oneOf('$values/missing.yaml', '../../values/prod.yaml', '/values/prod.yaml'),
    hostileString(lb),
  ),
)

const helm = memo((lb: Loopback) =>
  fields(lb, {
    values: valuesText(lb),
    valuesObject: values(lb),
    valueFiles: list(valueFile(lb)),
    ignoreMissingValueFiles: boolish,
    parameters: list(
      fields(lb, {
        name: oneOf('replicaCount', 'image.tag', 'labels.a', 'x[0]', 'a\\.b'),
        value: text(lb, '3', 'v2', 'a,b'),
        forceString: boolish,
      }),
    ),
    fileParameters: list(fields(lb, {name: oneOf('config', 'labels.file'), path: valueFile(lb)})),
    releaseName: text(lb, 'web', 'rel-1'),
    namespace: oneOf('web', 'other', ''),
    kubeVersion: oneOf('1.29.0', 'v1.30', '1.34', 'nope'),
    apiVersions: list(oneOf('monitoring.coreos.com/v1', 'monitoring.coreos.com/v1/ServiceMonitor', '')),
    skipCrds: boolish,
    skipSchemaValidation: boolish,
    skipTests: boolish,
    passCredentials: boolish,
    version: oneOf('v3', 'v2', 'v4'),
  }),
)

const image = memo((lb: Loopback) =>
  fc.oneof(
    oneOf(
      'nginx=nginx:1.27',
      'nginx:1.27',
      'nginx=ghcr.io/acme/web:$ARGOCD_APP_REVISION_SHORT',
      'web=*:2.0',
      'x@sha256:abc',
    ),
    hostileString(lb),
  ),
)

const patch = memo((lb: Loopback) =>
  fields(lb, {
    target: fields(lb, {
      kind: oneOf('Deployment', 'ConfigMap', ''),
      name: oneOf('web', '.*', ''),
      labelSelector: text(lb, 'app=web'),
    }),
    patch: oneOf(
      '- op: replace\n  path: /spec/replicas\n  value: 3\n',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 4\n',
      '- op: remove\n  path: /nope\n',
      '[',
    ),
    path: oneOf('patch.yaml', '../patch.yaml', '/etc/passwd'),
    options: fields(lb, {allowNameChange: boolish, allowKindChange: boolish}),
  }),
)

const kustomize = memo((lb: Loopback) =>
  fields(lb, {
    namePrefix: text(lb, 'pre-', 'x-'),
    nameSuffix: text(lb, '-suf'),
    images: list(image(lb)),
    commonLabels: fc.dictionary(oneOf('team', 'app', 'a/b', '$x'), text(lb, 'a', 'b'), {maxKeys: 3}),
    commonAnnotations: fc.dictionary(
      oneOf('note', 'env'),
      text(lb, 'n', '$ARGOCD_APP_NAMESPACE', '${ARGOCD_APP_NAME}'),
      {maxKeys: 3},
    ),
    commonAnnotationsEnvsubst: boolish,
    labelWithoutSelector: boolish,
    labelIncludeTemplates: boolish,
    forceCommonLabels: boolish,
    forceCommonAnnotations: boolish,
    namespace: text(lb, 'web', 'other'),
    replicas: list(
      fields(lb, {name: oneOf('web', 'nope'), count: fc.oneof(fc.integer({min: -1, max: 9}), hostileString(lb))}),
    ),
    patches: list(patch(lb)),
    components: list(oneOf('../components/extra', '../components/missing', '/abs', 'https://127.0.0.1:1/c')),
    ignoreMissingComponents: boolish,
    kubeVersion: oneOf('1.29.0', 'nope'),
    apiVersions: list(oneOf('monitoring.coreos.com/v1')),
    version: oneOf('v5.8.1', 'v3'),
  }),
)

const directory = memo((lb: Loopback) =>
  fields(lb, {
    recurse: boolish,
    include: oneOf('*.yaml', '{a,b}.yaml', '[', '**/*', ''),
    exclude: oneOf('*.json', 'skip/*', '{'),
    jsonnet: fields(lb, {
      extVars: list(fields(lb, {name: oneOf('env', 'x'), value: text(lb, 'prod'), code: boolish})),
      tlas: list(fields(lb, {name: oneOf('replicas', 'x'), value: oneOf('3', 'true', '{', '"x"'), code: boolish})),
      libs: list(oneOf('lib', '../lib', '/etc')),
    }),
  }),
)

const plugin = memo((lb: Loopback) =>
  fields(lb, {
    name: text(lb, 'cmp'),
    env: list(fields(lb, {name: oneOf('FOO', '$BAR', ''), value: hostileString(lb)})),
    parameters: list(
      fields(lb, {
        name: hostileString(lb),
        string: hostileString(lb),
        array: list(hostileString(lb)),
        map: fc.dictionary(oneOf('k'), hostileString(lb)),
      }),
    ),
  }),
)

const originPath = (lb: Loopback, usual: string[]) =>
  fc.oneof({weight: 3, arbitrary: oneOf(...usual)}, {weight: 1, arbitrary: hostileString(lb)})

/** One Argo CD source: of this repository (helm, kustomize, directory, plugin) or a remote chart. */
const source = memo((lb: Loopback): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.record({
      repoURL: fc.constant(ORIGIN),
      targetRevision: maybe(lb, oneOf('HEAD', 'main', 'v1')),
      path: originPath(lb, ['charts/app', './charts/app/', 'charts/missing']),
      helm: helm(lb),
    }),
    fc.record({
      repoURL: fc.constant(ORIGIN),
      path: originPath(lb, ['kust/overlay', 'kust/base', 'kust/overlay/']),
      kustomize: kustomize(lb),
    }),
    fc.record({
      repoURL: fc.constant(ORIGIN),
      path: originPath(lb, ['manifests', 'manifests/sub', '.']),
      directory: directory(lb),
    }),
    fc.record({repoURL: fc.constant(ORIGIN), path: originPath(lb, ['manifests']), plugin: plugin(lb)}),
    fc.record({
      repoURL: text(lb, `${lb.url}/charts`, `oci://${lb.host}/charts`, `${lb.host}/charts`),
      chart: maybe(lb, oneOf('web', 'nope')),
      targetRevision: maybe(lb, oneOf('1.0.0', '1.x', '*', '>=1.0.0 <2', '')),
      helm: helm(lb),
    }),
  ),
)

/** Multiple sources: a `ref` source of this repository, and one or two that read `$values/…` from it. */
const sources = memo((lb: Loopback) =>
  fc
    .tuple(
      fc.record({
        repoURL: fc.constant(ORIGIN),
        targetRevision: fc.constant('HEAD'),
        ref: maybe(lb, oneOf('values', 'v-1', '')),
      }),
      list(source(lb), 2),
    )
    .map(([ref, rest]) => [ref, ...rest]),
)

/** A Source Hydrator: any source as its dry source (a `chart` there is no field of it), where it commits. */
const sourceHydrator = memo((lb: Loopback) =>
  fields(lb, {
    drySource: source(lb),
    syncSource: fields(lb, {
      targetBranch: text(lb, 'environments/dev', ''),
      path: text(lb, 'hydrated/web', '.', './', '/', 'a/..'),
      repoURL: text(lb, ORIGIN, 'https://github.com/example/hydrated.git'),
    }),
    hydrateTo: fields(lb, {targetBranch: text(lb, 'environments/dev-next', '')}),
  }),
)

const destination = memo((lb: Loopback) =>
  fields(lb, {
    server: oneOf('https://kubernetes.default.svc', 'https://127.0.0.1:1'),
    name: oneOf('in-cluster', 'prod'),
    namespace: text(lb, 'web', 'dev', 'kube-system'),
  }),
)

const applicationSpec = memo((lb: Loopback) =>
  fc.oneof(
    fc.record({
      project: maybe(lb, oneOf('default', 'apps')),
      destination: destination(lb),
      source: maybe(lb, source(lb)),
    }),
    fc.record({project: maybe(lb, oneOf('default')), destination: destination(lb), sources: maybe(lb, sources(lb))}),
    fc.record({project: maybe(lb, oneOf('default')), destination: destination(lb), sourceHydrator: sourceHydrator(lb)}),
  ),
)

export const application = memo((lb: Loopback) =>
  fc.record({
    apiVersion: fc.constant('argoproj.io/v1alpha1'),
    kind: fc.constant('Application'),
    metadata: fc.oneof(
      {weight: 9, arbitrary: fc.record({name: fc.constant(NAME), namespace: maybe(lb, fc.constant('argocd'))})},
      {weight: 1, arbitrary: wrongType(lb)},
    ),
    spec: fc.oneof({weight: 12, arbitrary: applicationSpec(lb)}, {weight: 1, arbitrary: wrongType(lb)}),
  }),
)

const listGenerator = memo((lb: Loopback) =>
  fc.record({
    list: fields(lb, {
      elements: list(
        fc.dictionary(
          oneOf('name', 'env', 'path', 'values', 'ns'),
          fc.oneof(hostileString(lb), fields(lb, {a: hostileString(lb)})),
          {maxKeys: 4},
        ),
        3,
      ),
      elementsYaml: oneOf('- name: a\n', '[', '- {name: "{{ x }}"}\n'),
    }),
  }),
)

const gitGenerator = memo((lb: Loopback) =>
  fc.record({
    git: fields(lb, {
      repoURL: oneOf(ORIGIN, `${lb.url}/other.git`),
      revision: oneOf('HEAD', 'main'),
      directories: list(fields(lb, {path: oneOf('kust/*', 'apps/*', '**', '[', '../*'), exclude: boolish})),
      files: list(fields(lb, {path: oneOf('environments/**/component.yaml', 'values/*.yaml', '/etc/passwd', '**')})),
      pathParamPrefix: text(lb, 'p'),
    }),
  }),
)

const pullRequestGenerator = memo((lb: Loopback) =>
  fc.record({
    pullRequest: fields(lb, {
      github: fields(lb, {
        owner: oneOf('example'),
        repo: oneOf('fleet'),
        api: oneOf('https://127.0.0.1:1'),
        labels: list(hostileString(lb)),
      }),
      filters: list(fields(lb, {branchMatch: oneOf('.*', '(', 'feat-.*')})),
      requeueAfterSeconds: fc.oneof(fc.integer(), hostileString(lb)),
    }),
  }),
)

const generator = memo((lb: Loopback): fc.Arbitrary<unknown> =>
  fc.oneof(
    listGenerator(lb),
    gitGenerator(lb),
    pullRequestGenerator(lb),
    fc.record({
      matrix: fields(lb, {generators: fc.tuple(listGenerator(lb), fc.oneof(listGenerator(lb), gitGenerator(lb)))}),
    }),
    fc.record({merge: fields(lb, {mergeKeys: list(oneOf('name')), generators: list(listGenerator(lb), 2)})}),
    wrongType(lb),
  ),
)

const templated = memo((lb: Loopback) =>
  text(lb, '{{ .name }}', '{{name}}', '{{ .path.basename }}', '{{path.basename}}', 'fixed', '{{ .values.x }}'),
)

export const applicationSet = memo((lb: Loopback) =>
  fc.record({
    apiVersion: fc.constant('argoproj.io/v1alpha1'),
    kind: fc.constant('ApplicationSet'),
    metadata: fc.record({name: fc.constant(NAME), namespace: fc.constant('argocd')}),
    spec: fields(lb, {
      goTemplate: boolish,
      goTemplateOptions: list(oneOf('missingkey=error', 'missingkey=zero', 'nope')),
      generators: fc.array(generator(lb), {minLength: 1, maxLength: 2}),
      template: fields(lb, {
        metadata: fields(lb, {name: templated(lb), labels: fc.dictionary(oneOf('env'), templated(lb), {maxKeys: 1})}),
        spec: fc.tuple(applicationSpec(lb), templated(lb)).map(([spec, t]) => ({
          ...(spec as object),
          destination: {server: 'https://kubernetes.default.svc', namespace: t},
        })),
      }),
      templatePatch: oneOf('spec:\n  project: "{{ .name }}"\n', '{{ fail "x" }}', '[', ''),
      syncPolicy: fields(lb, {preserveResourcesOnDeletion: boolish}),
    }),
  }),
)

const fluxMeta = (lb: Loopback) =>
  fc.record({name: fc.constant(NAME), namespace: maybe(lb, oneOf('flux-system', 'web'))})

/** A HelmRelease's `chart.spec`: a chart of a HelmRepository or this repository, its valuesFiles, its verify. */
const chartSpec = (lb: Loopback) =>
  maybe(
    lb,
    fields(lb, {
      spec: fields(lb, {
        chart: oneOf('web', './charts/app', 'charts/app', '../charts/app', '/charts/app'),
        version: oneOf('1.0.0', '1.x', '*', ''),
        sourceRef: fields(lb, {
          kind: oneOf('HelmRepository', 'GitRepository', 'Bucket', 'Nope'),
          name: oneOf('charts', 'flux-system', 'oci', 'missing'),
          namespace: oneOf('flux-system'),
        }),
        valuesFiles: list(
          oneOf('charts/app/values.yaml', 'charts/app/values-prod.yaml', 'values.yaml', '../x.yaml', '/etc/passwd'),
        ),
        ignoreMissingValuesFiles: boolish,
        reconcileStrategy: oneOf('ChartVersion', 'Revision'),
        verify: fields(lb, {
          provider: oneOf('cosign', 'notation'),
          secretRef: fields(lb, {name: oneOf('cosign-pub')}),
        }),
      }),
    }),
  )

/** A HelmRelease's chart: `chart.spec` (a HelmRepository's, or a GitRepository's folder) most often, or `chartRef`. */
const releaseChart = memo((lb: Loopback) =>
  fc.oneof(
    {
      weight: 2,
      arbitrary: fc.record({
        chart: fc.constant({
          spec: {
            chart: 'web',
            version: '1.0.0',
            sourceRef: {kind: 'HelmRepository', name: 'charts', namespace: 'flux-system'},
          },
        }),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        chart: fc.constant({
          spec: {
            chart: './charts/app',
            sourceRef: {kind: 'GitRepository', name: 'flux-system', namespace: 'flux-system'},
          },
        }),
      }),
    },
    {
      weight: 4,
      arbitrary: fc.record({
        chart: chartSpec(lb),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        chartRef: maybe(
          lb,
          fields(lb, {
            kind: oneOf('OCIRepository', 'HelmChart', 'Nope'),
            name: oneOf('web', 'missing'),
            namespace: oneOf('flux-system'),
          }),
        ),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        chart: chartSpec(lb),
        chartRef: maybe(
          lb,
          fields(lb, {
            kind: oneOf('OCIRepository', 'HelmChart', 'Nope'),
            name: oneOf('web', 'missing'),
            namespace: oneOf('flux-system'),
          }),
        ),
      }),
    },
  ),
)

export const helmRelease = memo((lb: Loopback) =>
  fc.record({
    apiVersion: fc.constant('helm.toolkit.fluxcd.io/v2'),
    kind: fc.constant('HelmRelease'),
    metadata: fluxMeta(lb),
    spec: fc
      .tuple(
        releaseChart(lb),
        fields(lb, {
          interval: oneOf('10m', 'nope'),
          values: values(lb),
          valuesFrom: list(
            fields(lb, {
              kind: oneOf('ConfigMap', 'Secret', 'Nope'),
              name: oneOf('web-values', 'web-secret', 'missing'),
              valuesKey: oneOf('values.yaml', 'replicas', ''),
              targetPath: oneOf('replicaCount', 'image.tag', 'a[0]', '', '..'),
              optional: boolish,
            }),
          ),
          postRenderers: list(
            fields(lb, {
              kustomize: fields(lb, {
                patches: list(patch(lb)),
                images: list(
                  fields(lb, {
                    name: oneOf('ghcr.io/acme/web', 'nginx'),
                    newName: text(lb, 'ghcr.io/acme/other'),
                    newTag: text(lb, '2.0.0'),
                    digest: oneOf(`sha256:${'a'.repeat(64)}`, 'x'),
                  }),
                ),
              }),
            }),
          ),
          targetNamespace: text(lb, 'web', 'other'),
          releaseName: text(lb, 'web', 'rel-1'),
          storageNamespace: oneOf('web'),
          install: fields(lb, {
            disableSchemaValidation: boolish,
            crds: oneOf('Create', 'Skip', 'CreateReplace'),
            createNamespace: boolish,
          }),
          upgrade: fields(lb, {disableSchemaValidation: boolish, crds: oneOf('Skip')}),
          commonMetadata: fields(lb, {
            labels: fc.dictionary(oneOf('team'), hostileString(lb), {maxKeys: 2}),
            annotations: fc.dictionary(oneOf('note'), hostileString(lb), {maxKeys: 2}),
          }),
          kubeConfig: fields(lb, {secretRef: fields(lb, {name: oneOf('remote')})}),
          suspend: boolish,
          dependsOn: list(fields(lb, {name: oneOf('other')})),
        }),
      )
      .map(([chart, rest]) => ({...rest, ...chart})),
  }),
)

export const fluxKustomization = memo((lb: Loopback) =>
  fc.record({
    apiVersion: fc.constant('kustomize.toolkit.fluxcd.io/v1'),
    kind: fc.constant('Kustomization'),
    metadata: fluxMeta(lb),
    spec: fields(lb, {
      interval: oneOf('10m'),
      path: text(lb, './kust/overlay', './apps/g1', 'kust/base', './manifests', './', './clusters/production'),
      prune: boolish,
      sourceRef: fields(lb, {
        kind: oneOf('GitRepository', 'OCIRepository', 'Bucket'),
        name: oneOf('flux-system', 'other'),
      }),
      patches: list(patch(lb)),
      images: list(
        fields(lb, {
          name: oneOf('nginx', 'ghcr.io/acme/web'),
          newName: text(lb, 'ghcr.io/acme/other'),
          newTag: text(lb, '2.0.0'),
          digest: text(lb, `sha256:${'b'.repeat(64)}`),
        }),
      ),
      postBuild: fields(lb, {
        substitute: fc.dictionary(oneOf('var', 'cluster_env', 'REPLICAS', 'a-b', ''), text(lb, 'x', '3'), {maxKeys: 3}),
        substituteFrom: list(
          fields(lb, {
            kind: oneOf('ConfigMap', 'Secret', 'Nope'),
            name: oneOf('cluster-vars', 'missing'),
            optional: boolish,
          }),
        ),
        substituteStrategy: oneOf('Always', 'IfNotPresent', 'nope'),
      }),
      components: list(oneOf('../components/extra', 'kust/components/extra', '/abs', '../missing')),
      ignoreMissingComponents: boolish,
      targetNamespace: text(lb, 'web', 'other'),
      namePrefix: text(lb, 'pre-'),
      nameSuffix: text(lb, '-suf'),
      commonMetadata: fields(lb, {labels: fc.dictionary(oneOf('team'), hostileString(lb), {maxKeys: 2})}),
      decryption: fields(lb, {provider: oneOf('sops')}),
      wait: boolish,
      force: boolish,
    }),
  }),
)

/** A GitRepository (flux-system's or another): what its artifact holds, patterns and directories hostile too. */
export const gitRepository = memo((lb: Loopback) =>
  fc.record({
    apiVersion: fc.constant('source.toolkit.fluxcd.io/v1'),
    kind: fc.constant('GitRepository'),
    metadata: fc.record({name: oneOf('flux-system', 'other'), namespace: maybe(lb, oneOf('flux-system'))}),
    spec: fields(lb, {
      interval: oneOf('1m'),
      url: text(lb, ORIGIN, 'https://github.com/example/other.git'),
      ref: fields(lb, {branch: oneOf('main')}),
      ignore: text(lb, '/kust/base/\n', '*.yaml\n!kust/**\n', '# all\n/**\n', 'manifests/sub\n', '\\#[!x]\n'),
      sparseCheckout: list(text(lb, './kust', 'manifests', 'apps/', '../outside', '/abs', '')),
    }),
  }),
)

/** The name every generated document is given, replaced by its slot's (`g<i>`) when the batch is written. */
const NAME = '__NAME__'

/** One generated document and the kind of folder it is read from. */
const document = memo((lb: Loopback) =>
  fc.oneof(
    {weight: 4, arbitrary: application(lb).map((doc) => ({at: 'argocd', doc}))},
    {weight: 2, arbitrary: applicationSet(lb).map((doc) => ({at: 'argocd', doc}))},
    {weight: 3, arbitrary: helmRelease(lb).map((doc) => ({at: 'apps', doc}))},
    {weight: 2, arbitrary: fluxKustomization(lb).map((doc) => ({at: 'clusters', doc}))},
    {weight: 1, arbitrary: gitRepository(lb).map((doc) => ({at: 'clusters', doc}))},
  ),
)

const FOLDERS: Record<string, (i: number) => string> = {
  argocd: () => 'argocd',
  apps: (i) => `apps/g${i % 4}`,
  clusters: () => 'clusters/production',
}

/** A batch of `n` documents in YAML (file → text), each named after its slot, `__RAW_n__` spliced in. */
export const batch = (lb: Loopback, n: number): fc.Arbitrary<Record<string, string>> =>
  fc
    .array(fc.oneof(document(lb), document(tameOf(lb))), {minLength: n, maxLength: n})
    .map((docs) =>
      Object.fromEntries(
        docs.map(({at, doc}, i) => [`${FOLDERS[at](i)}/g${i}.yaml`, toYaml(doc).replaceAll(NAME, `g${i}`)]),
      ),
    )

export function toYaml(doc: unknown): string {
  return stringify(doc, {lineWidth: 0}).replace(/__RAW_(\d+)__/g, (_, i: string) => RAW[Number(i)])
}

/** The repository the documents name: a chart, a kustomize base/overlay/component, a directory, Flux's folders. */
export function repositoryFiles(lb: Loopback): Record<string, string> {
  const flux = (name: string, path: string) =>
    toYaml({
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: {name, namespace: 'flux-system'},
      spec: {interval: '10m', path, prune: true, sourceRef: {kind: 'GitRepository', name: 'flux-system'}},
    })
  const files: Record<string, string> = {
    'ameide.yaml': `gitopsPolicy:\n  charts:\n    insecure: ["127.0.0.1"]\n`,
    'charts/app/Chart.yaml': 'apiVersion: v2\nname: app\nversion: 0.1.0\n',
    'charts/app/values.yaml':
      'replicaCount: 1\nimage: {repository: ghcr.io/acme/web, tag: "1.0.0"}\nlabels: {}\nmode: 420\n',
    'charts/app/values-prod.yaml': 'replicaCount: 2\n',
    'charts/app/templates/deployment.yaml': [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: {{ .Release.Name | trunc 50 | trimSuffix "-" }}',
      '  namespace: {{ .Release.Namespace }}',
      '  labels:',
      '    {{- with .Values.labels }}{{ toYaml . | nindent 4 }}{{ end }}',
      'spec:',
      '  replicas: {{ .Values.replicaCount }}',
      '  selector: {matchLabels: {app: web}}',
      '  template:',
      '    metadata: {labels: {app: web}}',
      '    spec:',
      '      containers:',
      '        - name: web',
      '          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"',
      '      volumes:',
      '        - name: c',
      '          configMap: {name: c, defaultMode: {{ .Values.mode }}}',
      '',
    ].join('\n'),
    'values/prod.yaml': 'replicaCount: 3\n',
    'kust/base/kustomization.yaml': 'resources: [deployment.yaml]\n',
    'kust/base/deployment.yaml':
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: nginx, image: nginx:1.25}]\n',
    'kust/overlay/kustomization.yaml': 'resources: [../base]\nnamePrefix: own-\n',
    'kust/components/extra/kustomization.yaml':
      'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\ncommonLabels: {extra: "true"}\n',
    'manifests/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {a: "${var}"}\n',
    'manifests/sub/cm.json': '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "sub"}}\n',
    'manifests/app.jsonnet':
      'function(replicas=1) {apiVersion: "v1", kind: "ConfigMap", metadata: {name: "j"}, data: {r: std.toString(replicas)}}\n',
    // Beside the folder the documents land in: a batch that breaks clusters/production's build fails the roots it
    // prints (issue 94), and these four are to render whatever the batch holds.
    'clusters/staging/apps.yaml': [0, 1, 2, 3].map((g) => flux(`apps-g${g}`, `./apps/g${g}`)).join('---\n'),
    // One well-formed Argo CD kustomize Application (Argo CD's guide's options), so every run renders such a root.
    'argocd/kustomize-guide.yaml': toYaml({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: {name: 'kustomize-guide', namespace: 'argocd'},
      spec: {
        project: 'default',
        destination: {server: 'https://kubernetes.default.svc', namespace: 'web'},
        source: {
          repoURL: ORIGIN,
          targetRevision: 'HEAD',
          path: 'kust/overlay',
          kustomize: {namePrefix: 'guide-', images: ['nginx=ghcr.io/acme/nginx:1.27'], commonLabels: {team: 'guide'}},
        },
      },
    }),
    'clusters/production/sources.yaml': [
      toYaml({
        apiVersion: 'source.toolkit.fluxcd.io/v1',
        kind: 'HelmRepository',
        metadata: {name: 'charts', namespace: 'flux-system'},
        spec: {interval: '10m', url: `${lb.url}/charts`},
      }),
      toYaml({
        apiVersion: 'source.toolkit.fluxcd.io/v1',
        kind: 'HelmRepository',
        metadata: {name: 'oci', namespace: 'flux-system'},
        spec: {interval: '10m', type: 'oci', url: `oci://${lb.host}/charts`},
      }),
      toYaml({
        apiVersion: 'source.toolkit.fluxcd.io/v1',
        kind: 'OCIRepository',
        metadata: {name: 'web', namespace: 'flux-system'},
        spec: {interval: '10m', url: `oci://${lb.host}/charts/web`, ref: {tag: '1.0.0'}},
      }),
      toYaml({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {name: 'web-values', namespace: 'flux-system'},
        data: {'values.yaml': 'replicaCount: 4\n', replicas: '5'},
      }),
      toYaml({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {name: 'cluster-vars', namespace: 'flux-system'},
        data: {var: 'x', cluster_env: 'prod'},
      }),
    ].join('---\n'),
  }
  for (const g of [0, 1, 2, 3]) files[`apps/g${g}/.keep`] = ''
  return files
}
