/** Rendering one string, or every string of a JSON value, with a parameter set: Argo CD's Render.Replace / deeplyReplace. */
import {renderFastTemplate} from './fasttemplate.js'
import {renderGoTemplate, type GoTemplateOptions} from './gotemplate.js'
import {isObject, type Json} from './merge.js'

export interface Templating {
  goTemplate: boolean
  options: GoTemplateOptions
}

export type Params = Record<string, unknown>

/** Render.Replace: Go text/template with the options, or fasttemplate. */
export function replace(text: string, params: Params, t: Templating): string {
  return t.goTemplate ? renderGoTemplate(text, params, t.options) : renderFastTemplate(text, params)
}

/**
 * deeplyReplace on plain JSON: every string and every map key rendered on its own; a `null` map value is dropped
 * (Go skips nil map entries); numbers and booleans are kept as they are.
 */
export function renderStrings(
  value: Json,
  params: Params,
  t: Templating,
  skip?: (path: Array<string | number>) => Json | undefined,
  path: Array<string | number> = [],
): Json {
  const kept = skip?.(path)
  if (kept !== undefined) return kept
  if (typeof value === 'string') return replace(value, params, t)
  if (Array.isArray(value)) return value.map((e, i) => renderStrings(e, params, t, skip, [...path, i]))
  if (isObject(value)) {
    const out: Record<string, Json> = {}
    for (const [k, v] of Object.entries(value)) {
      if (v === null) continue
      out[replace(k, params, t)] = renderStrings(v, params, t, skip, [...path, k])
    }
    return out
  }
  return value
}
