/**
 * Rendering with a parameter set as Argo CD's Render does (applicationset/utils/utils.go): Replace on one string,
 * deeplyReplace on every string and string map key of a JSON tree. Go's own engine does the rendering
 * (src/effects/gotemplate); here the strings are gathered, sent in one call for all parameter sets (each parsed
 * once), and put back. A string with no `{{` is left as it is without a call: Go's parser reads it as plain text and
 * fasttemplate's `.*{{.*}}.*` test skips it, so the engine would return it unchanged.
 */
import type {Params, TemplateEngine} from '../../../effects/gotemplate/index.js'
import type {Path} from './errors.js'
import {isObject, type Json} from './merge.js'

export type {Params} from '../../../effects/gotemplate/index.js'

export interface Templating {
  goTemplate: boolean
  /** `spec.goTemplateOptions` as written (Go applies each with Template.Option; an unknown one is an error). */
  options: string[]
  engine: TemplateEngine
}

/** One tree rendered with one parameter set, or the first error deeplyReplace would meet. */
export type Rendered = {value: Json} | {error: string}

/** Replace of each string with each set, in one engine call: `out[set][string]`. */
export function replaceAll(
  texts: readonly string[],
  sets: readonly Params[],
  t: Templating,
): Array<Array<{value: string} | {error: string}>> {
  const templated = [...new Set(texts.filter((s) => s.includes('{{')))]
  const index = new Map(templated.map((s, i) => [s, i]))
  const {results, failures} = t.engine.render({
    goTemplate: t.goTemplate,
    options: t.options,
    templates: templated,
    params: sets,
  })
  const failed = new Map(failures.map((f) => [`${f.set}/${f.template}`, f.message]))
  return sets.map((_, set) =>
    texts.map((s) => {
      const i = index.get(s)
      if (i === undefined) return {value: s}
      const error = failed.get(`${set}/${i}`)
      return error !== undefined ? {error} : {value: results[set][i]}
    }),
  )
}

/**
 * deeplyReplace over plain JSON for each parameter set: every string and every map key rendered on its own; a
 * `null` map value is dropped (Go skips nil map entries); numbers and booleans kept. A subtree `keep.at(path)` names is
 * not rendered here: `keep.value(path, set)` stands in for it (a generator's pre-resolved `values`).
 */
export function renderTrees(
  tree: Json,
  sets: readonly Params[],
  t: Templating,
  keep?: {at(path: Path): boolean; value(path: Path, set: number): Json},
): Rendered[] {
  const strings: string[] = []
  const collect = (v: Json, path: Path) => {
    if (keep?.at(path)) return
    if (typeof v === 'string') strings.push(v)
    else if (Array.isArray(v)) v.forEach((e, i) => collect(e, [...path, i]))
    else if (isObject(v))
      for (const [k, e] of Object.entries(v)) {
        if (e === null) continue
        strings.push(k)
        collect(e, [...path, k])
      }
  }
  collect(tree, [])
  const rendered = replaceAll(strings, sets, t)
  return sets.map((_, set) => {
    const out = rendered[set]
    const firstError = out.find((r) => 'error' in r)
    if (firstError && 'error' in firstError) return {error: firstError.error}
    let next = 0
    const take = () => (out[next++] as {value: string}).value
    const build = (v: Json, path: Path): Json => {
      if (keep?.at(path)) return keep.value(path, set)
      if (typeof v === 'string') return take()
      if (Array.isArray(v)) return v.map((e, i) => build(e, [...path, i]))
      if (isObject(v)) {
        const o: Record<string, Json> = {}
        for (const [k, e] of Object.entries(v)) {
          if (e === null) continue
          const key = take()
          o[key] = build(e, [...path, k])
        }
        return o
      }
      return v
    }
    return {value: build(tree, [])}
  })
}

/** Go's `%v` of each JSON value (fmt.Sprintf, from the engine for numbers and composites). */
export function sprintAll(values: readonly unknown[], engine: TemplateEngine): string[] {
  const out: string[] = values.map((v) => (typeof v === 'string' ? v : ''))
  const asked = values.map((v, i) => [v, i] as const).filter(([v]) => typeof v !== 'string')
  const printed = engine.sprint(asked.map(([v]) => (v === undefined ? null : v)))
  asked.forEach(([, i], k) => (out[i] = printed[k]))
  return out
}
