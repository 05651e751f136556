/**
 * The places an ignore rule names: JSON pointers and the jq path subset Argo CD users write, removed as Argo CD removes
 * them; an expression outside the subset refused with why (never half-applied); chart-bump metadata found in every
 * `metadata` of an object.
 */
import {describe, expect, it} from 'vitest'

import {chartMetadataPlaces, metadataChanges} from '../../../src/gitops/diff/noise/chart-metadata.js'
import {jqPlaces, parseJqPath, pointerPlaces, removePlaces} from '../../../src/gitops/diff/noise/paths.js'

const hook = {
  webhooks: [
    {name: 'a', clientConfig: {caBundle: 'x', url: 'u'}},
    {name: 'b', clientConfig: {caBundle: 'y'}},
  ],
  metadata: {annotations: {'example.com/x': '1'}},
  spec: {containers: [{name: 'app'}, {name: 'istio-proxy'}, {name: 'side'}]},
}

const del = (expr: string) => {
  const parsed = parseJqPath(expr)
  if ('error' in parsed) throw new Error(parsed.error)
  return removePlaces(hook, jqPlaces(hook, parsed))
}

describe('ignore rule places', () => {
  it('removes what a jq path of the subset reaches', () => {
    expect(del('.webhooks[]?.clientConfig.caBundle')).toMatchObject({
      webhooks: [{clientConfig: {url: 'u'}}, {clientConfig: {}}],
    })
    expect(del('.metadata.annotations."example.com/x"')).toMatchObject({metadata: {annotations: {}}})
    expect(del('.metadata.annotations["example.com/x"]')).toMatchObject({metadata: {annotations: {}}})
    expect((del('.spec.containers[] | select(.name == "istio-proxy")') as typeof hook).spec.containers).toEqual([
      {name: 'app'},
      {name: 'side'},
    ])
    expect((del('.spec.containers[] | select(.name != "app")') as typeof hook).spec.containers).toEqual([{name: 'app'}])
    expect((del('.spec.containers[1]') as typeof hook).spec.containers).toHaveLength(2)
    expect(del('.nothing.here')).toEqual(hook)
  })

  it('refuses what is outside the subset, saying why', () => {
    for (const expr of ['.a | map(.b)', 'del(.a)', '.a[1:2]', '.spec | select(.a > 1)', '.a // .b'])
      expect(parseJqPath(expr)).toHaveProperty('error')
  })

  it('removes what a JSON pointer names, escapes read', () => {
    expect(pointerPlaces(hook, '/metadata/annotations/example.com~1x')).toEqual([
      ['metadata', 'annotations', 'example.com/x'],
    ])
    expect(pointerPlaces(hook, '/webhooks/1/clientConfig/caBundle')).toEqual([
      ['webhooks', 1, 'clientConfig', 'caBundle'],
    ])
    expect(pointerPlaces(hook, '/webhooks/7')).toEqual([])
    expect(pointerPlaces(hook, '')).toEqual([])
  })

  it('finds chart-bump metadata in every metadata of an object, and says what moved', () => {
    const deployment = (v: string) => ({
      metadata: {labels: {'helm.sh/chart': `app-${v}`, app: 'x'}},
      spec: {template: {metadata: {annotations: {'checksum/config': v, other: '1'}}}},
    })
    expect(chartMetadataPlaces(deployment('1'))).toEqual([
      ['metadata', 'labels', 'helm.sh/chart'],
      ['spec', 'template', 'metadata', 'annotations', 'checksum/config'],
    ])
    expect(metadataChanges(deployment('1'), deployment('2'))).toEqual([
      'checksum/config changed',
      'helm.sh/chart app-1 → app-2',
    ])
  })
})
