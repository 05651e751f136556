/**
 * The charts a kustomization inflates, as the kustomization graph records them (src/gitops/kustomize/kustomizations.ts)
 * and the render-unavailable finding names them: kustomize's `helmCharts` (as its docs write it, examples/chart.md),
 * the deprecated `helmChartInflationGenerator`, a chart of the kustomization's own folder (no repo: kustomize looks in
 * its chartHome, `charts/` by default), and entries that are not charts.
 */
import {afterAll, describe, expect, it} from 'vitest'
import * as yaml from 'yaml'

import {readKustomizations} from '../../../src/gitops/kustomize/kustomizations.js'
import {makeTempDir, runCleanups} from '../../support/tmp.js'
import {edit} from '../../support/diff-repo.js'

afterAll(runCleanups)

async function helmChartsOf(kustomization: string) {
  const root = await makeTempDir('ameide-helm-charts-')
  await edit(root, {'app/kustomization.yaml': kustomization})
  return readKustomizations(root, ['app/kustomization.yaml'], yaml).get('app')?.helmCharts
}

describe("a kustomization's Helm charts, named", () => {
  it('helmCharts, as kustomize documents it: name, version and repository of each', async () => {
    const entry = await helmChartsOf(
      [
        'helmCharts:',
        '- name: minecraft',
        '  includeCRDs: false',
        '  valuesInline:',
        '    minecraftServer:',
        '      eula: true',
        '  releaseName: moria',
        '  version: 3.1.3',
        '  repo: https://itzg.github.io/minecraft-server-charts',
        '- {name: redis, repo: oci://registry-1.docker.io/bitnamicharts, version: 18.1.0}',
        '',
      ].join('\n'),
    )
    expect(entry).toEqual({
      file: 'app/kustomization.yaml',
      line: 1,
      entry: 'helmCharts',
      charts: [
        'minecraft 3.1.3 from https://itzg.github.io/minecraft-server-charts',
        'redis 18.1.0 from oci://registry-1.docker.io/bitnamicharts',
      ],
    })
  })

  it('helmChartInflationGenerator, the older form; a chart of its own folder; what is no chart', async () => {
    const entry = await helmChartsOf(
      [
        'resources: [cm.yaml]',
        'helmChartInflationGenerator:',
        '- chartName: minecraft',
        '  chartRepoUrl: https://itzg.github.io/minecraft-server-charts',
        '  chartVersion: v1.2.0',
        '  releaseName: test',
        '- chartName: local',
        '  chartHome: vendored',
        '- {name: web}',
        '- just a string',
        '- {releaseName: nameless}',
        '',
      ].join('\n'),
    )
    expect(entry?.line).toBe(2)
    expect(entry?.entry).toBe('helmChartInflationGenerator')
    expect(entry?.charts).toEqual([
      'minecraft v1.2.0 from https://itzg.github.io/minecraft-server-charts',
      'local from vendored/',
      'web from charts/',
    ])
    expect(await helmChartsOf('helmCharts: not-a-list\n')).toEqual(expect.objectContaining({charts: []}))
    expect(await helmChartsOf('resources: [cm.yaml]\n')).toBeUndefined()
  })
})
