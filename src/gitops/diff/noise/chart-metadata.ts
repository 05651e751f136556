/**
 * Chart-bump metadata: what a chart's version bump changes on every object it renders without changing what runs —
 * the `helm.sh/chart` and `app.kubernetes.io/version` labels and the `checksum/*` annotations, in every `metadata`
 * of the object (its own, a pod template's, a job template's). An object whose only change is there is folded into
 * one line per deployable; any other change in it shows the object in full.
 */
import type {Place} from './paths.js'

export const CHART_LABELS = ['helm.sh/chart', 'app.kubernetes.io/version']
export const CHECKSUM_PREFIX = 'checksum/'

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)

const isChartKey = (where: 'labels' | 'annotations', key: string) =>
  where === 'labels' ? CHART_LABELS.includes(key) : key.startsWith(CHECKSUM_PREFIX)

/** The places of chart-bump metadata in `doc`: each label or annotation of every `metadata` map, at any depth. */
export function chartMetadataPlaces(doc: unknown, at: Place = []): Place[] {
  const out: Place[] = []
  if (Array.isArray(doc)) doc.forEach((v, i) => out.push(...chartMetadataPlaces(v, [...at, i])))
  else if (isMap(doc)) {
    for (const [k, v] of Object.entries(doc)) {
      if (k === 'metadata' && isMap(v)) {
        for (const where of ['labels', 'annotations'] as const) {
          const m = v[where]
          if (isMap(m)) for (const key of Object.keys(m)) if (isChartKey(where, key)) out.push([...at, k, where, key])
        }
      }
      out.push(...chartMetadataPlaces(v, [...at, k]))
    }
  }
  return out
}

const valueAt = (doc: unknown, place: Place): unknown => {
  let at = doc
  for (const k of place) at = (at as Record<string | number, unknown> | undefined)?.[k]
  return at
}

/**
 * What changed in the chart-bump metadata, in words: `helm.sh/chart app-1.0.0 → app-1.0.1`,
 * `app.kubernetes.io/version 1.0.0 → 1.0.1`, `checksum/config changed` (a checksum's value says nothing to a reader).
 */
export function metadataChanges(before: unknown, after: unknown): string[] {
  const places = new Map<string, Place>()
  for (const p of [...chartMetadataPlaces(before), ...chartMetadataPlaces(after)]) places.set(JSON.stringify(p), p)
  const out = new Set<string>()
  for (const place of places.values()) {
    const [b, a] = [valueAt(before, place), valueAt(after, place)]
    if (b === a) continue
    const key = String(place.at(-1))
    const shown = (v: unknown) => (v === undefined ? '(none)' : String(v))
    out.add(key.startsWith(CHECKSUM_PREFIX) ? `${key} changed` : `${key} ${shown(b)} → ${shown(a)}`)
  }
  return [...out].sort()
}
