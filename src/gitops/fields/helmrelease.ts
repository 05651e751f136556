/** Flux HelmRelease v2 (fluxcd/helm-controller v1.6.3, config/crd/bases/helm.toolkit.fluxcd.io_helmreleases.yaml). */
import {exact, notRendering, unsupported, type Rules} from './model.js'

const REMOTE = 'gitops/helm/remote-charts.test.ts'
const HISTORY = 'gitops/diff/diff-history.test.ts'
const postRenderers = "postRenderers: the kustomize images and patches applied to the chart's output"
const bump = 'a version bump diffs as helm template of both versions says; a second run fetches nothing'
const oci = 'an OCIRepository with spec.verify: verified the same way'
const HELMCHART = 'gitops/flux/helmrelease/flux-helmchart-ref.test.ts'
const VALUES = 'gitops/flux/helmrelease/flux-helmrelease-fields.test.ts'
const CRDS = 'gitops/flux/helmrelease/flux-helmrelease-crds.test.ts'
const chartutil = "fluxcd/pkg chartutil's ChartValuesFromReferences run natively (testdata/flux-values)"
const SAME_AS_SPEC =
  'chartRef HelmChart: the objects of the same release with that chart.spec, valuesFiles and ignoreMissingValuesFiles included'

export const helmReleaseRules: Rules = {
  'spec.chart.spec.chart': exact(REMOTE, bump),
  'spec.chart.spec.version': exact(
    REMOTE,
    'a range resolves as Helm resolves it (the newest stable), the resolved version shown',
  ),
  'spec.chart.spec.sourceRef.kind': exact(
    REMOTE,
    bump,
    'GitRepository of this repository or HelmRepository; a Bucket is render-unavailable, named',
  ),
  'spec.chart.spec.sourceRef.name': exact(REMOTE, bump),
  'spec.chart.spec.sourceRef.namespace': exact(REMOTE, bump),
  'spec.chart.spec.sourceRef.apiVersion': notRendering('the source API version'),
  'spec.chart.spec.valuesFiles[]': exact(
    HISTORY,
    "chart.spec.valuesFiles: they replace the chart's defaults, which count only where the list names them",
    "source-controller's merge (builder_local.go mergeFileValues) replaces the chart's defaults",
  ),
  'spec.chart.spec.ignoreMissingValuesFiles': exact(
    VALUES,
    'chart.spec.ignoreMissingValuesFiles: a values file the revision lacks is skipped; without it the release fails',
  ),
  'spec.chart.spec.interval': notRendering(),
  'spec.chart.spec.reconcileStrategy': notRendering('when source-controller rebuilds the chart'),
  'spec.chart.spec.verify.**': notRendering(
    "signature verification (done: remote-charts' cosign tests), not the render",
  ),
  'spec.chart.metadata.**': notRendering('labels and annotations of the HelmChart object'),
  'spec.chartRef.kind': exact(
    HELMCHART,
    SAME_AS_SPEC,
    'OCIRepository, or HelmChart (rendered as the chart.spec helm-controller makes it from); another kind render-unavailable, named',
  ),
  'spec.chartRef.name': exact(REMOTE, oci),
  'spec.chartRef.namespace': exact(REMOTE, oci),
  'spec.chartRef.apiVersion': notRendering('the source API version'),
  'spec.values': exact(VALUES, 'values-from-order', chartutil),
  'spec.valuesFrom[].kind': exact(VALUES, 'values-from-order', chartutil),
  'spec.valuesFrom[].name': exact(VALUES, 'values-from-order', chartutil),
  'spec.valuesFrom[].valuesKey': exact(VALUES, 'values-from-order', chartutil),
  'spec.valuesFrom[].targetPath': exact(
    VALUES,
    'target-path',
    `${chartutil}, helm --set's types included; a value it would split or read as a list, or a list index, is render-unavailable, named (literal: true renders it)`,
  ),
  'spec.valuesFrom[].optional': exact(VALUES, 'optional', chartutil),
  'spec.valuesFrom[].literal': exact(VALUES, 'target-path-literal', chartutil),
  'spec.releaseName': exact(VALUES, 'release-name', "helm-controller's GetReleaseName, natively"),
  'spec.targetNamespace': exact(
    HISTORY,
    "the kustomization's namespace: (base shared by two overlays) is the release's: redis/redis, objects in redis",
    'the release namespace; the HelmRelease namespace when absent',
  ),
  'spec.commonMetadata.**': exact(
    HISTORY,
    'commonMetadata: its labels and annotations on every object, the origin labels kept',
  ),
  'spec.postRenderers[].**': exact(
    HISTORY,
    postRenderers,
    "helm-controller's internal/postrender, compiled into the render module",
  ),
  'spec.postRenderStrategy': unsupported(
    "postRenderStrategy nohooks or separate: the render module's Helm 4.1 sends hooks and templates to the post-renderers together (combined, helm-controller's default), so this HelmRelease is not rendered.",
    {when: (vs) => vs.some((v) => v === 'nohooks' || v === 'separate')},
  ),
  'spec.install.crds': exact(
    CRDS,
    "install.crds Skip leaves the chart's CRDs out; Create, CreateReplace and the default apply them; skipCRDs is read nowhere",
  ),
  'spec.install.skipCRDs': notRendering('deprecated: helm-controller v1.6.3 reads install.crds only'),
  'spec.upgrade.crds': notRendering('whether an upgrade applies CRD changes (the render shows them either way)'),
  'spec.install.disableSchemaValidation': exact(
    HISTORY,
    'upgrade.disableSchemaValidation: values the chart schema refuses render',
    'install or upgrade: which runs depends on the cluster, so either skips the schema',
  ),
  'spec.upgrade.disableSchemaValidation': exact(
    HISTORY,
    'upgrade.disableSchemaValidation: values the chart schema refuses render',
  ),
  'spec.upgrade.preserveValues': unsupported(
    'upgrade.preserveValues: helm-controller reuses the values of the release in the cluster, which the gate cannot read, so this HelmRelease is not rendered.',
    {when: (vs) => vs.includes(true)},
  ),
  'spec.install.**': notRendering('how helm installs: hooks, waits, remediation, ownership'),
  'spec.upgrade.**': notRendering('how helm upgrades: hooks, waits, remediation, force'),
  'spec.rollback.**': notRendering(),
  'spec.uninstall.**': notRendering(),
  'spec.test.**': notRendering('helm test'),
  'spec.driftDetection.**': notRendering(),
  'spec.healthCheckExprs[].**': notRendering(),
  'spec.dependsOn[].**': notRendering('ordering'),
  'spec.kubeConfig.**': notRendering('the cluster'),
  'spec.waitStrategy.**': notRendering(),
  'spec.interval': notRendering(),
  'spec.timeout': notRendering(),
  'spec.maxHistory': notRendering(),
  'spec.persistentClient': notRendering(),
  'spec.serviceAccountName': notRendering('impersonation'),
  'spec.storageNamespace': notRendering('where helm keeps the release record'),
  'spec.suspend': notRendering(),
}
