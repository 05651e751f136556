/**
 * `helm template` for a chart in the checkout, when `helm` is on PATH (Debian ships none: without it the render
 * gate reports each chart as `render-unavailable`). Read-only: `helm template` of a local chart renders offline.
 */
import {runTool, toolAnswers} from './tools.js'
import type {BuildResult} from './kustomize.js'

export interface Helm {
  template(release: string, chartDir: string, valuesFiles: string[], namespace?: string): Promise<BuildResult>
}

/** A Helm when `helm version` answers, else undefined. */
export async function findHelm(binary = 'helm'): Promise<Helm | undefined> {
  if (!(await toolAnswers(binary, ['version', '--short'], {timeoutMs: 10_000}))) return undefined
  return {
    async template(release, chartDir, valuesFiles, namespace) {
      const args = ['template', release, chartDir, ...valuesFiles.flatMap((f) => ['--values', f])]
      if (namespace) args.push('--namespace', namespace)
      const result = await runTool(binary, args, {
        missingCode: 'TOOL_NOT_FOUND',
        installHint: 'Install helm 3 to render charts.',
        timeoutMs: 120_000,
      })
      if (result.exitCode === 0) return {ok: true, yaml: result.stdout}
      return {ok: false, message: (result.stderr || result.stdout).trim() || `helm exited ${result.exitCode}`}
    },
  }
}
