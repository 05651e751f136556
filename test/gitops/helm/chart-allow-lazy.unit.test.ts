/**
 * The base's allow-list of chart repositories (src/gitops/helm/charts/policy.ts) reads every manifest of the base: the
 * chart fetcher reads it when a chart is first asked for, once, and never for a revision whose charts are all its own.
 */
import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import * as yaml from 'yaml'

import {ChartFetcher} from '../../../src/gitops/helm/charts/fetcher.js'
import type {ChartAllowList} from '../../../src/gitops/helm/charts/policy.js'
import type {HelmDeployable} from '../../../src/gitops/model/model.js'

const allowList = (declared: string[]): ChartAllowList => ({
  declared: new Set(declared),
  listed: [],
  hosts: new Set(),
  keys: new Map(),
  insecure: new Set(),
})

function fetcher(declared: string[]) {
  const read = {times: 0}
  const charts = new ChartFetcher({
    allow: () => (read.times++, allowList(declared)),
    policy: {fetch: true, repositories: [], insecure: []},
    offline: false,
    yaml,
  })
  return {charts, read}
}

const remote = (source: string) =>
  ({
    remote: {
      type: 'http',
      source,
      repository: source,
      name: 'podinfo',
      version: '6.5.0',
      via: 'HelmRepository podinfo',
    },
  }) as unknown as HelmDeployable

describe('the chart fetcher’s allow-list', () => {
  it('is not read for a chart of the revision without dependencies', async () => {
    const {charts, read} = fetcher([])
    const root = mkdtempSync(path.join(tmpdir(), 'ameide-allow-'))
    mkdirSync(path.join(root, 'chart'))
    writeFileSync(path.join(root, 'chart/Chart.yaml'), 'apiVersion: v2\nname: c\nversion: 0.1.0\n')
    const local = {chart: 'chart'} as unknown as HelmDeployable
    expect(await charts.plan(local, root, ['chart/Chart.yaml'])).toBeUndefined()
    expect(read.times).toBe(0)
  })

  it('is read once, at the first remote chart, and decides what may be fetched', async () => {
    const {charts, read} = fetcher(['https://charts.example'])
    const refused = await charts.plan(remote('https://elsewhere.example'), '/nowhere', [])
    expect(refused?.problem?.message).toMatch(/the base revision does not declare this repository/)
    await charts.plan(remote('https://elsewhere.example/other'), '/nowhere', [])
    expect(read.times).toBe(1)
  })
})
