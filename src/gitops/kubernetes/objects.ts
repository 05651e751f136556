/**
 * The rendered objects of one root: each object with the file that declared it and the kustomizations that changed
 * it (kustomize's origin and transformer annotations, paths made repo-relative; the annotations are removed from the
 * object), and the containers of every pod-bearing kind, init and ephemeral containers included.
 */
import path from 'node:path'

import type {YamlModule} from '../../images/yaml/index.js'
import {kubeDocuments} from '../../images/yaml/kube.js'
import {limitMessage} from './yaml-lines.js'
import {CHECKOUT_LINK} from './checkout-link.js'

const ORIGIN = 'config.kubernetes.io/origin'
const TRANSFORMATIONS = 'alpha.config.kubernetes.io/transformations'
/** Each build annotation and the buildMetadata option that keeps it. */
const BUILD_ANNOTATIONS = [
  [ORIGIN, 'originAnnotations'],
  [TRANSFORMATIONS, 'transformerAnnotations'],
] as const

export interface Transformation {
  /** Repo-relative kustomization file, or null when it lies outside the checkout. */
  configuredIn: string | null
  kind: string
}

export interface RenderedObject {
  apiVersion: string
  kind: string
  namespace?: string
  name: string
  body: Doc
  /** Repo-relative file that declared the object, null when kustomize did not say or it lies outside the checkout. */
  origin: string | null
  transformations: Transformation[]
  /** Its kind's scope is not known offline (./scope.ts): no destination namespace was given to it. */
  scopeUnknown?: true
  /** Helm: the chart template that rendered the object (`# Source:`, repo-relative), and its `image:` lines. */
  template?: string
  templateImageLines?: number[]
}

export interface RenderedContainer {
  /** `containers`, `initContainers` or `ephemeralContainers`. */
  list: string
  name: string
  image: unknown
  /** JSON path of the image in the object, e.g. `/spec/template/spec/containers/0/image`. */
  pointer: string
}

/** A path kustomize wrote relative to the wrapper, made repo-relative (null outside the checkout). */
export function fromWrapper(p: string): string | null {
  const normal = path.posix.normalize(p)
  return normal.startsWith(CHECKOUT_LINK) ? normal.slice(CHECKOUT_LINK.length) : null
}

/**
 * How deep an object the render module read may nest (a CRD's schema nests two levels a property): what the host's
 * recursive steps after it (JSON.stringify among them) hold with room to spare; the render module's reading follows
 * deeper than the host's own YAML reading (256, src/images/yaml/parse.ts), which reads no render that it gave.
 */
export const MAX_RENDERED_NESTING = 2048

/** Whether `value`'s collections nest deeper than `max` (a stack of its own: the value may be deeper than recursion). */
function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]]
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [v, depth] = top
    if (v === null || typeof v !== 'object') continue
    if (depth >= max) return true
    for (const child of Object.values(v))
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1])
  }
  return false
}

/** A decoded YAML document. */
export type Doc = Record<string, unknown>

/** The value at `keys` under `value`, or undefined where a step is not a map or a list. */
export function at(value: unknown, ...keys: Array<string | number>): unknown {
  let v = value
  for (const k of keys) {
    if (v === null || typeof v !== 'object') return undefined
    v = (v as Record<string | number, unknown>)[k]
  }
  return v
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)
const isDoc = (v: unknown): v is Doc => v !== null && typeof v === 'object' && !Array.isArray(v)

/** A tool's output ameide cannot read within its limits (an alias bomb a template printed): the render failed. */
export class UnreadableOutput extends Error {}

/**
 * A Flux Kustomization's `spec.buildMetadata`: the build annotations kustomize-controller leaves on the objects
 * (`originAnnotations`, `transformerAnnotations`), their paths relative to the folder it builds (`root`,
 * repo-relative) — where the gate's wrapper wrote them relative to itself.
 */
export interface KeptBuildMetadata {
  options: readonly string[]
  root: string
}

/** A build annotation's paths (`path:`, `configuredIn:` lines under the wrapper) made relative to `root`. */
function relativeToRoot(text: string, root: string): string {
  return text.replace(/^(\s*(?:- )?(?:path|configuredIn): )(\S.*)$/gm, (line, key: string, value: string) => {
    const inCheckout = fromWrapper(value)
    return inCheckout === null ? line : `${key}${path.posix.relative(root, inCheckout) || '.'}`
  })
}

/** A render's output: the text, and the render module's reading of it where it gave one (BuildResult). */
export interface RenderedText {
  yaml: string
  documents?: string
}

/**
 * The output split at `---` lines (how helm separates its templates' documents), each chunk with its documents where
 * the render module read them (go/documents.go: go-yaml v2, the parser of sigs.k8s.io/yaml, so nothing is read
 * twice); a chunk it left, or an answer that does not match the split, is read here.
 */
export function renderedChunks(output: RenderedText): Array<{text: string; documents?: unknown[]}> {
  const chunks = output.yaml.split(/^---[ \t]*$/m)
  let read: unknown
  try {
    read = output.documents ? JSON.parse(output.documents) : undefined
  } catch {
    read = undefined
  }
  if (!Array.isArray(read) || read.length !== chunks.length) return chunks.map((text) => ({text}))
  return chunks.map((text, i) => (read[i] === false ? {text} : {text, documents: read[i] === null ? [] : [read[i]]}))
}

/**
 * Every document of the output where the render module read each chunk as one object (so each `---` line starts one
 * document, as the host's own reading would count them), else undefined: the host reads the text.
 */
export function outputDocuments(output: RenderedText): unknown[] | undefined {
  if (!output.documents) return undefined
  const chunks = renderedChunks(output)
  return chunks.every((c) => c.documents?.length === 1) ? chunks.map((c) => c.documents![0]) : undefined
}

/**
 * The objects of a tool's output (`documents`: already read, as {@link renderedChunks} gives them); throws
 * {@link UnreadableOutput} where a document cannot be read.
 */
export function parseRendered(
  yaml: YamlModule,
  text: string,
  kept?: KeptBuildMetadata,
  documents?: unknown[],
): RenderedObject[] {
  const out: RenderedObject[] = []
  const read = <T>(f: () => T): T => {
    try {
      return f()
    } catch (error) {
      throw new UnreadableOutput(`its output cannot be read: ${limitMessage(error)}`)
    }
  }
  if (documents?.some((d) => nestsDeeperThan(d, MAX_RENDERED_NESTING)))
    throw new UnreadableOutput(
      `its output cannot be read: an object's collections nest deeper than ${MAX_RENDERED_NESTING} levels, more than ameide follows`,
    )
  // Each document as Argo CD reads a render (sigs.k8s.io/yaml: `0444` is 292, `yes` is true).
  for (const [index, body] of (documents ?? read(() => kubeDocuments(yaml, text))).entries()) {
    if (!isDoc(body)) continue
    refuseNonObject(body, index)
    const found = at(body, 'metadata', 'annotations')
    const annotations: Doc = isDoc(found) ? found : {}
    let origin: string | null = null
    let transformations: Transformation[] = []
    try {
      const o = annotations[ORIGIN] ? (yaml.parse(String(annotations[ORIGIN])) as unknown) : null
      const originPath = str(at(o, 'path'))
      if (originPath !== undefined && at(o, 'repo') === undefined) origin = fromWrapper(originPath)
      const t = annotations[TRANSFORMATIONS] ? (yaml.parse(String(annotations[TRANSFORMATIONS])) as unknown) : []
      transformations = (Array.isArray(t) ? t : []).map((x: unknown) => {
        const configuredIn = str(at(x, 'configuredIn'))
        return {
          configuredIn: configuredIn === undefined ? null : fromWrapper(configuredIn),
          kind: str(at(x, 'configuredBy', 'kind')) ?? '',
        }
      })
    } catch {
      // unreadable metadata: the source is then unknown, and the finding says so
    }
    // kustomize's build metadata goes, and the annotations with it only when it was all they held (an object's own
    // `annotations: {}` stays, as Argo CD keeps it).
    if (isDoc(found) && (ORIGIN in annotations || TRANSFORMATIONS in annotations)) {
      for (const [key, option] of BUILD_ANNOTATIONS) {
        if (!(key in annotations)) continue
        if (kept?.options.includes(option)) annotations[key] = relativeToRoot(String(annotations[key]), kept.root)
        else delete annotations[key]
      }
      if (Object.keys(annotations).length === 0) delete (body.metadata as Doc).annotations
    }
    out.push({
      apiVersion: str(body.apiVersion) ?? '',
      kind: str(body.kind) ?? '',
      namespace: str(at(body, 'metadata', 'namespace')),
      name: str(at(body, 'metadata', 'name')) ?? '',
      body,
      origin,
      transformations,
    })
  }
  return out
}

/** What Kubernetes' unstructured decoding refuses: no `kind`, no `apiVersion`. */
export const objectError = (o: Doc): string | undefined =>
  typeof o.kind !== 'string' || o.kind === ''
    ? "Object 'Kind' is missing"
    : typeof o.apiVersion !== 'string' || o.apiVersion === ''
      ? "Object 'apiVersion' is missing"
      : undefined

/**
 * A rendered document the controllers cannot apply (no `kind` or `apiVersion`: Argo CD's and helm's decoding, and
 * kustomize-controller's apply, refuse it): the render fails, the document named — never compared as an object. An
 * empty mapping is no document.
 */
function refuseNonObject(body: Doc, index: number): void {
  if (Object.keys(body).length === 0) return
  const error = objectError(body)
  if (!error) return
  const name = str(at(body, 'metadata', 'name'))
  throw new UnreadableOutput(
    `document ${index + 1} of its output${name ? ` (name ${JSON.stringify(name.slice(0, 100))})` : ''} is not an object the controller can apply: ${error}`,
  )
}

/** Where the pod spec of a pod-bearing kind sits. */
export const POD_SPEC: Readonly<Record<string, readonly string[]>> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  ReplicationController: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  Rollout: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
}

export const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers']

/** The containers of an object of a pod-bearing kind (none for other kinds). */
export function containersOf(body: Doc): RenderedContainer[] {
  const where = POD_SPEC[String(body.kind)]
  if (!where) return []
  const spec = at(body, ...where)
  if (!isDoc(spec)) return []
  const out: RenderedContainer[] = []
  for (const list of CONTAINER_LISTS) {
    const items = spec[list]
    if (!Array.isArray(items)) continue
    items.forEach((c: unknown, i: number) => {
      if (!isDoc(c)) return
      const pointer = `/${[...where, list, i, 'image'].join('/')}`
      out.push({list, name: str(c.name) ?? '', image: c.image, pointer})
    })
  }
  return out
}
