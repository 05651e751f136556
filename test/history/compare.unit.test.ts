/** The classes of the real-history suite (compare.ts) on made-up answers: each class reachable, each rule biting. */
import {describe, expect, it} from 'vitest'

import {classify, truthChanges, type DiffJson} from './compare.js'
import type {OracleAnswer, OracleDeployable} from '../support/argo-oracle.js'

const deployment = (image: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  namespace: 'web',
  name: 'web',
  body: {kind: 'Deployment', metadata: {name: 'web'}, spec: {template: {spec: {containers: [{name: 'app', image}]}}}},
})
const rendered = (image: string): OracleDeployable => ({
  id: 'app:web',
  kind: 'application',
  objects: [deployment(image)],
})
const answer = (...deployables: OracleDeployable[]): OracleAnswer => ({deployables})
const external = (version: string): OracleDeployable => ({
  id: 'helmrelease:podinfo',
  kind: 'helmrelease',
  external: 'chart from a Helm or OCI repository',
  inputs: {version},
})

const diff = (over: Partial<DiffJson> = {}): DiffJson => ({
  summary: 'unchanged',
  deployables: [],
  images: [],
  failures: [],
  ...over,
})
const moved: DiffJson = diff({
  summary: 'changed',
  deployables: [{objects: [{change: 'changed', kind: 'Deployment', namespace: 'web', name: 'web'}]}],
  images: [{object: {kind: 'Deployment', namespace: 'web', name: 'web', container: 'app'}, from: 'a:1', to: 'a:2'}],
})

describe('real-history classes', () => {
  const bump = truthChanges(answer(rendered('a:1')), answer(rendered('a:2')))
  const same = truthChanges(answer(rendered('a:1'), external('1')), answer(rendered('a:1'), external('1')))
  const touched = truthChanges(answer(rendered('a:1'), external('1')), answer(rendered('a:1'), external('2')))

  it('exact: the same objects and images; nothing when nothing changes', () => {
    expect(classify(bump, 0, moved).klass).toBe('exact')
    expect(classify(same, 0, diff()).klass).toBe('exact')
  })

  it('an image move ameide misses or invents, an object it names wrongly: wrong-detail', () => {
    expect(classify(bump, 0, {...moved, images: []}).klass).toBe('wrong-detail')
    const renamed = diff({
      ...moved,
      deployables: [{objects: [{change: 'added', kind: 'Deployment', namespace: 'web', name: 'web'}]}],
    })
    expect(classify(bump, 0, renamed).why).toEqual(['object Deployment/web/web: truth changed, ameide added'])
  })

  it('unchanged where the truth changes: wrong-nochange', () => {
    expect(classify(bump, 0, diff()).klass).toBe('wrong-nochange')
  })

  it('incomplete: honest only where the change touches what cannot be rendered here', () => {
    const incomplete = diff({summary: 'incomplete', failures: [{rule: 'render-unavailable'}]})
    expect(classify(touched, 1, incomplete).klass).toBe('honest-incomplete')
    expect(classify(same, 1, incomplete).klass).toBe('false-incomplete')
    expect(classify(touched, 0, diff()).klass).toBe('wrong-nochange')
  })

  it('an exit code outside the contract, or no JSON: crash', () => {
    expect(classify(bump, 2, moved).klass).toBe('crash')
    expect(classify(bump, 0, undefined).klass).toBe('crash')
  })
})
