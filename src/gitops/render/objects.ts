/**
 * The rendered objects of one root: each object with the file that declared it and the kustomizations that changed
 * it (kustomize's origin and transformer annotations, paths made repo-relative; the annotations are removed from the
 * object), and the containers of every pod-bearing kind, init and ephemeral containers included.
 */
import path from 'node:path'

import type {YamlModule} from '../../images/yaml/index.js'
import {CHECKOUT_LINK} from './render.js'

const ORIGIN = 'config.kubernetes.io/origin'
const TRANSFORMATIONS = 'alpha.config.kubernetes.io/transformations'

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
  body: Record<string, unknown>
  /** Repo-relative file that declared the object, null when kustomize did not say or it lies outside the checkout. */
  origin: string | null
  transformations: Transformation[]
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

type Obj = Record<string, any>

export function parseRendered(yaml: YamlModule, text: string): RenderedObject[] {
  const out: RenderedObject[] = []
  for (const doc of yaml.parseAllDocuments(text) as Array<{toJS(o?: object): unknown}>) {
    const body = doc.toJS({maxAliasCount: 100}) as Obj | null
    if (!body || typeof body !== 'object' || Array.isArray(body)) continue
    const annotations: Obj = body.metadata?.annotations ?? {}
    let origin: string | null = null
    let transformations: Transformation[] = []
    try {
      const o = annotations[ORIGIN] ? (yaml.parse(String(annotations[ORIGIN])) as Obj) : null
      if (o && typeof o.path === 'string' && !o.repo) origin = fromWrapper(o.path)
      const t = annotations[TRANSFORMATIONS] ? (yaml.parse(String(annotations[TRANSFORMATIONS])) as Obj[]) : []
      transformations = (Array.isArray(t) ? t : []).map((x) => ({
        configuredIn: typeof x?.configuredIn === 'string' ? fromWrapper(x.configuredIn) : null,
        kind: String(x?.configuredBy?.kind ?? ''),
      }))
    } catch {
      // unreadable metadata: the source is then unknown, and the finding says so
    }
    if (body.metadata?.annotations) {
      delete annotations[ORIGIN]
      delete annotations[TRANSFORMATIONS]
      if (Object.keys(annotations).length === 0) delete body.metadata.annotations
    }
    out.push({
      apiVersion: String(body.apiVersion ?? ''),
      kind: String(body.kind ?? ''),
      namespace: typeof body.metadata?.namespace === 'string' ? body.metadata.namespace : undefined,
      name: String(body.metadata?.name ?? ''),
      body,
      origin,
      transformations,
    })
  }
  return out
}

/** Where the pod spec of a pod-bearing kind sits. */
const POD_SPEC: Record<string, string[]> = {
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
export function containersOf(body: Obj): RenderedContainer[] {
  const at = POD_SPEC[String(body.kind)]
  if (!at) return []
  let spec: any = body
  for (const k of at) spec = spec?.[k]
  if (!spec || typeof spec !== 'object') return []
  const out: RenderedContainer[] = []
  for (const list of CONTAINER_LISTS) {
    const items = spec[list]
    if (!Array.isArray(items)) continue
    items.forEach((c: Obj, i: number) => {
      if (!c || typeof c !== 'object') return
      out.push({list, name: String(c.name ?? ''), image: c.image, pointer: `/${[...at, list, i, 'image'].join('/')}`})
    })
  }
  return out
}
