/**
 * `helm template` through the render module (./host.ts): the request as data (./commands.ts HelmTemplate), Helm's own
 * code answering, over the revision in memory. A chart whose `charts/`
 * misses `file://` dependencies is built as with the binary: a copy with the dependencies' absolute paths
 * (effects/helm.ts withLocalDependencies), `helm dependency build` and `helm template` in one request, all in memory.
 */
import path from 'node:path'

import {isFrozen, readFileSync, rmSync, scratchFolder} from '../../core/memory-fs/index.js'

import {withLocalDependencies, type Helm, type HelmResult, type HelmTemplateRequest} from '../helm.js'
import {describeBreach, MODULE_LIMITS, overObjects} from '../limits.js'
import type {HelmTemplate, ModuleCommand} from './commands.js'
import type {CommandResult, ModuleRun, RenderModule} from './host.js'

/** Where an Application's inline values are, in memory only (never a path of the host). */
const INLINE_VALUES = '/.ameide/inline-values.yaml'
/** The revision's values.yaml of a chart whose defaults are replaced, where a values file names it. */
const CHART_DEFAULTS = '/.ameide/chart-values.yaml'

export function moduleHelm(module: RenderModule): Helm {
  return {
    version: module.build.helm,
    async template(asked) {
      const {request, files} = inMemory(asked)
      const args: ModuleCommand = {helmTemplate: templateCommand(request), documents: true}
      const key = chartKey(request, files)
      const base = {roots: readable(asked), files}
      const first = key ? {...args, helmTemplate: {...args.helmTemplate, chartKey: key}} : args
      const affinity = key ? {affinity: key} : {}
      let run = await module.run({...base, ...affinity, cwd: request.chartDir, commands: [...artifact(request), first]})
      if (run.ok && run.results.at(-1)!.error?.code === 'missing-dependency') {
        const home = scratchFolder('helm-dependencies')
        try {
          const copy = await withLocalDependencies(request, path.join(home, 'chart'))
          if (!copy.ok) return copy
          const build = ['helm', 'dependency', 'build', copy.dir]
          run = await module.run({...base, transient: [home], cwd: copy.dir, commands: [build, args]})
          if (run.ok && run.results.length === 1 && run.results[0]!.exit !== 0)
            return {ok: false, message: named(`helm dependency build failed: ${said(run.results[0]!)}`, request, home)}
        } finally {
          rmSync(home, {recursive: true, force: true})
        }
      }
      return answer(run, request)
    },
  }
}

/**
 * The files the module is handed besides the revision, and the request naming them: the inline values; the chart's
 * defaults as source-controller packaged them over the revision's values.yaml, the revision's own copy (where a
 * values file names it) read from a path of its own.
 */
function inMemory(request: HelmTemplateRequest): {request: HelmTemplateRequest; files: Record<string, string>} {
  const files: Record<string, string> =
    request.inlineValues === undefined ? {} : {[INLINE_VALUES]: request.inlineValues}
  if (request.chartValues === undefined) return {request, files}
  const defaults = path.join(request.chartDir, 'values.yaml')
  files[defaults] = request.chartValues
  if (!request.valueFiles.includes(defaults)) return {request, files}
  files[CHART_DEFAULTS] = readFileSync(defaults, 'utf8')
  return {
    request: {...request, valueFiles: request.valueFiles.map((f) => (f === defaults ? CHART_DEFAULTS : f))},
    files,
  }
}

/**
 * The key of the chart's folder when its files cannot change while the process lives — a folder of a revision held
 * frozen in memory (its mount is never used again), none of it replaced by the request's own files — else undefined.
 */
function chartKey(request: HelmTemplateRequest, files: Record<string, string>): string | undefined {
  const dir = request.chartDir
  if (request.sourceArtifact || !request.revision || !isFrozen(dir)) return undefined
  if (Object.keys(files).some((f) => f === dir || f.startsWith(`${dir}/`))) return undefined
  return dir
}

/**
 * The request as `helm template` takes it: the values files, then the inline values (at `inlineValuesFile`, in memory
 * here) last.
 */
export function templateCommand(request: HelmTemplateRequest, inlineValuesFile = INLINE_VALUES): HelmTemplate {
  const inline = request.inlineValues === undefined ? [] : [inlineValuesFile]
  return {
    release: request.release,
    chart: '.',
    ...(request.namespace ? {namespace: request.namespace} : {}),
    ...(request.kubeVersion ? {kubeVersion: request.kubeVersion} : {}),
    apiVersions: request.apiVersions,
    includeCrds: !request.skipCrds,
    skipTests: request.skipTests === true,
    skipSchemaValidation: request.skipSchemaValidation === true,
    valueFiles: [...request.valueFiles, ...inline],
    set: request.set ?? [],
    setString: request.setString ?? [],
    setFile: (request.setFile ?? []).map((p) => ({name: p.name, value: p.path})),
    ...(request.fluxPostRender ? {fluxPostRender: request.fluxPostRender} : {}),
  }
}

/** source-controller's artifact of an OCIRepository's extracted layer, made before helm reads the chart. */
const artifact = ({sourceArtifact: a}: HelmTemplateRequest): string[][] =>
  a ? [['flux', 'artifact', JSON.stringify({dir: a.dir, ...(a.ignore !== undefined ? {ignore: a.ignore} : {})})]] : []

/** What the module may read: the revision (or the fetched chart's folder) and any value file outside it. */
function readable(request: HelmTemplateRequest): string[] {
  const root = request.revision ?? request.sourceArtifact?.dir ?? request.chartDir
  const inside = (f: string) => f === root || f.startsWith(`${root}/`)
  const outside = [...request.valueFiles, ...(request.setFile ?? []).map((f) => f.path)].filter((f) => !inside(f))
  return [...new Set([root, ...outside.map((f) => path.dirname(f))])]
}

function answer(run: ModuleRun, request: HelmTemplateRequest): HelmResult {
  if (!run.ok)
    return 'limit' in run
      ? {ok: false, limit: run.limit, message: `helm stopped: ${describeBreach(run.limit, MODULE_LIMITS)}`}
      : {ok: false, message: run.message, ...(run.unavailable && {unavailable: true as const})}
  const last = run.results.at(-1)!
  if (last.limit) return {ok: false, limit: last.limit, message: `helm stopped: ${describeBreach(last.limit)}`}
  if (last.exit !== 0) return {ok: false, message: named(said(last), request)}
  if (overObjects(last.stdout, MODULE_LIMITS.objects))
    return {ok: false, limit: 'objects', message: `helm stopped: ${describeBreach('objects')}`}
  return {ok: true, yaml: last.stdout, ...(last.documents ? {documents: last.documents} : {})}
}

/** A failed command's error as the binary prints it. */
const said = (result: CommandResult) =>
  result.error ? `Error: ${result.error.message.trim()}` : `helm exited ${result.exit}`

/** helm's message with the copy named as the chart. */
function named(text: string, request: HelmTemplateRequest, home?: string): string {
  return home ? text.replaceAll(`${home}/chart`, request.chartDir).replaceAll(home, '<helm>') : text
}
