/** The `--print-layout` view of the checkout's ApplicationSets: what each generates, evaluated offline. */
import type {Manifest} from '../manifests.js'
import type {ApplicationSetExpansion} from '../types.js'
import {isObject} from './merge.js'
import {drySourceOf, sourceHydratorOf} from '../source-hydrator.js'

/** One generated Application as `--print-layout` lists it. */
export interface GeneratedApplicationView {
  name: string
  environment: string | null
  /** The Application as the controller would write it: metadata (namespace, labels, annotations, finalizers), spec. */
  metadata: Record<string, unknown>
  spec: Record<string, unknown>
  sources: Array<{repoURL: string | null; path?: string; chart?: string; valueFiles: string[]}>
}

export interface ApplicationSetView {
  file: string
  line: number
  name: string
  applications: GeneratedApplicationView[]
  notRendered: Array<{line: number; generator: string; why: string}>
  errors: Array<{line: number; message: string}>
}

/** Every `argoproj.io` ApplicationSet of the checkout, as the deployables' reading evaluated it (../index.ts). */
export function describeApplicationSets(
  evaluated: ReadonlyArray<{manifest: Manifest; expansion: ApplicationSetExpansion}>,
): ApplicationSetView[] {
  return evaluated
    .filter(({manifest: m}) => m.apiVersion.startsWith('argoproj.io/'))
    .map(({manifest: m, expansion}) => {
      return {
        file: m.file,
        line: m.line,
        name: m.name,
        applications: expansion.applications.map((a) => ({
          name: a.name,
          environment: a.environment ?? null,
          metadata: a.metadata ?? {name: a.name},
          spec: a.spec,
          sources: sourcesOf(a.spec),
        })),
        notRendered: expansion.notRendered.map((n) => ({line: n.line, generator: n.generator, why: n.why})),
        errors: [...expansion.unavailable, ...expansion.errors].map((e) => ({line: e.line, message: e.message})),
      }
    })
}

/** The sources rendered: a Source Hydrator's dry source alone (../source-hydrator.ts), else `sources` or `source`. */
function sourcesOf(spec: Record<string, unknown>): GeneratedApplicationView['sources'] {
  const hydrator = sourceHydratorOf(spec)
  const list = hydrator
    ? [drySourceOf(hydrator)]
    : Array.isArray(spec.sources)
      ? spec.sources
      : isObject(spec.source)
        ? [spec.source]
        : []
  return list.filter(isObject).map((s) => {
    const helm = isObject(s.helm) ? s.helm : {}
    const view: GeneratedApplicationView['sources'][number] = {
      repoURL: typeof s.repoURL === 'string' ? s.repoURL : null,
      valueFiles: Array.isArray(helm.valueFiles) ? helm.valueFiles.map(String) : [],
    }
    if (typeof s.path === 'string') view.path = s.path
    if (typeof s.chart === 'string') view.chart = s.chart
    return view
  })
}
