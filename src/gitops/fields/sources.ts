/**
 * Flux sources (fluxcd/source-controller v1.9.1, config/crd/bases/): GitRepository, HelmRepository, OCIRepository,
 * HelmChart. What they change is what a HelmRelease or a Kustomization renders from; the gate reads them there.
 */
import {exact, notRendering, type Rules} from './model.js'

const REMOTE = 'gitops/helm/remote-charts.test.ts'
const HISTORY = 'gitops/diff/diff-history.test.ts'
const ARTIFACT = 'gitops/flux/sources/flux-git-artifact.test.ts'
const OCI_ARTIFACT = 'gitops/flux/sources/flux-oci-artifact.test.ts'
const foreign = 'is render-unavailable, named; one from this repository renders'
const bump = 'a version bump diffs as helm template of both versions says; a second run fetches nothing'
const oci = 'an OCIRepository with spec.verify: verified the same way'
const OCI_REF =
  'an OCIRepository: insecure asks over plain HTTP, ref.semver names the version, ref.digest pins the manifest'
const auth = notRendering('credentials, TLS, proxies')
const timing = notRendering()
/** How and when a GitRepository or OCIRepository is fetched (credentials, schedule): not what it renders. */
const fetching: Rules = {
  'spec.secretRef.**': auth,
  'spec.proxySecretRef.**': auth,
  'spec.provider': auth,
  'spec.serviceAccountName': auth,
  'spec.interval': timing,
  'spec.timeout': timing,
  'spec.suspend': timing,
}
export const gitRepositoryRules: Rules = {
  'spec.url': exact(HISTORY, foreign, 'this repository is rendered; another one is render-unavailable, named'),
  'spec.ref.**': exact(
    'gitops/revision/diff-pinned-revisions.test.ts',
    'the ref moved to a tag whose folder differs: built from each commit, the object change shown',
    "the revision the Kustomizations over it build: the branch under review (or none), the revision under review; another branch, a tag, a name or a commit the clone holds, that commit: spec.path built from the clone at it with the Kustomization's fields, a change to the folder in the branch under review unchanged, a moved ref the rendered change; a semver range or a ref the clone does not hold: not rendered, said with the ref, touched only when the ref moves; the charts HelmReleases take from it alike, their valuesFiles that commit's too (diff-pinned-helmrelease.test.ts)",
  ),
  'spec.ignore': exact(
    ARTIFACT,
    'GitRepository spec.ignore leaves its files out of the artifact (gitignore patterns from the root)',
    "for the Flux Kustomizations over it: the artifact made with source-controller's fluxcd/pkg/sourceignore, `.sourceignore` files and the default excludes too; a HelmRelease chart from a GitRepository that sets it is render-unavailable, named",
  ),
  'spec.include[].**': exact(
    ARTIFACT,
    'GitRepository spec.include: a root that reads where another repository is copied is not rendered, named',
    "another GitRepository's artifact copied to toPath (default: its name): a root that reads there is render-unavailable, named; one that reads nothing there renders as built (the case 'GitRepository spec.include fromPath and toPath: a root that reads nothing there renders as built')",
  ),
  'spec.recurseSubmodules': exact(
    ARTIFACT,
    'GitRepository spec.recurseSubmodules: a root over a submodule is not rendered, named',
    "true: a root over a submodule is render-unavailable, named; false (the default): the submodule's folder is empty and the build fails as the controller's (the case 'without recurseSubmodules a submodule is an empty folder: the build fails as the controller fails')",
  ),
  'spec.sparseCheckout[]': exact(
    ARTIFACT,
    'GitRepository spec.sparseCheckout: only what starts with a listed directory is checked out',
    "for the Flux Kustomizations over it: go-git's sparse checkout (a path prefix), a listed path the revision lacks fails; a HelmRelease chart from a GitRepository that sets it is render-unavailable, named",
  ),
  'spec.verify.**': notRendering('commit signature verification'),
  ...fetching,
}

export const helmRepositoryRules: Rules = {
  'spec.url': exact(REMOTE, bump),
  'spec.type': exact(
    REMOTE,
    'a HelmRepository of type oci: the bump diffs, the manifest digest recorded; a second run fetches nothing',
  ),
  'spec.insecure': exact(
    REMOTE,
    'a HelmRepository of type oci: the bump diffs, the manifest digest recorded; a second run fetches nothing',
    "the base's says so: plain HTTP to its host (else HTTPS, loopback included; an http:// index only where the base says insecure or ameide.yaml lists it, named)",
  ),
  'spec.secretRef.**': auth,
  'spec.certSecretRef.**': auth,
  'spec.passCredentials': auth,
  'spec.provider': auth,
  'spec.accessFrom.**': notRendering('cross-namespace access'),
  'spec.interval': timing,
  'spec.timeout': timing,
  'spec.suspend': timing,
}

export const ociRepositoryRules: Rules = {
  'spec.url': exact(REMOTE, oci),
  'spec.ref.tag': exact(REMOTE, oci),
  'spec.ref.semver': exact(
    REMOTE,
    OCI_REF,
    'a version renders; a range is render-unavailable, named (the gate lists no tags)',
  ),
  'spec.ref.semverFilter': exact(
    OCI_ARTIFACT,
    "OCIRepository ref.semverFilter keeps the tags Go's regexp matches: a version it leaves out fails",
    "where ref.semver names a version: its tag kept or the release failed with source-controller's words, the pattern matched by Go's regexp (the template engine)",
  ),
  'spec.ref.digest': exact(REMOTE, OCI_REF, 'the manifest pinned, over a tag or a semver'),
  'spec.layerSelector.mediaType': exact(
    OCI_ARTIFACT,
    'OCIRepository layerSelector mediaType picks the layer; one the manifest lacks fails as the controller fails',
    "source-controller's selectLayer: the first layer of the type (none set: the first layer)",
  ),
  'spec.layerSelector.operation': exact(
    OCI_ARTIFACT,
    'OCIRepository layerSelector operation extract (the default) leaves out what the default excludes name',
    "extract: the chart as source-controller archives the untarred layer (the render module's flux artifact); copy: the layer as it is",
  ),
  'spec.ignore': exact(
    OCI_ARTIFACT,
    'OCIRepository spec.ignore leaves its files out of an extracted chart (and the defaults no longer apply)',
    'for a chart (chartRef): an extracted layer archived without them; a Flux Kustomization over an OCIRepository is not rendered (named)',
  ),
  'spec.insecure': exact(REMOTE, OCI_REF, "the base's says so: plain HTTP to its host; else HTTPS, loopback included"),
  'spec.verify.**': notRendering('signature verification (done: remote-charts cosign tests), not the render'),
  'spec.certSecretRef.**': auth,
  ...fetching,
}

const HELMCHART = 'gitops/flux/helmrelease/flux-helmchart-ref.test.ts'
const sameAsSpec =
  'chartRef HelmChart: the objects of the same release with that chart.spec, valuesFiles and ignoreMissingValuesFiles included'
const referenced =
  'rendered through the HelmRelease whose chartRef names it, as a chart.spec; one nobody references renders nothing'

export const helmChartRules: Rules = {
  'spec.chart': exact(HELMCHART, sameAsSpec, referenced),
  'spec.version': exact(
    REMOTE,
    'a chartRef to a HelmChart of the HelmRepository: its version bump diffs as the chart.spec bump does',
  ),
  'spec.sourceRef.kind': exact(
    HELMCHART,
    "the HelmChart's sourceRef is read in the HelmChart's namespace, the chartRef's namespace defaulting to the release's",
  ),
  'spec.sourceRef.name': exact(
    HELMCHART,
    "the HelmChart's sourceRef is read in the HelmChart's namespace, the chartRef's namespace defaulting to the release's",
  ),
  'spec.sourceRef.apiVersion': notRendering('the source API version'),
  'spec.valuesFiles[]': exact(
    HELMCHART,
    'the HelmChart changed (a values file added): the release that references it re-renders; one that does not stays',
  ),
  'spec.ignoreMissingValuesFiles': exact(HELMCHART, sameAsSpec),
  'spec.reconcileStrategy': notRendering('when source-controller rebuilds the chart'),
  'spec.verify.**': notRendering('signature verification'),
  'spec.interval': timing,
  'spec.suspend': timing,
}
