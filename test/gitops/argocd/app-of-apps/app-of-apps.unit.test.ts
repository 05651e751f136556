/**
 * App of apps (src/gitops/argocd/app-of-apps): the ApplicationSets renders print are read once per environment — two
 * environments' roots that print an ApplicationSet of one name (a list each overlay patches, as
 * redhat-ai-services/ai-accelerator's `bootstrap/overlays/<env>` do) are two sets, neither hiding the other.
 */
import {describe, expect, it} from 'vitest'

import {AppOfApps} from '../../../../src/gitops/argocd/app-of-apps/app-of-apps.js'
import type {RenderedObject} from '../../../../src/gitops/kubernetes/objects.js'
import type {RenderRoot} from '../../../../src/gitops/render/plan-types.js'

const set = (path: string): RenderedObject => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'ApplicationSet',
  namespace: 'openshift-gitops',
  name: 'cluster-operators',
  body: {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'ApplicationSet',
    metadata: {name: 'cluster-operators', namespace: 'openshift-gitops'},
    spec: {generators: [{list: {elements: [{values: {path}}]}}]},
  },
  origin: 'components/argocd/apps/base/cluster-operators-applicationset.yaml',
  transformations: [],
})

const root = (env: string): RenderRoot => ({dir: `bootstrap/overlays/${env}`, environment: env, via: 'overlay'})

describe('AppOfApps', () => {
  it('reads an ApplicationSet of one name once per environment', () => {
    const apps = new AppOfApps('/nonexistent', [])
    apps.collect(undefined, () => [set('components/a/overlays/stable')], root('dev'))
    apps.collect(undefined, () => [set('components/a/overlays/fast')], root('prod'))
    // The same environment's again (an app of apps printing it once more): not read twice.
    apps.collect(undefined, () => [set('components/a/overlays/stable')], root('dev'))
    const {sets} = apps.next()
    expect(sets.map((s) => [s.environment, s.name])).toEqual([
      ['dev', 'cluster-operators'],
      ['prod', 'cluster-operators'],
    ])
    expect(apps.next().sets).toEqual([])
  })
})
