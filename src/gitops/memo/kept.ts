/**
 * An ApplicationSet's expansion as plain data, kept as JSON text: each generated Application without its `lineOf`
 * (a function) but with the recipe it is rebuilt from (../argocd/applicationset/application.ts), over the document's
 * lines as they are read when the kept expansion is used. Kept only when the text reads back deep-equal to what the
 * step returned (no function, class instance, undefined or -0 lost on the way); each use parses its own copy, so no
 * two models share an object.
 */
import {isDeepStrictEqual} from 'node:util'

import {generatedLineOf, lineRecipeOf, type LineRecipe} from '../argocd/applicationset/application.js'
import type {ApplicationSetExpansion, ArgoApplication} from '../model/types.js'

type LineOf = (path: ReadonlyArray<string | number>) => number | undefined

type PlainApplication = Omit<ArgoApplication, 'lineOf'>

interface PlainExpansion extends Omit<ApplicationSetExpansion, 'applications'> {
  applications: PlainApplication[]
  lines: LineRecipe[]
}

/** The expansion as JSON text, or undefined when it does not survive a JSON round trip (then it is not kept). */
export function keptText(expansion: ApplicationSetExpansion): string | undefined {
  const lines = expansion.applications.map(lineRecipeOf)
  if (lines.some((l) => l === undefined)) return undefined
  const plain: PlainExpansion = {
    ...expansion,
    applications: expansion.applications.map(({lineOf: _, ...rest}) => rest),
    lines: lines as LineRecipe[],
  }
  const text = JSON.stringify(plain)
  return isDeepStrictEqual(JSON.parse(text), plain) ? text : undefined
}

/** The expansion kept as `text`, its Applications' lines over `lineOf`; undefined when the text is not one. */
export function fromKept(text: string, lineOf: LineOf): ApplicationSetExpansion | undefined {
  let plain: PlainExpansion
  try {
    plain = JSON.parse(text) as PlainExpansion
  } catch {
    return undefined
  }
  if (!isPlainExpansion(plain)) return undefined
  const {lines, ...rest} = plain
  return {
    ...rest,
    applications: rest.applications.map((app, i) => ({...app, lineOf: generatedLineOf(lineOf, lines[i])})),
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** The shape a kept text must have (a checksum-valid file of a buggy writer is not trusted further than this). */
function isPlainExpansion(v: unknown): v is PlainExpansion {
  if (!isObject(v)) return false
  const lists = [v.applications, v.lines, v.notRendered, v.errors, v.unavailable]
  if (!lists.every(Array.isArray)) return false
  const apps = v.applications as unknown[]
  const lines = v.lines as unknown[]
  return (
    apps.length === lines.length &&
    apps.every((a) => isObject(a) && typeof a.name === 'string' && typeof a.file === 'string' && isObject(a.spec)) &&
    lines.every((l) => isObject(l) && Array.isArray(l.patched))
  )
}
