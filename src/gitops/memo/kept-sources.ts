/**
 * An Application's resolved sources as plain data, kept as JSON text: each Helm deployable's value layers as they are,
 * but a values file's layer (read when first asked: ../argocd/helm/helm-source.ts fileLayer) kept as its file and what
 * it is, and made again over the revision read when the kept result is used — so its entries are that revision's, as
 * a fresh one's are. Kept only when it is JSON's own data (isJsonData, below: it reads back deep-equal, no
 * function, class instance, undefined or -0 lost on the way); each use parses its own copy, so no two models share an object.
 */
import type {ApplicationDeployables} from '../argocd/application/folder-sources.js'
import {fileLayer} from '../argocd/helm/helm-source.js'
import type {DeployablesContext} from '../model/context.js'
import type {HelmDeployable, ValueLayer} from '../model/model.js'

/** A value layer read when first asked for: its entries are a getter. */
const isLazy = (layer: ValueLayer) => Object.getOwnPropertyDescriptor(layer, 'entries')?.get !== undefined

/** The sources as JSON text, or undefined when they do not survive a JSON round trip (then they are not kept). */
export function keptSourcesText(found: ApplicationDeployables): string | undefined {
  const plain = {
    ...found,
    helm: found.helm.map((d) => ({
      ...d,
      layers: d.layers.map((l) => (isLazy(l) ? {file: l.file, what: l.what} : l)),
    })),
  }
  return isJsonData(plain) ? JSON.stringify(plain) : undefined
}

/** The sources kept as `text`, their values files' layers over `ctx`; undefined when the text is not one. */
export function fromKeptSources(text: string, ctx: DeployablesContext): ApplicationDeployables | undefined {
  let plain: unknown
  try {
    plain = JSON.parse(text)
  } catch {
    return undefined
  }
  if (!isPlainSources(plain)) return undefined
  for (const d of plain.helm)
    d.layers = d.layers.map((l) => (Array.isArray(l.entries) ? l : fileLayer(ctx, l.file, l.what)))
  return plain
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** The shape a kept text must have (a checksum-valid file of a buggy writer is not trusted further than this). */
function isPlainSources(v: unknown): v is ApplicationDeployables {
  if (!isObject(v)) return false
  const lists = [v.helm, v.kustomize, v.directory, v.unrenderable]
  if (!lists.every(Array.isArray) || Object.keys(v).length !== lists.length) return false
  const named = (d: unknown): d is Record<string, unknown> => isObject(d) && typeof d.application === 'string'
  return (
    (v.helm as unknown[]).every((d) => named(d) && Array.isArray(d.layers) && d.layers.every(isLayer)) &&
    (v.kustomize as unknown[]).every(named) &&
    (v.directory as unknown[]).every(named) &&
    (v.unrenderable as unknown[]).every((u) => isObject(u) && typeof u.message === 'string')
  )
}

const isLayer = (l: unknown): l is HelmDeployable['layers'][number] =>
  isObject(l) && typeof l.file === 'string' && typeof l.what === 'string'

/**
 * Whether `v` is JSON's own data, so that its JSON text reads back deep-equal: null, booleans, strings, finite numbers
 * but -0, arrays without holes and plain objects of such values (no undefined, function, class instance or cycle).
 */
export function isJsonData(v: unknown, depth = 0): boolean {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true
  if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0)
  if (typeof v !== 'object' || depth > 256) return false
  if (Array.isArray(v)) {
    if (Object.getPrototypeOf(v) !== Array.prototype) return false
    for (let i = 0; i < v.length; i++) if (!(i in v) || !isJsonData(v[i], depth + 1)) return false
    return true
  }
  const proto = Object.getPrototypeOf(v) as unknown
  if (proto !== Object.prototype && proto !== null) return false
  if (Object.getOwnPropertySymbols(v).length > 0) return false
  for (const key in v)
    if (!Object.hasOwn(v, key) || !isJsonData((v as Record<string, unknown>)[key], depth + 1)) return false
  return true
}
