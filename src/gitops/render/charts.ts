/**
 * The charts of the render plan: remote ones are named, never fetched; local ones are rendered with `helm template`
 * (their values files) when helm is on PATH and judged like a kustomize root, else each is one `render-unavailable`.
 */
import path from 'node:path'

import type {Helm} from '../../effects/helm.js'
import type {YamlModule} from '../../images/yaml/index.js'
import {finding, RULES, type GitopsFinding} from '../verify/rules/index.js'
import type {Judge} from './judge.js'
import {parseRendered} from './objects.js'
import type {RenderPlan} from './roots.js'

export interface ChartStatus {
  chart: string
  environment: string | null
  declaredIn: string
  status: 'rendered' | 'failed' | 'unavailable'
}

export async function renderCharts(
  plan: Pick<RenderPlan, 'charts' | 'remoteCharts'>,
  options: {root: string; yaml: YamlModule; helm?: Helm; judge: Judge},
  unavailable: (file: string, line: number, message: string, environment: string | null) => void,
  findings: GitopsFinding[],
): Promise<ChartStatus[]> {
  const out: ChartStatus[] = []
  for (const remote of plan.remoteCharts) {
    const {declaredIn, environment} = remote
    unavailable(
      declaredIn,
      remote.line,
      `Chart ${remote.chart} comes from ${remote.source}, outside the checkout: the gate does not fetch remote charts, so what it renders is not judged (its values here are still checked as source).`,
      environment,
    )
    out.push({chart: `${remote.chart} (${remote.source})`, environment, declaredIn, status: 'unavailable'})
  }
  for (const chart of plan.charts) {
    const {declaredIn, environment} = chart
    if (!options.helm) {
      unavailable(
        declaredIn,
        chart.line,
        `Chart ${chart.chart} (release ${chart.release}) is not rendered: helm is not on PATH, so its rendered images and schema are not judged.`,
        environment,
      )
      out.push({chart: chart.chart, environment, declaredIn, status: 'unavailable'})
      continue
    }
    const result = await options.helm.template(
      chart.release,
      path.join(options.root, chart.chart),
      chart.valuesFiles.map((v) => path.join(options.root, v)),
      chart.namespace,
    )
    out.push({chart: chart.chart, environment, declaredIn, status: result.ok ? 'rendered' : 'failed'})
    if (!result.ok) {
      const message = `helm template ${chart.chart} failed: ${result.message}`
      const f = finding(RULES['render-failed'], declaredIn, {line: chart.line, column: 1}, message)
      findings.push(environment ? {...f, environment} : f)
      continue
    }
    const root = {dir: chart.chart, environment, via: 'argocd' as const, declaredIn}
    await options.judge.judge(parseRendered(options.yaml, result.yaml), root, chart.valuesFiles[0] ?? declaredIn)
  }
  return out
}
