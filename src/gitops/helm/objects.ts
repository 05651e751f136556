/**
 * A Helm render's objects — each with the chart template (`# Source:`) it came from and that template's `image:`
 * lines, the namespace Argo CD or Flux gives the objects that name none — and where each container's image was
 * decided: the highest-precedence values layer whose key yields it (confirmed by the differential render of
 * ./helm.ts where it ran), else the template line.
 */
import {readFileSync} from '../../core/memory-fs/index.js'
import path from 'node:path'

import type {YamlModule} from '../../images/yaml/index.js'
import {floatingTagOf, isDigestPinned, tryParseImageReference} from '../../images/reference.js'
import {setName, type HelmDeployable, type ValueEntry, type ValueLayer} from '../model/model.js'
import type {SourceLocation} from '../render/attribute.js'
import {
  containersOf,
  parseRendered,
  renderedChunks,
  type RenderedContainer,
  type RenderedObject,
  type RenderedText,
} from '../kubernetes/objects.js'
import type {CrdScopes} from '../kubernetes/crd-scopes.js'
import {applyDestinationNamespace} from '../kubernetes/scope.js'
import {hasFile} from '../revision/paths.js'

/** One container of one object: the key of the differential render's verdicts. */
export const containerKey = (obj: RenderedObject, c: RenderedContainer) => `${obj.kind}/${obj.name}/${c.list}/${c.name}`

export function drawsFinding(image: string, extraFloatingTags: string[]): boolean {
  const ref = tryParseImageReference(image)
  if (!ref) return false
  return !isDigestPinned(ref) || floatingTagOf(ref, extraFloatingTags) !== undefined
}

/**
 * The values keys that may have decided `image`, best first: each key at the highest layer that sets it, kept when
 * its value is the image or a part of it; the whole image first, then higher layers, then longer values.
 */
export function candidates(
  d: HelmDeployable,
  image: string,
): Array<{entry: ValueEntry; layer: ValueLayer; rank: number}> {
  const effective = new Map<string, {entry: ValueEntry; layer: ValueLayer; rank: number}>()
  d.layers.forEach((layer, rank) => {
    for (const entry of layer.entries) effective.set(entry.path.join('\0'), {entry, layer, rank})
  })
  const text = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v).trim() : '')
  return [...effective.values()]
    .filter((c) => text(c.entry.value).length >= 2 && image.includes(text(c.entry.value)))
    .sort(
      (a, b) =>
        Number(text(b.entry.value) === image) - Number(text(a.entry.value) === image) ||
        b.rank - a.rank ||
        text(b.entry.value).length - text(a.entry.value).length,
    )
}

export function locate(
  d: HelmDeployable,
  obj: RenderedObject,
  c: RenderedContainer,
  confirmed: Record<string, string | null>,
  files: readonly string[],
): SourceLocation & {note?: string} {
  const image = typeof c.image === 'string' ? c.image.trim() : ''
  const k = containerKey(obj, c)
  const name = confirmed[k]
  const list = candidates(d, image)
  const hit = name ? list.find((x) => setName(x.entry.path) === name) : k in confirmed ? undefined : list[0]
  if (hit) {
    const key = setName(hit.entry.path)
    const how = name ? 'confirmed by a differential render' : 'matched by value'
    return {
      file: hit.layer.file,
      line: hit.entry.line,
      column: 1,
      how: 'values',
      note: `decided by ${key} in ${hit.layer.what} (${hit.layer.file}:${hit.entry.line}), the highest-precedence layer that sets it; ${how}`,
    }
  }
  const template = obj.template
  if (template && hasFile(files, template)) {
    // The n-th `image:` line of the template for the n-th container of the object (templates list them in order).
    const n = containersOf(obj.body).findIndex((x) => x.pointer === c.pointer)
    const lines = obj.templateImageLines ?? []
    return {
      file: template,
      line: lines[n] ?? lines[0] ?? 1,
      column: 1,
      how: 'template',
      note: 'assembled in this template: no single values line decides it',
    }
  }
  return {file: d.file, line: d.line, column: 1, how: 'unknown'}
}

/** Helm's output as objects, each with the template (`# Source:`) it came from and that template's `image:` line. */
export function helmObjects(
  yaml: YamlModule,
  output: RenderedText,
  d: HelmDeployable,
  files: readonly string[],
  root: string,
  crds?: CrdScopes,
): RenderedObject[] {
  const out: RenderedObject[] = []
  const lines = new Map<string, number[]>()
  for (const {text: chunk, documents} of renderedChunks(output)) {
    const source = /^# Source: (.+)$/m.exec(chunk)?.[1]?.trim()
    let template: string | undefined
    if (source) {
      // `<chart>/templates/x.yaml`, `<chart>/charts/<sub>/templates/x.yaml`: the first segment is the chart's name.
      const rest = source.split('/').slice(1).join('/')
      const file = d.chart ? `${d.chart}/${rest}` : rest
      if (hasFile(files, file)) template = file
    }
    for (const obj of parseRendered(yaml, chunk, undefined, documents)) {
      if (template) {
        obj.template = template
        if (!lines.has(template)) lines.set(template, imageLines(root, template))
        obj.templateImageLines = lines.get(template)
      }
      out.push(obj)
    }
  }
  // Every namespaced object that names none: Argo CD gives it the destination's namespace, Flux (Helm's kube client)
  // the release namespace.
  applyDestinationNamespace(out, 'objectNamespace' in d ? d.objectNamespace : d.namespace, crds)
  return out
}

/** The `image:` lines of a template, in order (none: the image comes from a helper). */
function imageLines(root: string, file: string): number[] {
  let text = ''
  try {
    text = readFileSync(path.join(root, file), 'utf8')
  } catch {
    // unreadable: the template's first line
  }
  return text.split('\n').flatMap((l, i) => (/^\s*-?\s*image:/.test(l) ? [i + 1] : []))
}
