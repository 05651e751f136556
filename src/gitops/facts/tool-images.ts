/**
 * Image lists other tools keep, read by the walk: a kustomization's `images:` (kustomize's own file or a Flux
 * `Kustomization`'s `spec.images`), Argo CD `helm.parameters` grouped into image maps, and Argo CD
 * `kustomize.images` entries.
 */
import type {Node, Scalar, YAMLMap} from 'yaml'

import {isTemplated} from '../../images/reference.js'
import type {YamlModule} from '../../images/yaml/index.js'
import type {FileImages, ImageMap, KustomizeImage, MapField, MapGeometry, MapValue, Span} from './model.js'
import {contentRange, findPair, isImageShape, scalarOf, styleOf} from './scalars.js'

/** What these readers need of the walk: the text, where offsets map, what it records, and its scalar readers. */
export interface WalkContext {
  readonly yaml: YamlModule
  readonly text: string
  readonly toOuter: (offset: number) => {line: number; column: number; offset: number}
  readonly out: FileImages
  readonly embedded: boolean
  span(node: Scalar): Span
  mapValue(node: Scalar): MapValue
  geometry(map: YAMLMap): MapGeometry
}

/**
 * A kustomization's `images:`: a kustomize file (`kind: Kustomization` of kustomize.config.k8s.io, or no kind and a
 * `resources`/`bases`/`components`/`patches` list beside it) or a Flux `Kustomization`'s `spec.images`.
 */
export function kustomizeImages(w: WalkContext, root: YAMLMap, kind: string | undefined): void {
  const y = w.yaml
  const apiVersion = scalarOf(y, root, 'apiVersion') ?? ''
  let list: Node | undefined
  let at: string[]
  if (kind === 'Kustomization' && apiVersion.startsWith('kustomize.toolkit.fluxcd.io/')) {
    const spec = root.get('spec', true)
    list = spec && y.isMap(spec) ? (spec.get('images', true) as Node | undefined) : undefined
    at = ['spec', 'images']
  } else {
    const kustomize =
      kind === 'Kustomization' ||
      kind === 'Component' ||
      (kind === undefined && ['resources', 'bases', 'components', 'patches'].some((k) => root.has(k)))
    list = kustomize ? (root.get('images', true) as Node | undefined) : undefined
    at = ['images']
  }
  if (!list || !y.isSeq(list)) return
  list.items.forEach((item, i) => {
    if (!item || !y.isMap(item)) return
    const entry = item as YAMLMap
    const name = scalarOf(y, entry, 'name')
    if (name === undefined || isTemplated(name)) return
    const fields: KustomizeImage['fields'] = {}
    for (const f of ['newName', 'newTag', 'digest'] as const) {
      const p = findPair(y, entry, f)
      if (p && y.isScalar(p.value) && p.value.value !== null && p.value.value !== undefined) {
        fields[f] = w.mapValue(p.value)
      }
    }
    // An entry that holds a template is an image only once rendered: no rule judges it, no write touches it.
    if (Object.values(fields).some((v) => isTemplated(v.value))) return
    const nameKey = findPair(y, entry, 'name')!.key as Scalar
    w.out.kustomizeImages.push({
      ...w.span(nameKey),
      path: [...at, String(i)].join('.'),
      name,
      fields,
      geometry: w.geometry(entry),
      embedded: w.embedded,
    })
  })
}

/**
 * Argo CD `helm.parameters`: `{name: <prefix>.repository|tag|digest|registry, value: …}` entries with one prefix
 * are one image map (`image.repository` + `image.tag`, `api.image.repository` + …), by the same shape rule.
 */
export function helmParameters(w: WalkContext, list: Node, path: string[]): void {
  const y = w.yaml
  if (!y.isSeq(list)) return
  const groups = new Map<string, {fields: ImageMap['fields']; first: Scalar; templated?: true}>()
  for (const item of list.items) {
    if (!item || !y.isMap(item)) continue
    const name = scalarOf(y, item as YAMLMap, 'name')
    const valuePair = findPair(y, item as YAMLMap, 'value')
    if (name === undefined || !valuePair || !y.isScalar(valuePair.value)) continue
    // `<…image>.name` is Argo CD Image Updater's default name for the repository parameter.
    const m = /^(?:(.+)\.)?(registry|repository|tag|digest)$/.exec(name) ?? /^((?:.+\.)?image)\.(name)$/.exec(name)
    const value = valuePair.value
    if (!m || value.value === null || value.value === undefined) continue
    const prefix = m[1] ?? ''
    const group = groups.get(prefix) ?? {fields: {}, first: value}
    if (isTemplated(String(value.value))) group.templated = true
    else group.fields[(m[2] === 'name' ? 'repository' : m[2]) as MapField] = w.mapValue(value)
    groups.set(prefix, group)
  }
  for (const [prefix, {fields, first, templated}] of groups) {
    const imageKey = prefix === 'image' || prefix.endsWith('.image')
    // A group with a templated parameter (`image.tag: '{{ .head_sha }}'`) is an image only once rendered.
    if (templated || !isImageShape(fields, imageKey)) continue
    w.out.imageMaps.push({
      ...w.span(first),
      path: `${path.join('.')}[${prefix}]`,
      fields,
      embedded: w.embedded,
    })
  }
}

/**
 * An Argo CD `spec.source.kustomize.images` entry (also in `.argocd-source-<app>.yaml`): `[<name>=]<image>` as
 * `kustomize edit set image` takes it; the reference is the part after `=`, with its own byte range.
 */
export function argoKustomizeImage(w: WalkContext, path: string, node: Scalar): void {
  const s = String(node.value)
  const eq = s.indexOf('=')
  const value = s.slice(eq + 1)
  if (isTemplated(s) || value.trim() === '') return
  const [start, end] = contentRange(node)
  const verbatim = w.text.slice(start, end) === s
  // Only a verbatim scalar can be split: elsewhere the whole value is the site (and not writable).
  const from = verbatim ? start + eq + 1 : start
  const a = w.toOuter(from)
  w.out.images.push({
    line: a.line,
    column: a.column,
    start: a.offset,
    end: w.toOuter(end).offset,
    kind: 'value',
    path,
    value: verbatim ? value : s,
    style: styleOf(node),
    embedded: w.embedded,
    verbatim,
  })
}
