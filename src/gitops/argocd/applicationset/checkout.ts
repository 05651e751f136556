/** The `--print-layout` view of the checkout's ApplicationSets: what each generates, evaluated offline. */
import type {GeneratedApplicationView} from '../../layout/types.js'
import type {ApplicationSetView} from '../../layout/types.js'
import type {Manifest} from '../../kubernetes/manifests.js'
import type {ApplicationSetExpansion} from '../../model/types.js'
import {isObject} from './merge.js'
import {drySourceOf, sourceHydratorOf} from '../application/source-hydrator.js'

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
