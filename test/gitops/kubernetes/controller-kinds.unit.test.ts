/**
 * Which documents of the deploying controllers' API groups are "of a kind nothing defines" (a root applying them
 * fails): a misspelt Application or Kustomization is; the kinds the Argo projects and the Argo CD operator define are
 * not (an OpenShift GitOps `ArgoCD` instance read as a typo made every diff of its repository incomplete).
 */
import {describe, expect, it} from 'vitest'

import {undefinedControllerKind} from '../../../src/gitops/kubernetes/manifests.js'

describe('undefinedControllerKind', () => {
  it('a misspelt kind in a controller group is undefined', () => {
    expect(undefinedControllerKind('argoproj.io/v1alpha1', 'Aplication')).toBe(true)
    expect(undefinedControllerKind('kustomize.toolkit.fluxcd.io/v1', 'Kustomisation')).toBe(true)
    expect(undefinedControllerKind('helm.toolkit.fluxcd.io/v2', 'HelmRelaese')).toBe(true)
  })

  it("the Argo projects' and the Argo CD operator's kinds, and other groups, are not", () => {
    for (const kind of ['Application', 'AppProject', 'Rollout', 'Workflow', 'Sensor', 'ArgoCD', 'ArgoCDExport'])
      expect(undefinedControllerKind('argoproj.io/v1beta1', kind), kind).toBe(false)
    expect(undefinedControllerKind('argocd-image-updater.argoproj.io/v1alpha1', 'ImageUpdater')).toBe(false)
    expect(undefinedControllerKind('v1', 'ConfigMap')).toBe(false)
  })
})
