/**
 * The files a kustomization names as patches (src/gitops/kustomize/patch-files.ts), in each form kustomize's docs
 * give: `patches[].path`, `patchesStrategicMerge` entries (a path, or an inline patch, which names no file) and
 * `patchesJson6902[].path`; relative to the kustomization's folder, and only files the revision holds.
 */
import {afterAll, describe, expect, it} from 'vitest'
import * as yaml from 'yaml'

import {kustomizationGraph} from '../../../src/gitops/kustomize/kustomizations.js'
import {patchPaths} from '../../../src/gitops/kustomize/patch-files.js'
import {makeTempDir, runCleanups} from '../../support/tmp.js'
import {edit} from '../../support/diff-repo.js'

afterAll(runCleanups)

const kustomization = [
  'resources: [../../base]',
  'patches:',
  '- path: patch-list.yaml',
  '  target: {kind: ApplicationSet, name: operators}',
  '- patch: |-',
  '    - op: remove',
  '      path: /spec/template/spec/syncPolicy',
  'patchesStrategicMerge:',
  '- ../shared/sync.yaml',
  '- |-',
  '  apiVersion: argoproj.io/v1alpha1',
  '  kind: Application',
  '  metadata: {name: inline}',
  'patchesJson6902:',
  '- path: json.yaml',
  '  target: {group: apps, version: v1, kind: Deployment, name: web}',
  '- path: absent.yaml',
  '  target: {kind: Deployment, name: web}',
  '',
].join('\n')

describe('patchPaths', () => {
  const files = new Set([
    'apps/overlays/dev/patch-list.yaml',
    'apps/overlays/shared/sync.yaml',
    'apps/overlays/dev/json.yaml',
  ])
  const entries = (key: string) => (yaml.parseDocument(kustomization).contents as yaml.YAMLMap).get(key)

  it('names the files of each form, relative to the folder, that the revision holds', () => {
    const dir = 'apps/overlays/dev'
    expect(patchPaths(yaml, entries('patches'), dir, files)).toEqual(['apps/overlays/dev/patch-list.yaml'])
    expect(patchPaths(yaml, entries('patchesStrategicMerge'), dir, files)).toEqual(['apps/overlays/shared/sync.yaml'])
    expect(patchPaths(yaml, entries('patchesJson6902'), dir, files)).toEqual(['apps/overlays/dev/json.yaml'])
  })

  it('are what the kustomization graph records as its patches', async () => {
    const root = await makeTempDir('ameide-patch-files-')
    await edit(root, {
      'apps/base/kustomization.yaml': 'resources: [set.yaml]\n',
      'apps/base/set.yaml': 'kind: ApplicationSet\n',
      'apps/overlays/dev/kustomization.yaml': kustomization,
      'apps/overlays/dev/patch-list.yaml': 'kind: ApplicationSet\n',
      'apps/overlays/dev/json.yaml': '[]\n',
      'apps/overlays/shared/sync.yaml': 'kind: Application\n',
    })
    const all = new Set([
      ...files,
      'apps/base/kustomization.yaml',
      'apps/base/set.yaml',
      'apps/overlays/dev/kustomization.yaml',
    ])
    const graph = kustomizationGraph(root, all, yaml)
    expect(graph.get('apps/overlays/dev')?.patches?.sort()).toEqual([
      'apps/overlays/dev/json.yaml',
      'apps/overlays/dev/patch-list.yaml',
      'apps/overlays/shared/sync.yaml',
    ])
    expect(graph.get('apps/base')?.patches).toBeUndefined()
    // Read once per set of files.
    expect(kustomizationGraph(root, all, yaml)).toBe(graph)
  })
})
