/**
 * Argo CD Application (argoproj/argo-cd v3.5.1, manifests/crds/application-crd.yaml): the field table. A source's
 * fields are written once, as `spec.source.*`; `spec.sources[].*` is classified as `spec.source.*` (the repo-server
 * renders each source of a multi-source Application as it renders `spec.source`). `spec.sourceHydrator.drySource.*` is
 * written from the source's rows: the hydrator renders the dry source as a source.
 */
import {exact, notRendering, unsupported, untested, type Rule, type Rules} from './model.js'

const SOURCES = 'gitops/diff/diff-sources.test.ts'
const JSONNET = 'gitops/render-module/render-jsonnet.test.ts'
const HISTORY = 'gitops/diff/diff-history.test.ts'
const REMOTE = 'gitops/helm/remote-charts.test.ts'

const refs =
  'confines value files to the repository, resolves $values refs, builds file:// dependencies outside the checkout'
const directory =
  'verify --render reads a directory source as Argo CD does: recurse, exclude, lists, skipped and unrelated files'
const tlas = "substitutes the Application's variables in TLA and extVar values, `$$` a `$`, an unknown one empty"
const kustomizeBase = 'values, kustomize images and a kustomize base: each deployable with its image moves'
const bump = 'a targetRevision bump diffs into the objects helm template says change'
const HELM_FIELDS = 'gitops/argocd/argo-helm-fields.test.ts'
const KUSTOMIZE_FIELDS = 'gitops/argocd/argo-kustomize-fields.test.ts'
const plugin = 'jsonnet rendered by the render module, a plugin source touched: incomplete, the plugin named, exit 1'

const helmInflation =
  "read only by kustomize's Helm inflation, which Argo CD runs only with --enable-helm in argocd-cm's kustomize.buildOptions (not its default; the repository's argocd-cm, else gitopsPolicy.render.kustomizeBuildOptions): a kustomization without helmCharts builds as without them; with the flag, its helmCharts inflate with --helm-kube-version and --helm-api-versions from these fields (else the cluster's), by the render module's Helm, charts from the revision or fetched from a repository the base allows (kustomize/helm-charts-render.test.ts); without it, the build fails as kustomize's does; where nothing says, render-unavailable, named"

/** The fields of a source (`spec.source`, each of `spec.sources`, the template's in an ApplicationSet). */
const source: Rules = {
  'spec.source.repoURL': exact(
    REMOTE,
    bump,
    "this repository or a chart repository; another git repository is render-unavailable, named with the fix (--source-repo URL=PATH, a local clone of it: its $values refs, chart, kustomize and directory folders then render, read at the source's targetRevision)",
  ),
  'spec.source.targetRevision': exact(
    REMOTE,
    bump,
    "a chart's version; for this repository at HEAD, the branch under review, the default branch or a branch the CI job reviews (GITHUB_BASE_REF, GITHUB_HEAD_REF), the revision under review; pinned to another branch, a tag or a commit the clone holds, that commit: its chart, kustomize or directory folder and its $ref value files read from the clone at it and rendered, a change to them in the branch under review unchanged (the cases 'moved to a commit whose folder differs: each commit read, the change shown' and diff-pinned-charts.test.ts); a ref the clone does not hold: not rendered, said with the ref, touched only when the pin moves; gitops verify --render and gitops preview read it alike (verify-pinned.test.ts)",
  ),
  'spec.source.path': exact(SOURCES, kustomizeBase),
  'spec.source.chart': exact(REMOTE, bump),
  'spec.source.ref': exact(
    'gitops/revision/source-repos.test.ts',
    'renders a $values ref of a mapped repository at each targetRevision, from its commits',
    `this repository's (${refs}), or another repository's mapped to a local clone (--source-repo, gitopsPolicy.sourceRepositories): read from git objects at its targetRevision, its links confined; unmapped, render-unavailable, the flag named`,
  ),
  'spec.source.name': notRendering('a name for the source (UI, CLI), not read by the render'),
  'spec.source.tagPrefix': exact(
    REMOTE,
    'tagPrefix is for git tags only: a chart source picks its version as without it (the repo-server resolves a Helm or OCI source without it)',
    "the repo-server strips it from git tags only (runRepoOperation: newClientResolveRevision's WithTagPrefix); for this repository, the revision under review, as targetRevision",
  ),
  'spec.source.helm.valueFiles[]': exact(HELM_FIELDS, 'value-files-glob'),
  'spec.source.helm.ignoreMissingValueFiles': exact(HELM_FIELDS, 'value-files-missing'),
  'spec.source.helm.values': exact(HELM_FIELDS, 'values-string'),
  'spec.source.helm.valuesObject': exact(HELM_FIELDS, 'values-object'),
  'spec.source.helm.parameters[].name': exact(HELM_FIELDS, 'parameters'),
  'spec.source.helm.parameters[].value': exact(HELM_FIELDS, 'parameters-env'),
  'spec.source.helm.parameters[].forceString': exact(HELM_FIELDS, 'parameters-force'),
  'spec.source.helm.fileParameters[].name': exact(HELM_FIELDS, 'file-parameters'),
  'spec.source.helm.fileParameters[].path': exact(HELM_FIELDS, 'file-parameters'),
  'spec.source.helm.releaseName': exact(HELM_FIELDS, 'release-name'),
  'spec.source.helm.namespace': exact(HELM_FIELDS, 'helm-namespace'),
  'spec.source.helm.kubeVersion': exact(HELM_FIELDS, 'kube-version'),
  'spec.source.helm.apiVersions[]': exact(HELM_FIELDS, 'api-versions'),
  'spec.source.helm.skipCrds': exact(HELM_FIELDS, 'skip-crds'),
  'spec.source.helm.skipTests': exact(HELM_FIELDS, 'skip-tests'),
  'spec.source.helm.skipSchemaValidation': exact(HELM_FIELDS, 'skip-schema'),
  'spec.source.helm.passCredentials': notRendering('credentials passed to other hosts'),
  'spec.source.helm.version': notRendering(
    "the Helm major version (v3): the gate renders with Helm 4 (the render module); Helm 3.18 renders the gate's Helm cases alike (test/gitops/render/render-helm.test.ts: the same findings and statuses in 4 cases), so Helm 3 is not compiled in",
  ),
  'spec.source.kustomize.images[]': exact(KUSTOMIZE_FIELDS, 'images'),
  'spec.source.kustomize.namePrefix': exact(KUSTOMIZE_FIELDS, 'name-prefix'),
  'spec.source.kustomize.nameSuffix': exact(KUSTOMIZE_FIELDS, 'name-suffix'),
  'spec.source.kustomize.namespace': exact(KUSTOMIZE_FIELDS, 'namespace'),
  'spec.source.kustomize.commonLabels': exact(KUSTOMIZE_FIELDS, 'labels-env'),
  'spec.source.kustomize.commonAnnotations': exact(KUSTOMIZE_FIELDS, 'annotations'),
  'spec.source.kustomize.forceCommonLabels': exact(KUSTOMIZE_FIELDS, 'labels-env'),
  'spec.source.kustomize.forceCommonAnnotations': exact(KUSTOMIZE_FIELDS, 'annotations-force'),
  'spec.source.kustomize.commonAnnotationsEnvsubst': exact(KUSTOMIZE_FIELDS, 'annotations-envsubst'),
  'spec.source.kustomize.labelWithoutSelector': exact(KUSTOMIZE_FIELDS, 'labels-without-selector'),
  'spec.source.kustomize.labelIncludeTemplates': exact(KUSTOMIZE_FIELDS, 'labels-include-templates'),
  'spec.source.kustomize.ignoreMissingComponents': exact(KUSTOMIZE_FIELDS, 'components-missing'),
  'spec.source.kustomize.components[]': exact(KUSTOMIZE_FIELDS, 'components'),
  'spec.source.kustomize.replicas[].name': exact(KUSTOMIZE_FIELDS, 'replicas'),
  'spec.source.kustomize.replicas[].count': exact(KUSTOMIZE_FIELDS, 'replicas'),
  'spec.source.kustomize.patches[].**': exact(KUSTOMIZE_FIELDS, 'patches'),
  'spec.source.kustomize.kubeVersion': exact(KUSTOMIZE_FIELDS, 'kube-version-api-versions', helmInflation),
  'spec.source.kustomize.apiVersions[]': exact(KUSTOMIZE_FIELDS, 'kube-version-api-versions', helmInflation),
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
      reportedBy: 'src/gitops/model/source-inputs.ts (sourceType)',
    },
  ),
}

const HYDRATOR = 'gitops/argocd/argo-source-hydrator.test.ts'
const DRY = 'spec.sourceHydrator.drySource'
/** The fields `SourceHydrator.GetDrySource()` copies into the source the repo-server renders (types.go). */
const DRY_FIELDS = ['repoURL', 'targetRevision', 'path', 'helm', 'kustomize', 'directory', 'plugin']
/** The tests that run each case in both forms (`spec.source` and the dry source). */
const BOTH_FORMS = [HELM_FIELDS, KUSTOMIZE_FIELDS]
const dryDirectory = 'a dry directory source renders what the same spec.source renders: recurse, include, exclude'
const dryJsonnet = 'a dry jsonnet source renders what the same spec.source renders: TLAs, extVars, libs'
/** The dry source's own test, where the source's test runs `spec.source` alone. */
const dryTests: Rules = {
  'spec.source.repoURL': exact(
    HYDRATOR,
    'a dry source of another repository is render-unavailable, named at spec.sourceHydrator.drySource.repoURL',
    'this repository; another git repository is render-unavailable, named (an oci:// one is read as spec.source reads it; no dry test sets one)',
  ),
  'spec.source.targetRevision': exact(
    HYDRATOR,
    "renders the dry source alone, with its path, repoURL and targetRevision as the Application's variables",
    'the revision under review is rendered; the value reaches $ARGOCD_APP_SOURCE_TARGET_REVISION',
  ),
  'spec.source.path': exact(
    HYDRATOR,
    "renders the dry source alone, with its path, repoURL and targetRevision as the Application's variables",
  ),
  'spec.source.directory.recurse': exact(HYDRATOR, dryDirectory),
  'spec.source.directory.include': exact(HYDRATOR, dryDirectory),
  'spec.source.directory.exclude': exact(HYDRATOR, dryDirectory),
  'spec.source.directory.jsonnet.tlas[].**': exact(HYDRATOR, dryJsonnet),
  'spec.source.directory.jsonnet.extVars[].**': exact(HYDRATOR, dryJsonnet),
  'spec.source.directory.jsonnet.libs[]': exact(HYDRATOR, dryJsonnet),
  'spec.source.plugin.**': unsupported(
    'config-management plugins are not run by the gate: the source is not rendered.',
    {
      test: {file: HYDRATOR, title: 'a dry plugin source is render-unavailable, the plugin named'},
      reportedBy: 'src/gitops/model/source-inputs.ts (sourceType)',
    },
  ),
}

/** A source's rule as the dry source's: proven in both forms, else by the dry source's own test, else untested. */
function asDry(key: string, rule: Rule): Rule {
  if (dryTests[key]) return dryTests[key]
  if (rule.class !== 'exact' || (rule.test && BOTH_FORMS.includes(rule.test.file))) return rule
  return untested(`rendered as ${key} is; no test runs it through the dry source yet`)
}

const refused = 'refuses what Argo CD refuses to hydrate, with its message'
/** controller/hydrator/hydrator.go: the Applications of one hydration queue key are hydrated together or not at all. */
const TOGETHER =
  'Argo CD hydrates a hydration together or not at all: one failing fails the others; two writing one path both fail'
const together =
  "the Applications of one hydration (the same dry repoURL and targetRevision, the same hydrateTo or sync repository and branch) are hydrated together or not at all: one that fails (its render, its path) fails the others with Argo CD's words, nothing of them rendered as deployed"
/** Where the hydrated objects are committed: they are the dry render, but the fields group the Applications. */
const grouped = (field: string) =>
  exact(
    HYDRATOR,
    TOGETHER,
    `${field} (where the dry render is committed; the objects are unchanged, as 'where the hydrated objects are committed (syncSource, hydrateTo) changes nothing deployed' shows): ${together}`,
  )

/**
 * `spec.sourceHydrator`: the hydrator renders the dry source (GetDrySource) as the repo-server renders a source, with
 * the Application's name and destination but no cluster state, and commits those objects unchanged
 * (commitserver/commit/hydratorhelper.go) to the folder the Application syncs: what it deploys is that render.
 */
const hydrator: Rules = {
  ...Object.fromEntries(
    Object.entries(source)
      .filter(([key]) => DRY_FIELDS.includes(key.split('.')[2]))
      .map(([key, rule]) => [`${DRY}${key.slice('spec.source'.length)}`, asDry(key, rule)]),
  ),
  'spec.sourceHydrator.syncSource.path': exact(
    HYDRATOR,
    TOGETHER,
    `syncSource.path: two Applications of one hydration naming the same path both fail, each naming the other; ${together}. A path that is the repository root fails, as Argo CD refuses it ('${refused}').`,
  ),
  'spec.sourceHydrator.syncSource.targetBranch': grouped('syncSource.targetBranch'),
  'spec.sourceHydrator.syncSource.repoURL': grouped('syncSource.repoURL'),
  'spec.sourceHydrator.hydrateTo.targetBranch': grouped('hydrateTo.targetBranch'),
}

export const applicationRules: Rules = {
  ...source,
  ...hydrator,
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
}
