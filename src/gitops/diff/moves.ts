/**
 * Deployables that moved between revisions (a folder renamed, an Application's source path changed): matched by what
 * Argo CD and Flux know them by, or by rendering exactly the same objects.
 */
import {canonicalJson} from '../../core/canonical-json.js'
import type {Snapshot, SnapshotUnit} from './snapshot.js'

/**
 * Deployables present in one revision only, paired across a move: an Application's (or HelmRelease's, or a Flux
 * Kustomization's root) with the same kind, environment and name, one on each side (its source path moved); else one of the same kind and environment
 * that renders exactly the same objects (the folder was renamed, whatever follows it). Base key → head key.
 */
export function pairMoves(base: Snapshot, head: Snapshot, keys: readonly string[]): Map<string, string> {
  const known = (s: Snapshot, k: string) => !s.unrendered.has(k) && !s.unchanged.has(k)
  const only = (a: Snapshot, other: Snapshot) =>
    keys.filter((k) => a.units.has(k) && !other.units.has(k) && known(a, k) && known(other, k))
  // Kind, environment, and the Application (or HelmRelease) or the Flux Kustomization that deploys it.
  const group = (s: Snapshot, k: string) =>
    `${k.split('\0').slice(0, 3).join('\0')}\0${s.units.get(k)?.deployedBy ?? ''}`
  const [gone, come] = [only(base, head), only(head, base)]
  const out = new Map<string, string>()
  const taken = new Set<string>()
  for (const b of gone) {
    const candidates = come.filter((h) => group(head, h) === group(base, b) && !taken.has(h))
    const unit = base.units.get(b)!
    const named = unit.application !== undefined || unit.deployedBy !== undefined
    const h = named
      ? candidates.length === 1 && gone.filter((x) => group(base, x) === group(base, b)).length === 1
        ? candidates[0]
        : undefined
      : candidates.find((c) => sameObjects(base.units.get(b)!, head.units.get(c)!))
    if (h === undefined) continue
    out.set(b, h)
    taken.add(h)
  }
  // A folder renamed with what follows it (an ApplicationSet naming its Applications after the folder): whatever
  // the name, one of the same kind and environment that renders exactly the same objects.
  const kindEnv = (k: string) => k.split('\0').slice(0, 2).join('\0')
  for (const b of gone) {
    if (out.has(b)) continue
    const h = come.find(
      (c) => !taken.has(c) && kindEnv(c) === kindEnv(b) && sameObjects(base.units.get(b)!, head.units.get(c)!),
    )
    if (h === undefined) continue
    out.set(b, h)
    taken.add(h)
  }
  return out
}

function sameObjects(a: SnapshotUnit, b: SnapshotUnit): boolean {
  if (a.objects.size !== b.objects.size || a.objects.size === 0) return false
  for (const [k, o] of a.objects) {
    const other = b.objects.get(k)
    if (!other || canonicalJson(o.body) !== canonicalJson(other.body)) return false
  }
  return true
}
