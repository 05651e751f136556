/** Flux Kustomization v1 (fluxcd/kustomize-controller v1.9.4, config/crd/bases/kustomize.toolkit.fluxcd.io_kustomizations.yaml). */
import {exact, notRendering, unsupported, type Rules} from './model.js'

const HISTORY = 'gitops/diff/diff-history.test.ts'
const POST = 'gitops/flux/kustomization/render-flux-post-build.test.ts'
const fields = 'targetNamespace, commonMetadata and postBuild variables: the objects and images as deployed'
const envsubst = "envsubst's forms and a Secret's variables: the image as Flux deploys it"
const FIELDS = 'gitops/flux/kustomization/flux-kustomization-fields.test.ts'
const RELEASES = 'gitops/flux/kustomization/flux-kustomization-helmrelease.test.ts'
const STRATEGY = 'substituteFrom optional, substituteStrategy Always and unset: as kustomize-controller builds them'
const foreign = 'is render-unavailable, named; one from this repository renders'

export const kustomizationRules: Rules = {
  'spec.path': exact(
    'gitops/flux/kustomization/flux-kustomization-path.test.ts',
    'spec.path moved, the old folder kept: one deployable moved (the Kustomization Flux knows it by), the Deployment changed once',
    "the folder kustomize-controller builds (held to its build in flux-kustomization-fields); no other folder of the overlay glob it builds in is an overlay root; a moved path is the Kustomization's deployable moved; as a parent's build prints it (patched, or completed by its post-build), that folder in the parent's environment",
  ),
  'spec.sourceRef.kind': exact(
    HISTORY,
    foreign,
    'a GitRepository of this repository (or an ExternalArtifact the gate maps); others render-unavailable, named',
  ),
  'spec.sourceRef.name': exact(HISTORY, foreign),
  'spec.sourceRef.namespace': exact(HISTORY, foreign),
  'spec.sourceRef.apiVersion': notRendering('the source API version'),
  'spec.targetNamespace': exact(
    RELEASES,
    "targetNamespace: the chart's objects move to the namespace helm-controller renders the release in",
    'over plain objects: target-namespace in flux-kustomization-fields.test.ts',
  ),
  'spec.commonMetadata.**': exact(HISTORY, fields),
  'spec.postBuild.substitute': exact(
    RELEASES,
    "postBuild.substitute: the release's values as substituted, its image moved",
    "Flux's own envsubst; into plain objects: render-flux-post-build.test.ts",
  ),
  'spec.postBuild.substituteFrom[].kind': exact(POST, envsubst),
  'spec.postBuild.substituteFrom[].name': exact(POST, envsubst),
  'spec.postBuild.substituteFrom[].optional': exact(
    POST,
    STRATEGY,
    'a missing optional one skipped; a missing required one render-unavailable, named (it may live in the cluster)',
  ),
  'spec.postBuild.substituteStrategy': exact(POST, STRATEGY),
  'spec.namePrefix': exact(FIELDS, 'name-prefix'),
  'spec.nameSuffix': exact(FIELDS, 'name-suffix'),
  'spec.images[].**': exact(FIELDS, 'images-merge'),
  'spec.patches[].**': exact(FIELDS, 'patches'),
  'spec.components[]': exact(FIELDS, 'components'),
  'spec.ignoreMissingComponents': exact(FIELDS, 'components-missing'),
  'spec.buildMetadata[]': exact(
    FIELDS,
    'build-metadata',
    "originAnnotations and transformerAnnotations kept on the objects, their paths relative to the folder kustomize-controller builds (and the case 'build-metadata-transformers')",
  ),
  'spec.decryption.**': unsupported(
    'decryption (SOPS): the gate does not decrypt; objects kustomize-controller decrypts are rendered encrypted (a Secret is masked either way).',
    {check: false},
  ),
  'spec.dependsOn[].**': notRendering('ordering'),
  'spec.healthChecks[].**': notRendering(),
  'spec.healthCheckExprs[].**': notRendering(),
  'spec.ignore[].**': notRendering('what drift the apply leaves alone'),
  'spec.kubeConfig.**': notRendering('the cluster'),
  'spec.deletionPolicy': notRendering(),
  'spec.force': notRendering(),
  'spec.interval': notRendering(),
  'spec.retryInterval': notRendering(),
  'spec.timeout': notRendering(),
  'spec.prune': notRendering(),
  'spec.wait': notRendering(),
  'spec.serviceAccountName': notRendering('impersonation'),
  'spec.suspend': notRendering(),
}
