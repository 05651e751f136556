/** The images that move between revisions, each with the line that decided the new one; unknown where not rendered. */
import {isDigestPinned, tryParseImageReference} from '../../images/reference.js'
import type {RenderedImage} from '../gate/gate.js'
import type {Snapshot} from './snapshot.js'
import type {ImageMove} from './types.js'

const imageKey = (i: RenderedImage) =>
  [
    i.environment ?? '',
    i.application ?? i.root,
    i.object.kind,
    i.object.namespace ?? '',
    i.object.name,
    i.object.container ?? '',
  ].join('\0')

/**
 * Where a revision's images are unknown: the deployables it could not render (environment, Application or folder)
 * and the Applications something of which it could not render.
 */
function unknownImages(s: Snapshot): (i: RenderedImage) => boolean {
  const places = new Set<string>()
  for (const key of s.unrendered) {
    const [, environment, application, dir] = key.split('\0')
    places.add(`${environment}\0${application || dir}`)
  }
  return (i) =>
    places.has(`${i.environment ?? ''}\0${i.application ?? i.root}`) ||
    (i.application !== undefined && s.unrenderedApplications.has(`${i.environment ?? ''}\0${i.application}`))
}

export function compareImages(base: Snapshot, head: Snapshot, rename: ReadonlyMap<string, string>): ImageMove[] {
  const moved = (i: RenderedImage) => {
    const to = i.application === undefined ? rename.get(`${i.environment ?? ''}\0${i.root}`) : undefined
    return to === undefined ? i : {...i, root: to}
  }
  const b = new Map(base.images.map((i) => [imageKey(moved(i)), i]))
  const h = new Map(head.images.map((i) => [imageKey(i), i]))
  const unknownInBase = unknownImages(base)
  const unknownInHead = unknownImages(head)
  const out: ImageMove[] = []
  for (const key of [...new Set([...b.keys(), ...h.keys()])].sort()) {
    const from = b.get(key)
    const to = h.get(key)
    if (from && to && from.image === to.image) continue
    // The other revision could not render its deployable: the image's value there is unknown, not "none" (the
    // failure says the diff is incomplete).
    if (!from && unknownInBase(to!)) continue
    if (!to && unknownInHead(from!)) continue
    const at = (to ?? from)!
    const ref = to ? tryParseImageReference(to.image) : undefined
    out.push({
      environment: at.environment,
      ...(at.application !== undefined ? {application: at.application} : {}),
      source: at.root,
      object: at.object,
      from: from?.image ?? null,
      to: to?.image ?? null,
      pinned: ref ? isDigestPinned(ref) : false,
      file: at.file,
      line: at.line,
      how: at.how,
    })
  }
  return out
}
