/**
 * The walk of one parsed YAML document behind `findImages`: every node once, recording what the image policy looks
 * at into a `FileImages` — also inside YAML embedded in literal block strings, with positions mapped to the outer
 * file.
 */
import type {Document, Node, Pair, Scalar, YAMLMap} from 'yaml'

import {isTemplated} from '../../images/reference.js'
import {
  blockOffset,
  blockSpan,
  looksLikeYamlMapping,
  MAX_EMBED_DEPTH,
  parseYaml,
  type YamlModule,
} from '../../images/yaml/index.js'
import {
  PRIMITIVE_KINDS,
  VOLUME_SOURCES,
  type FileImages,
  type ImageMap,
  type MapGeometry,
  type MapValue,
  type SiteKind,
  type Span,
} from './model.js'
import {argoKustomizeImage, helmParameters, kustomizeImages, type WalkContext} from './tool-images.js'
import {contentRange, findPair, isImageShape, scalarOf, styleOf} from './scalars.js'

const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers'])
const POLICY_KEY = /^(?:image)?pull_?policy$/i
const KEYED = /^(?:imageTag|env|environment|environments|envs)$/i

/** Maps an offset in the text being walked to the outer file: line, column and offset. */
export type ToOuter = (offset: number) => {line: number; column: number; offset: number}

export class Walker implements WalkContext {
  constructor(
    readonly yaml: YamlModule,
    /** The text the offsets of this walk refer to (the outer file, or an embedded block's value). */
    readonly text: string,
    readonly toOuter: ToOuter,
    readonly out: FileImages,
    private readonly depth: number,
    readonly embedded: boolean,
  ) {}

  document(doc: Document.Parsed): void {
    const root = doc.contents as Node | null
    const y = this.yaml
    let kind: string | undefined
    if (root && y.isMap(root)) {
      const k = scalarOf(y, root, 'kind')
      const apiVersion = scalarOf(y, root, 'apiVersion')
      if (k && apiVersion) kind = k
    }
    // CRD schemas describe `image` properties; they are not references.
    if (kind === 'CustomResourceDefinition') return
    this.inPrimitive = kind !== undefined && PRIMITIVE_KINDS.has(kind)
    if (this.inPrimitive && root && y.isMap(root)) this.primitive(root, kind as string)
    if (root && y.isMap(root)) kustomizeImages(this, root, kind)
    this.node(root, [], kind !== undefined)
  }

  private primitive(root: YAMLMap, kind: string): void {
    const y = this.yaml
    const spec = root.get('spec', true)
    const metadata = root.get('metadata', true)
    const name = metadata && y.isMap(metadata) ? scalarOf(y, metadata, 'name') : undefined
    const policyPair = spec && y.isMap(spec) ? findPair(y, spec, 'imagePullPolicy') : undefined
    const keyNode = root.items.find((p) => y.isScalar(p.key) && p.key.value === 'kind')?.key as Scalar | undefined
    this.out.primitives.push({
      ...this.span(keyNode ?? (root as unknown as Scalar)),
      kind,
      name,
      pullPolicy: policyPair && y.isScalar(policyPair.value) ? this.span(policyPair.value) : undefined,
    })
  }

  /** `k8s`: inside a Kubernetes object (a document with apiVersion and kind), where pod specs live. */
  private node(node: Node | null, path: string[], k8s: boolean): void {
    const y = this.yaml
    if (!node) return
    if (y.isMap(node)) {
      for (const pair of node.items) {
        const key = y.isScalar(pair.key) ? String(pair.key.value) : undefined
        if (key === undefined) continue
        this.pair(key, pair, [...path, key], k8s)
      }
    } else if (y.isSeq(node)) {
      const listKey = path[path.length - 1]
      if (listKey === 'parameters' && path[path.length - 2] === 'helm') helmParameters(this, node, path)
      const argoKustomizeImages = listKey === 'images' && path[path.length - 2] === 'kustomize'
      node.items.forEach((item, i) => {
        const itemPath = [...path, String(i)]
        if (argoKustomizeImages && item && y.isScalar(item) && typeof item.value === 'string') {
          argoKustomizeImage(this, itemPath.join('.'), item)
        }
        if (k8s && CONTAINER_LISTS.has(listKey) && item && y.isMap(item)) this.container(item as YAMLMap, itemPath)
        if (
          item &&
          y.isScalar(item) &&
          typeof item.value === 'string' &&
          KEYED.test(listKey) &&
          !isTemplated(item.value)
        ) {
          this.out.keyed.push({...this.span(item), key: listKey, path: itemPath.join('.'), value: item.value})
        }
        this.node(item as Node | null, itemPath, k8s)
      })
    } else if (y.isScalar(node) && typeof node.value === 'string' && node.value.includes('\n')) {
      this.embeddedYaml(node, path)
    }
  }

  private pair(key: string, pair: Pair, path: string[], k8s: boolean): void {
    const y = this.yaml
    const value = pair.value as Node | null
    const parentKey = path[path.length - 2]
    if (value && y.isScalar(value) && typeof value.value === 'string' && !value.value.includes('\n')) {
      const s = value.value
      const at = path.join('.')
      if (key === 'ref' && parentKey === 'image') {
        if (!isTemplated(s)) this.site('ref', at, value)
        return
      }
      if (key === 'image') {
        if (!isTemplated(s) && s.trim() !== '' && !VOLUME_SOURCES.has(parentKey ?? '')) {
          const kind: SiteKind = k8s && CONTAINER_LISTS.has(path[path.length - 3] ?? '') ? 'container' : 'value'
          const primitive = this.inPrimitive && path.length === 2 && path[0] === 'spec'
          this.site(primitive ? 'primitive' : kind, at, value)
        }
        return
      }
      if (POLICY_KEY.test(key)) {
        this.out.pullPolicies.push({...this.span(value), key, value: s, path: at})
        return
      }
      if (KEYED.test(key) && !isTemplated(s)) this.out.keyed.push({...this.span(value), key, path: at, value: s})
      return
    }
    if (key === 'requireDigest' && parentKey === 'imagePolicy' && value && y.isScalar(value) && value.value === true) {
      this.out.requireDigest = true
    }
    if (value && y.isMap(value)) this.imageMap(value, path, key === 'image')
    this.node(value, path, k8s)
  }

  /** The document being walked is a primitive custom resource (its `spec.image` is a reference). */
  private inPrimitive = false

  mapValue(node: Scalar): MapValue {
    const source = this.text.slice(...contentRange(node))
    const style = styleOf(node)
    return {
      ...this.span(node),
      value: String(node.value),
      style,
      // A one-line plain scalar has no escapes: replacing all of it is byte-exact even when it reads as a number.
      verbatim: style === 'plain' ? !source.includes('\n') : source === String(node.value),
    }
  }

  /**
   * Where a new pair goes in `map`: after the last value of a flow map; at the end of the line of a block map's last
   * content (after a trailing comment, before the line break), at the column of its first key.
   */
  geometry(map: YAMLMap): MapGeometry {
    const last = map.items[map.items.length - 1]
    const first = map.items[0]
    const lastEnd = ((last?.value as Node | null)?.range ?? (last?.key as Node | null)?.range ?? [0, 0, 0])[1]
    const keyStart = (first?.key as Node | null)?.range?.[0] ?? 0
    const indent = this.toOuter(keyStart).column - 1
    if (map.flow === true) return {flow: true, insertAt: this.toOuter(lastEnd).offset, indent}
    let end = lastEnd
    while (end > 0 && /\s/.test(this.text[end - 1])) end--
    const eol = this.text.indexOf('\n', end)
    let at = eol === -1 ? this.text.length : eol
    if (at > 0 && this.text[at - 1] === '\r') at--
    return {flow: false, insertAt: this.toOuter(at).offset, indent}
  }

  private site(kind: SiteKind, path: string, node: Scalar): void {
    const span = this.span(node)
    const style = styleOf(node)
    this.out.images.push({
      ...span,
      kind,
      path,
      value: String(node.value),
      style,
      embedded: this.embedded,
      verbatim: this.text.slice(...contentRange(node)) === String(node.value),
    })
  }

  private imageMap(map: YAMLMap, path: string[], imageKey: boolean): void {
    const y = this.yaml
    if (!imageKey && !findPair(y, map, 'repository')) return
    const fields: ImageMap['fields'] = {}
    for (const name of ['registry', 'repository', 'tag', 'digest', 'ref'] as const) {
      const p = findPair(y, map, name)
      if (p && y.isScalar(p.value) && p.value.value !== null && p.value.value !== undefined) {
        // A map that holds a template (`tag: '{{ .head_sha }}'`, `${TAG}`) is an image only once rendered.
        if (isTemplated(String(p.value.value))) return
        fields[name] = this.mapValue(p.value)
      }
    }
    if (!isImageShape(fields, imageKey)) return
    const first = map.items[0]?.key as Scalar | undefined
    this.out.imageMaps.push({
      ...this.span(first ?? (map as unknown as Scalar)),
      path: path.join('.'),
      fields,
      embedded: this.embedded,
      geometry: this.geometry(map),
    })
  }

  private container(map: YAMLMap, path: string[]): void {
    const y = this.yaml
    const image = findPair(y, map, 'image')
    if (!image || !y.isScalar(image.value)) return
    const policy = findPair(y, map, 'imagePullPolicy')
    this.out.containers.push({
      ...this.span(image.value),
      path: path.join('.'),
      pullPolicy: policy && y.isScalar(policy.value) ? String(policy.value.value) : undefined,
    })
  }

  /**
   * A literal block string holding Kubernetes YAML, or Helm values (Argo CD `helm.values`, a `values.yaml` key of a
   * ConfigMap that a HelmRelease's `valuesFrom` reads): walked as documents, positions mapped to the outer file.
   * Outside Helm values only the documents that are objects the gate reads are walked — a Kubernetes object
   * (`apiVersion` and `kind`), a pod spec by shape (a container list), a JSON 6902 patch — never prose that happens
   * to parse as YAML (`description: |` reading `image: x:latest was retired; …`).
   */
  private embeddedYaml(node: Scalar, path: string[]): void {
    if (node.type !== 'BLOCK_LITERAL' || this.depth >= MAX_EMBED_DEPTH) return
    const value = node.value as string
    if (!looksLikeYamlMapping(value)) return
    const block = blockSpan(this.text, node)
    if (!block) return
    const y = this.yaml
    const lines = new y.LineCounter()
    const {docs} = parseYaml(y, value, lines)
    if (!docs) return
    const key = path[path.length - 1] ?? ''
    const helmValues = (key === 'values' && path[path.length - 2] === 'helm') || /(?:^|[._-])values\.ya?ml$/.test(key)
    const read = helmValues ? docs : docs.filter((d) => this.isEmbeddedObject(d.contents as Node | null))
    if (read.length === 0) return
    const toOuter: ToOuter = (offset) => {
      const {line, col} = lines.linePos(offset)
      return this.toOuter(blockOffset(block, line, col))
    }
    const inner = new Walker(y, value, toOuter, this.out, this.depth + 1, true)
    for (const doc of read) inner.document(doc)
  }

  /** An embedded document the gate reads: a Kubernetes object, a pod spec by shape, or a JSON 6902 patch. */
  private isEmbeddedObject(root: Node | null): boolean {
    const y = this.yaml
    // A JSON 6902 patch (kustomize `patch: |-`): a list of `{op, path, value}` whose values may add containers.
    if (root !== null && y.isSeq(root)) return root.items.some((i) => y.isMap(i) && i.has('op') && i.has('path'))
    if (root === null || !y.isMap(root)) return false
    if (scalarOf(y, root, 'apiVersion') && scalarOf(y, root, 'kind')) return true
    // A pod spec by shape (a runner's `podspec.yaml: |-` has no apiVersion/kind): a list of containers.
    return [...CONTAINER_LISTS].some((k) => {
      const list = root.get(k, true)
      return y.isSeq(list) && list.items.some((i) => y.isMap(i))
    })
  }

  span(node: Scalar): Span {
    const [start, end] = contentRange(node)
    const a = this.toOuter(start)
    const b = this.toOuter(end)
    return {line: a.line, column: a.column, start: a.offset, end: b.offset}
  }
}
