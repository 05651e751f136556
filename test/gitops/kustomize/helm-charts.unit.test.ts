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
      specs: [
        {
          name: 'minecraft',
          version: '3.1.3',
          repo: 'https://itzg.github.io/minecraft-server-charts',
          folder: 'charts/minecraft-3.1.3/minecraft',
        },
        {
          name: 'redis',
          version: '18.1.0',
          repo: 'oci://registry-1.docker.io/bitnamicharts',
          folder: 'charts/redis-18.1.0/redis',
          unnamed: true,
        },
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
      // kustomize looks for every chart in one home: the older entries' last chartHome.
      'web from vendored/',
    ])
    expect(await helmChartsOf('helmCharts: not-a-list\n')).toEqual(expect.objectContaining({charts: []}))
    expect(await helmChartsOf('resources: [cm.yaml]\n')).toBeUndefined()
  })
})

/**
 * Where kustomize's HelmChartInflationGenerator looks for each chart before it would pull it (sigs.k8s.io/kustomize/api
 * internal/builtins absChartHome, chartExistsLocally): `<chartHome>/<name>-<version>/<name>` for a chart with both a
 * repository and a version, else `<chartHome>/<name>`; the chart home `helmGlobals.chartHome`, else (no helmGlobals)
 * the older entries' last `chartHome` (types.SplitHelmParameters), else `charts`.
 */
describe('where kustomize looks for each chart', () => {
  const specsOf = async (text: string) => (await helmChartsOf(text))?.specs

  it('a chart of a repository with a version, one without, a local chart: under the default chart home', async () => {
    expect(
      await specsOf(
        'helmCharts:\n- {name: redis, repo: https://charts.example.com, version: 1.0.0, releaseName: r}\n- {name: web, repo: https://charts.example.com, releaseName: w}\n- {name: local, version: 0.1.0, releaseName: l}\n- {releaseName: nameless}\n',
      ),
    ).toEqual([
      {name: 'redis', repo: 'https://charts.example.com', version: '1.0.0', folder: 'charts/redis-1.0.0/redis'},
      {name: 'web', repo: 'https://charts.example.com', folder: 'charts/web'},
      {name: 'local', version: '0.1.0', folder: 'charts/local'},
    ])
    // No releaseName, or a nameTemplate: helm names the release by the clock (--generate-name).
    expect(
      await specsOf('helmCharts:\n- {name: a}\n- {name: b, releaseName: b, nameTemplate: "{{ randAlpha 5 }}"}\n'),
    ).toEqual([
      {name: 'a', folder: 'charts/a', unnamed: true},
      {name: 'b', folder: 'charts/b', unnamed: true},
    ])
  })

  it("helmGlobals' chart home; else the older entries' last; both keys' charts, helmCharts first", async () => {
    expect(
      await specsOf(
        'helmGlobals: {chartHome: vendored}\nhelmCharts: [{name: a, releaseName: a}]\nhelmChartInflationGenerator:\n- {chartName: b, releaseName: b, chartHome: ignored}\n',
      ),
    ).toEqual([
      {name: 'a', folder: 'vendored/a'},
      {name: 'b', folder: 'vendored/b'},
    ])
    // The finding names the chart where kustomize looks for it: helmGlobals' chart home, not the entry's.
    expect(
      (await helmChartsOf('helmGlobals: {chartHome: vendored}\nhelmCharts: [{name: a, releaseName: a}]\n'))?.charts,
    ).toEqual(['a from vendored/'])
    const entry = await helmChartsOf(
      'helmChartInflationGenerator:\n- {chartName: b, chartHome: first, releaseName: b}\n- {chartName: c, chartVersion: 2.0.0, chartRepoUrl: oci://r.example.com/c, chartHome: last, releaseName: c}\nhelmCharts: [{name: a, releaseName: a}]\n',
    )
    expect(entry?.entry).toBe('helmChartInflationGenerator')
    expect(entry?.charts).toEqual(['b from last/', 'c 2.0.0 from oci://r.example.com/c', 'a from last/'])
    expect(entry?.specs).toEqual([
      {name: 'a', folder: 'last/a'},
      {name: 'b', folder: 'last/b'},
      {name: 'c', version: '2.0.0', repo: 'oci://r.example.com/c', folder: 'last/c-2.0.0/c'},
    ])
  })
})
