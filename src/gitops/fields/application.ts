/**
 * Argo CD Application (argoproj/argo-cd v3.5.1, manifests/crds/application-crd.yaml): the field table. A source's
 * fields are written once, as `spec.source.*`; `spec.sources[].*` is classified as `spec.source.*` (the repo-server
 * renders each source of a multi-source Application as it renders `spec.source`).
 */
import {exact, notRendering, unsupported, type Rules} from './model.js'

const HELM = 'gitops/render-helm.test.ts'
const SOURCES = 'gitops/diff-sources.test.ts'
const JSONNET = 'gitops/render-jsonnet.test.ts'
const HISTORY = 'gitops/diff-history.test.ts'
const REMOTE = 'gitops/remote-charts.test.ts'

const judged = 'judges each Application at the values line that decided the image, per environment'
const refs =
  'confines value files to the repository, resolves $values refs, builds file:// dependencies outside the checkout'
const directory =
  'verify --render reads a directory source as Argo CD does: recurse, exclude, lists, skipped and unrelated files'
const tlas = "substitutes the Application's variables in TLA and extVar values, `$$` a `$`, an unknown one empty"
const kustomizeBase = 'values, kustomize images and a kustomize base: each deployable with its image moves'
const bump = 'a targetRevision bump diffs into the objects helm template says change'
const OPTIONS = 'gitops/argo-kustomize-options.test.ts'
const options =
  'namespace, commonLabels, commonAnnotations (forced or not), replicas, patches and images render as Argo CD renders them'
const HELM_OPTIONS = 'gitops/argo-helm-options.test.ts'
const helmOptions =
  'values as YAML text, skipCrds, skipTests, fileParameters and skipSchemaValidation render as Argo CD renders them'
const plugin = 'jsonnet rendered by the render module, a plugin source touched: incomplete, the plugin named, exit 1'

const strings = (vs: readonly unknown[]) => vs.flatMap((v) => (Array.isArray(v) ? v : [v])).map((v) => String(v))
const glob = /[*?[]/
/** One part of a valueFiles glob as a regular expression (`**` any path, `*` and `?` within a name, a class). */
function globPart(part: string): string {
  if (part === '**') return '.*'
  if (part === '*') return '[^/]*'
  if (part === '?') return '[^/]'
  if (/^\[[^\]]+\]$/.test(part)) return part.replace(/^\[!/, '[^').replace(/\\/g, '\\\\')
  return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
/** Whether a valueFiles glob matches another entry as written (a glob that is no valid pattern matches nothing). */
function globMatches(g: string, f: string): boolean {
  try {
    return new RegExp(
      `^${g
        .split(/(\*\*|\*|\?|\[[^\]]+\])/)
        .map(globPart)
        .join('')}$`,
    ).test(f)
  } catch {
    return false
  }
}
/**
 * Argo CD >= 3.5 (reposerver/repository getResolvedValueFiles): a file a glob matches that is also listed explicitly
 * takes the explicit entry's place, and a file listed twice keeps its first place; the gate lists it each time.
 */
function reordered(files: readonly string[]): boolean {
  const explicit = files.filter((f) => !glob.test(f))
  if (new Set(explicit).size < explicit.length) return true
  return files.filter((f) => glob.test(f)).some((g) => explicit.some((f) => globMatches(g, f)))
}

/** The fields of a source (`spec.source`, each of `spec.sources`, the template's in an ApplicationSet). */
const source: Rules = {
  'spec.source.repoURL': exact(
    REMOTE,
    bump,
    'this repository or a chart repository; another git repository is render-unavailable, named',
  ),
  'spec.source.targetRevision': exact(
    REMOTE,
    bump,
    "a chart's version; for this repository, the revision under review",
  ),
  'spec.source.path': exact(SOURCES, kustomizeBase),
  'spec.source.chart': exact(REMOTE, bump),
  'spec.source.ref': exact(HELM, refs),
  'spec.source.name': notRendering('a name for the source (UI, CLI), not read by the render'),
  'spec.source.tagPrefix': unsupported(
    'spec.source.tagPrefix (the tag prefix Argo CD strips when it resolves targetRevision) is not read by the gate, so the revision it selects is not rendered.',
  ),
  'spec.source.helm.valueFiles[]': unsupported(
    'a value file both matched by a valueFiles glob and listed explicitly (or listed twice): Argo CD >= 3.5 applies it once, at its explicit (first) place, the gate at each, so this source is not rendered.',
    {test: {file: HELM, title: judged}, when: (vs) => reordered(strings(vs))},
  ),
  'spec.source.helm.ignoreMissingValueFiles': exact(HELM, judged),
  'spec.source.helm.values': exact(HELM_OPTIONS, helmOptions),
  'spec.source.helm.valuesObject': exact(REMOTE, bump),
  'spec.source.helm.parameters[].name': exact(HELM, judged),
  'spec.source.helm.parameters[].value': exact(HELM, judged),
  'spec.source.helm.parameters[].forceString': unsupported(
    'one helm parameter given both with and without forceString: helm applies --set-string after --set, the gate applies them in the written order, so this source is not rendered.',
    {
      test: {file: HELM, title: judged},
      when: (_, src) => {
        const params = (src.helm as {parameters?: unknown} | undefined)?.parameters
        const list = Array.isArray(params) ? (params as Array<{name?: unknown; forceString?: unknown}>) : []
        const forced = new Set(list.filter((p) => p?.forceString === true).map((p) => p.name))
        return list.some((p) => p?.forceString !== true && forced.has(p?.name))
      },
    },
  ),
  'spec.source.helm.fileParameters[].name': exact(HELM_OPTIONS, helmOptions),
  'spec.source.helm.fileParameters[].path': exact(HELM_OPTIONS, helmOptions),
  'spec.source.helm.releaseName': exact(HELM, judged),
  'spec.source.helm.namespace': unsupported(
    'helm.namespace: Argo CD leaves objects in the destination namespace (only what templates .Release.Namespace moves), the gate moves them all, so this source is not rendered.',
  ),
  'spec.source.helm.kubeVersion': unsupported(
    'helm.kubeVersion is not passed to helm by the gate (it renders with gitopsPolicy.render.kubernetesVersion), so this source is not rendered.',
  ),
  'spec.source.helm.apiVersions[]': unsupported(
    'helm.apiVersions are not passed to helm by the gate (it renders with gitopsPolicy.render.apiVersions), so this source is not rendered.',
  ),
  'spec.source.helm.skipCrds': exact(HELM_OPTIONS, helmOptions),
  'spec.source.helm.skipTests': exact(HELM_OPTIONS, helmOptions),
  'spec.source.helm.skipSchemaValidation': exact(HELM_OPTIONS, helmOptions),
  'spec.source.helm.passCredentials': notRendering('credentials passed to other hosts'),
  'spec.source.helm.version': notRendering(
    'the Helm major version (v3): the gate renders with Helm 4 and Helm 3 alike',
  ),
  'spec.source.kustomize.images[]': unsupported(
    'a kustomize image naming an Argo CD variable ($ARGOCD_APP_…): Argo CD substitutes it, the gate does not, so this source is not rendered.',
    {
      test: {file: SOURCES, title: kustomizeBase},
      when: (vs) => strings(vs).some((i) => /\$\{?ARGOCD_APP_/.test(i)),
    },
  ),
  'spec.source.kustomize.namePrefix': unsupported(
    "kustomize.namePrefix: Argo CD's `kustomize edit set nameprefix` replaces the kustomization's own prefix, the gate adds to it, so this source is not rendered.",
  ),
  'spec.source.kustomize.nameSuffix': unsupported(
    "kustomize.nameSuffix: Argo CD's `kustomize edit set namesuffix` replaces the kustomization's own suffix, the gate adds to it, so this source is not rendered.",
  ),
  'spec.source.kustomize.namespace': exact(OPTIONS, options),
  'spec.source.kustomize.commonLabels': unsupported(
    "a kustomize.commonLabels value naming a variable ($…): Argo CD substitutes the Application's variables in it, the gate does not, so this source is not rendered.",
    {
      test: {file: OPTIONS, title: options},
      when: (vs) => vs.some((m) => Object.values(m as object).some((v) => String(v).includes('$'))),
    },
  ),
  'spec.source.kustomize.commonAnnotations': exact(OPTIONS, options),
  'spec.source.kustomize.forceCommonLabels': exact(OPTIONS, options),
  'spec.source.kustomize.forceCommonAnnotations': exact(OPTIONS, options),
  'spec.source.kustomize.commonAnnotationsEnvsubst': unsupported(
    'kustomize.commonAnnotationsEnvsubst: Argo CD substitutes its variables in commonAnnotations, the gate does not, so this source is not rendered.',
    {when: (vs) => vs.includes(true)},
  ),
  'spec.source.kustomize.labelWithoutSelector': unsupported(
    'kustomize.labelWithoutSelector: Argo CD labels neither selectors nor (without labelIncludeTemplates) pod templates, the gate does, so this source is not rendered.',
    {when: (vs) => vs.includes(true)},
  ),
  'spec.source.kustomize.labelIncludeTemplates': unsupported(
    'kustomize.labelIncludeTemplates is not applied by the gate, so this source is not rendered.',
    {when: (vs) => vs.includes(true)},
  ),
  'spec.source.kustomize.ignoreMissingComponents': unsupported(
    'kustomize.ignoreMissingComponents: Argo CD skips the components that do not exist, the gate fails on them, so this source is not rendered.',
    {when: (vs) => vs.includes(true)},
  ),
  'spec.source.kustomize.components[]': unsupported(
    "kustomize.components: Argo CD adds them to the folder's own kustomization (its labels, annotations and namespace reach the components' objects), the gate beside it, so this source is not rendered.",
  ),
  'spec.source.kustomize.replicas[].name': exact(OPTIONS, options),
  'spec.source.kustomize.replicas[].count': exact(OPTIONS, options),
  'spec.source.kustomize.patches[].**': exact(OPTIONS, options),
  'spec.source.kustomize.kubeVersion': unsupported(
    'kustomize.kubeVersion (the Kubernetes version of helmCharts inflation) is not passed by the gate, so this source is not rendered.',
  ),
  'spec.source.kustomize.apiVersions[]': unsupported(
    'kustomize.apiVersions (the API versions of helmCharts inflation) are not passed by the gate, so this source is not rendered.',
  ),
  'spec.source.kustomize.version': unsupported(
    'kustomize.version selects another kustomize binary: the gate renders with kustomize 5.8.1 only, so this source is not rendered.',
  ),
  'spec.source.directory.recurse': exact(SOURCES, directory),
  'spec.source.directory.include': exact(SOURCES, directory),
  'spec.source.directory.exclude': exact(SOURCES, directory),
  'spec.source.directory.jsonnet.tlas[].**': exact(JSONNET, tlas),
  'spec.source.directory.jsonnet.extVars[].**': exact(JSONNET, tlas),
  'spec.source.directory.jsonnet.libs[]': exact(
    JSONNET,
    'a lib outside the repository root is refused, as the repo-server refuses it',
  ),
  'spec.source.plugin.**': unsupported(
    'config-management plugins are not run by the gate: the source is not rendered.',
    {
      test: {file: SOURCES, title: plugin},
      reportedBy: 'src/gitops/deployables/source-inputs.ts (sourceType)',
    },
  ),
}

export const applicationRules: Rules = {
  ...source,
  'spec.destination.namespace': exact(
    HISTORY,
    'a destination namespace change moves every namespaced object, core v1 included; the ClusterRole stays',
  ),
  'spec.destination.server': notRendering('the cluster: Capabilities come from gitopsPolicy.render'),
  'spec.destination.name': notRendering('the cluster: Capabilities come from gitopsPolicy.render'),
  'spec.project': notRendering('the AppProject: permissions'),
  'spec.revisionHistoryLimit': notRendering(),
  'spec.info[].**': notRendering('shown in the UI'),
  'spec.ignoreDifferences[].**': notRendering('compare options of the sync'),
  'spec.syncPolicy.**': notRendering('sync options, automation and retries'),
  'spec.sourceHydrator.**': unsupported(
    'spec.sourceHydrator: the Source Hydrator (render the dry source, push to the sync branch) is not run by the gate, so this Application is not rendered.',
  ),
}
