import type {Document, Node, Pair, Scalar, YAMLMap} from 'yaml'

import {isTemplated} from '../images/reference.js'
import {
  blockOffset,
  blockSpan,
  looksLikeYamlMapping,
  MAX_EMBED_DEPTH,
  parseYaml,
  type YamlModule,
} from '../images/yaml/index.js'

/**
 * Finds what the GitOps image policy looks at in one YAML file: every image reference (by the definition of
 * `gitops verify`, shared with `gitops set-image`/`promote`), split image maps, pull policies, containers of
 * raw manifests and primitive custom resources — also inside YAML embedded in literal block strings
 * (`manifests: |-`), with positions and byte ranges in the outer file.
 *
 * Image references are: `image.ref` / `<anything>.image.ref` values; string `image` values (containers,
 * initContainers and ephemeralContainers of any pod spec, primitive `spec.image`, plain values); and split image
 * maps (`repository`/`tag`/`digest`). Not references: git revisions (`targetRevision`, `revision`, a source's
 * `ref`), comments, CRD schemas, `version: latest` and other keys, and anything that holds a template (`isTemplated`:
 * `{{ }}`, `${ }`, `$(…)`) — a string, an image map, a `helm.parameters` group, a kustomize entry or an `imageTag`
 * with one in any field is an image only once rendered, so no rule judges it and no write touches it.
 */

export type SiteKind = 'ref' | 'container' | 'primitive' | 'value'
export type QuoteStyle = 'plain' | 'single' | 'double' | 'block'

/** Where a scalar sits: 1-based line/column in the outer file, and the [start, end) offsets of its source. */
export interface Span {
  line: number
  column: number
  start: number
  end: number
}

export interface ImageSite extends Span {
  kind: SiteKind
  /** Dotted YAML path inside its document, e.g. `operators.domain.image.ref`, `spec.template.spec.containers.0.image`. */
  path: string
  value: string
  style: QuoteStyle
  /** True when the reference sits in YAML embedded in a block string. */
  embedded: boolean
  /** The source text of `[start, end)` equals `value` (no escapes, no folding): the writer may replace it verbatim. */
  verbatim: boolean
}

/**
 * An image map, recognised by shape: under an `image` key any of `repository`/`tag`/`digest`/`ref`; under any other
 * key a `repository` (not a URL) with a `tag` or a `digest` (`redis: {repository, tag}`), optionally a `registry`.
 */
export interface ImageMap extends Span {
  path: string
  fields: Partial<Record<MapField, MapValue>>
  embedded: boolean
  /**
   * Where a missing key goes (a YAML map); undefined for Argo CD `helm.parameters` (`{name: image.tag, value: …}`
   * entries grouped by their prefix), where no key can be added.
   */
  geometry?: MapGeometry
}

/** A scalar value of an image map or a kustomize entry, with what a byte-exact rewrite needs. */
export interface MapValue extends Span {
  value: string
  style: QuoteStyle
  /**
   * The writer may replace `[start, end)`: a quoted scalar whose source equals `value` (no escapes), or a one-line
   * plain scalar (`tag: 1.0` reads as a number; it is rewritten as a quoted string).
   */
  verbatim: boolean
}

/** Where a new pair goes in a map, in the map's own style. */
export interface MapGeometry {
  /** A flow map (`{a: 1, b: 2}`): a new pair is `, key: value` at `insertAt`; else a new line at `indent`. */
  flow: boolean
  /** Outer offset: right after the last value of a flow map; the end of the last pair's line of a block map. */
  insertAt: number
  /** Outer column (0-based) of the map's keys. */
  indent: number
}

export interface PullPolicy extends Span {
  key: string
  value: string
  path: string
}

/** A container of a Kubernetes object with a pod spec. */
export interface Container extends Span {
  path: string
  /** The `imagePullPolicy` value, undefined when not set. */
  pullPolicy: string | undefined
}

export interface PrimitiveResource extends Span {
  kind: string
  name: string | undefined
  /** Position of `spec.imagePullPolicy` when set. */
  pullPolicy: Span | undefined
}

/** A string scalar with its key, for rules that look at other keys (`imageTag`, `env: dev`). */
export interface KeyedValue extends Span {
  key: string
  path: string
  value: string
}

/**
 * One entry of a kustomization's `images:` (kustomize's own file, or a Flux `Kustomization`'s `spec.images`): the
 * image named `name` in the resources is deployed as `newName` (default: `name`) with `newTag` and/or `digest`.
 */
export interface KustomizeImage extends Span {
  /** Dotted path of the entry, e.g. `images.0`, `spec.images.1`. */
  path: string
  name: string
  fields: Partial<Record<'newName' | 'newTag' | 'digest', MapValue>>
  /** Where a missing `newTag`/`digest` key goes, in the entry's own style (flow or block). */
  geometry: MapGeometry
  embedded: boolean
}

export interface FileImages {
  images: ImageSite[]
  imageMaps: ImageMap[]
  kustomizeImages: KustomizeImage[]
  pullPolicies: PullPolicy[]
  containers: Container[]
  primitives: PrimitiveResource[]
  /** `imageTag`-like keys and environment names, for the split-fields and dev-environment rules. */
  keyed: KeyedValue[]
  /** The file sets `imagePolicy.requireDigest: true` (seed 004): overrides must resolve to a digest. */
  requireDigest?: boolean
  /** Present when the file is not valid YAML (e.g. a Helm template): the reason it was skipped. */
  skipped?: string
}

export type MapField = 'registry' | 'repository' | 'tag' | 'digest' | 'ref'

/** A tag that carries the digest, as Flux repositories write it: `v1.2.3@sha256:<64 hex>`. */
export const DIGEST_IN_TAG = /@sha256:[0-9a-f]{64}$/

/** An image map pins its image: a `ref`, a `digest`, or a tag carrying the digest. */
export const mapIsPinned = (map: ImageMap): boolean =>
  Boolean(map.fields.ref || map.fields.digest?.value || DIGEST_IN_TAG.test(map.fields.tag?.value ?? ''))

export const PRIMITIVE_KINDS = new Set(['Domain', 'Process', 'Agent', 'UISurface', 'Projection', 'Integration'])
/**
 * Kubernetes volume sources (core/v1): an `image` under one of them names a storage image (`rbd.image` is a Ceph RBD
 * image), never a container image.
 */
export const VOLUME_SOURCES = new Set([
  'rbd',
  'cephfs',
  'iscsi',
  'fc',
  'glusterfs',
  'nfs',
  'cinder',
  'flexVolume',
  'csi',
  'flocker',
  'quobyte',
  'scaleIO',
  'storageos',
  'portworxVolume',
  'vsphereVolume',
  'photonPersistentDisk',
  'azureDisk',
  'azureFile',
  'awsElasticBlockStore',
  'gcePersistentDisk',
])
const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers'])
const POLICY_KEY = /^(?:image)?pull_?policy$/i
const KEYED = /^(?:imageTag|env|environment|environments|envs)$/i

/** Maps an offset in the text being walked to the outer file: line, column and offset. */
type ToOuter = (offset: number) => {line: number; column: number; offset: number}

export function findImages(yaml: YamlModule, text: string): FileImages {
  const out: FileImages = {
    images: [],
    imageMaps: [],
    kustomizeImages: [],
    pullPolicies: [],
    containers: [],
    primitives: [],
    keyed: [],
  }
  const lines = new yaml.LineCounter()
  const {docs, reason} = parseYaml(yaml, text, lines)
  if (!docs) return {...out, skipped: reason}
  const toOuter: ToOuter = (offset) => {
    const {line, col} = lines.linePos(offset)
    return {line, column: col, offset}
  }
  for (const doc of docs) new Walker(yaml, text, toOuter, out, 0, false).document(doc)
  return out
}

class Walker {
  constructor(
    private readonly yaml: YamlModule,
    /** The text the offsets of this walk refer to (the outer file, or an embedded block's value). */
    private readonly text: string,
    private readonly toOuter: ToOuter,
    private readonly out: FileImages,
    private readonly depth: number,
    private readonly embedded: boolean,
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
    if (root && y.isMap(root)) this.kustomization(root, kind)
    this.node(root, [], kind !== undefined)
  }

  /**
   * A kustomization's `images:`: a kustomize file (`kind: Kustomization` of kustomize.config.k8s.io, or no kind and a
   * `resources`/`bases`/`components`/`patches` list beside it) or a Flux `Kustomization`'s `spec.images`.
   */
  private kustomization(root: YAMLMap, kind: string | undefined): void {
    const y = this.yaml
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
          fields[f] = this.mapValue(p.value)
        }
      }
      // An entry that holds a template is an image only once rendered: no rule judges it, no write touches it.
      if (Object.values(fields).some((v) => isTemplated(v.value))) return
      const nameKey = findPair(y, entry, 'name')!.key as Scalar
      this.out.kustomizeImages.push({
        ...this.span(nameKey),
        path: [...at, String(i)].join('.'),
        name,
        fields,
        geometry: this.geometry(entry),
        embedded: this.embedded,
      })
    })
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
      if (listKey === 'parameters' && path[path.length - 2] === 'helm') this.helmParameters(node, path)
      const argoKustomizeImages = listKey === 'images' && path[path.length - 2] === 'kustomize'
      node.items.forEach((item, i) => {
        const itemPath = [...path, String(i)]
        if (argoKustomizeImages && item && y.isScalar(item) && typeof item.value === 'string') {
          this.argoKustomizeImage(itemPath.join('.'), item)
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

  private mapValue(node: Scalar): MapValue {
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
  private geometry(map: YAMLMap): MapGeometry {
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

  /**
   * Argo CD `helm.parameters`: `{name: <prefix>.repository|tag|digest|registry, value: …}` entries with one prefix
   * are one image map (`image.repository` + `image.tag`, `api.image.repository` + …), by the same shape rule.
   */
  private helmParameters(list: Node, path: string[]): void {
    const y = this.yaml
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
      else group.fields[(m[2] === 'name' ? 'repository' : m[2]) as MapField] = this.mapValue(value)
      groups.set(prefix, group)
    }
    for (const [prefix, {fields, first, templated}] of groups) {
      const imageKey = prefix === 'image' || prefix.endsWith('.image')
      // A group with a templated parameter (`image.tag: '{{ .head_sha }}'`) is an image only once rendered.
      if (templated || !isImageShape(fields, imageKey)) continue
      this.out.imageMaps.push({
        ...this.span(first),
        path: `${path.join('.')}[${prefix}]`,
        fields,
        embedded: this.embedded,
      })
    }
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

  /**
   * An Argo CD `spec.source.kustomize.images` entry (also in `.argocd-source-<app>.yaml`): `[<name>=]<image>` as
   * `kustomize edit set image` takes it; the reference is the part after `=`, with its own byte range.
   */
  private argoKustomizeImage(path: string, node: Scalar): void {
    const s = String(node.value)
    const eq = s.indexOf('=')
    const value = s.slice(eq + 1)
    if (isTemplated(s) || value.trim() === '') return
    const [start, end] = contentRange(node)
    const verbatim = this.text.slice(start, end) === s
    // Only a verbatim scalar can be split: elsewhere the whole value is the site (and not writable).
    const from = verbatim ? start + eq + 1 : start
    const a = this.toOuter(from)
    this.out.images.push({
      line: a.line,
      column: a.column,
      start: a.offset,
      end: this.toOuter(end).offset,
      kind: 'value',
      path,
      value: verbatim ? value : s,
      style: styleOf(node),
      embedded: this.embedded,
      verbatim,
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
    const looksLikeKubernetes =
      helmValues ||
      docs.some((d) => {
        const root = d.contents as Node | null
        // A JSON 6902 patch (kustomize `patch: |-`): a list of `{op, path, value}` whose values may add containers.
        if (root !== null && y.isSeq(root)) return root.items.some((i) => y.isMap(i) && i.has('op') && i.has('path'))
        if (root === null || !y.isMap(root)) return false
        // A Kubernetes object, an image, or a pod spec by shape (a runner's `podspec.yaml: |-` has no apiVersion/kind).
        return ['apiVersion', 'kind', 'image', ...CONTAINER_LISTS].some((k) => root.has(k))
      })
    if (!looksLikeKubernetes) return
    const toOuter: ToOuter = (offset) => {
      const {line, col} = lines.linePos(offset)
      return this.toOuter(blockOffset(block, line, col))
    }
    const inner = new Walker(y, value, toOuter, this.out, this.depth + 1, true)
    for (const doc of docs) inner.document(doc)
  }

  private span(node: Scalar): Span {
    const [start, end] = contentRange(node)
    const a = this.toOuter(start)
    const b = this.toOuter(end)
    return {line: a.line, column: a.column, start: a.offset, end: b.offset}
  }
}

/** The offsets of a scalar's content: inside the quotes for quoted scalars. */
function contentRange(node: Scalar): [number, number] {
  const [start, end] = node.range ?? [0, 0]
  if (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') return [start + 1, end - 1]
  return [start, end]
}

function styleOf(node: Scalar): QuoteStyle {
  switch (node.type) {
    case 'QUOTE_DOUBLE':
      return 'double'
    case 'QUOTE_SINGLE':
      return 'single'
    case 'BLOCK_LITERAL':
    case 'BLOCK_FOLDED':
      return 'block'
    default:
      return 'plain'
  }
}

/**
 * The shape of an image map: under an `image` key any of `repository`/`tag`/`digest`; under any other key a
 * `repository` that is no URL, with a `tag` or a `digest`.
 */
function isImageShape(fields: ImageMap['fields'], imageKey: boolean): boolean {
  if (!fields.repository && !fields.tag && !fields.digest) return false
  if (imageKey) return true
  return Boolean(fields.repository && !fields.repository.value.includes('://') && (fields.tag || fields.digest))
}

function scalarOf(y: YamlModule, map: YAMLMap, key: string): string | undefined {
  const v = map.get(key, true)
  return v && y.isScalar(v) && typeof v.value === 'string' ? v.value : undefined
}

function findPair(y: YamlModule, map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((p) => y.isScalar(p.key) && p.key.value === key)
}
