/**
 * ApplicationSets as deployables: what of an expansion is not evaluated (generators not rendered, parts unavailable,
 * errors) as findings, for those written in files and those a render printed (app of apps: a root or chart whose
 * output holds ApplicationSets). A printed one is expanded as a file's is (../argocd/applicationset), in the
 * environment of the root that printed it: the Applications it generates are the next wave's.
 */
import {keptExpansion} from '../memo/steps.js'
import {generatedReads} from '../argocd/applicationset/generated-reads.js'
import type {ProducedSet} from '../argocd/app-of-apps/app-of-apps.js'
import type {makeContext} from '../model/context.js'
import type {Unrenderable} from '../model/model.js'
import type {ApplicationSetExpansion, ArgoApplication} from '../model/types.js'

type Context = ReturnType<typeof makeContext>

/** What the printed ApplicationSets generate (each in its printer's environment) and what of them is not evaluated. */
export interface PrintedExpansion {
  applications: ArgoApplication[]
  unrenderable: Unrenderable[]
}

export function expandPrinted(sets: readonly ProducedSet[], ctx: Context): PrintedExpansion {
  const out: PrintedExpansion = {applications: [], unrenderable: []}
  for (const set of sets) {
    // JSON is YAML: the engine reads the printed body as it reads a file's text.
    const expansion = keptExpansion(ctx, {
      file: set.file,
      text: JSON.stringify(set.body),
      lineOf: () => undefined,
    })
    for (const app of expansion.applications) {
      const environment = set.environment ?? app.environment
      out.applications.push({...app, ...(environment ? {environment} : {})})
    }
    const inputs = () => ({spec: {printed: set.body}, reads: generatedReads(set.file, set.body, ctx)})
    out.unrenderable.push(...expansionFindings(expansion, inputs, () => set.environment, ' (printed by a render)'))
  }
  return out
}

/** What of an ApplicationSet's expansion was not evaluated, each in `environmentOf` its file. */
export function expansionFindings(
  e: ApplicationSetExpansion,
  inputsOf: () => Unrenderable['inputs'],
  environmentOf: (file: string) => string | null,
  printed = '',
): Unrenderable[] {
  if (e.notRendered.length + e.unavailable.length + e.errors.length === 0) return []
  const inputs = inputsOf()
  const site = (x: {file: string; line: number}) => ({file: x.file, line: x.line, environment: environmentOf(x.file)})
  return [
    ...e.notRendered.map((n) => ({
      ...site(n),
      message: `ApplicationSet ${n.applicationSet}${printed}: the ${n.generator} generator is not rendered: ${n.why}`,
      status: 'unavailable' as const,
      inputs,
    })),
    ...e.unavailable.map((u) => ({
      ...site(u),
      message: `ApplicationSet ${u.applicationSet}${printed}: not evaluated: ${u.message}`,
      status: 'unavailable' as const,
      inputs,
    })),
    ...e.errors.map((x) => ({
      ...site(x),
      message: `ApplicationSet ${x.applicationSet}${printed}: ${x.message}`,
      status: 'failed' as const,
      inputs,
    })),
  ]
}
