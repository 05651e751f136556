/**
 * What the GitOps image finder (`findImages`, src/gitops/facts/index.ts) reports about one YAML file: image references,
 * image maps, kustomize entries, pull policies, containers, primitive custom resources and keyed values, each with
 * its position and byte range in the outer file; and the shapes and names the finder and the rules share.
 */

import type {YamlFailure} from '../../images/yaml/index.js'

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
  /** The file sets `imagePolicy.requireDigest: true` (the image-override precedence design): overrides must resolve to a digest. */
  requireDigest?: boolean
  /** Present when the file is not valid YAML (e.g. a Helm template): the reason it was skipped. */
  skipped?: string
  /** With `skipped`: whether the text does not parse (`syntax`) or breaks a resource limit (`limit`). */
  failure?: YamlFailure
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
