/**
 * Judges rendered objects: the image rules on every container (at the source line that decided the image, with the
 * object and the environment), and each object against the Kubernetes schema (kinds without one are counted).
 */
import {floatingTagOf, isDigestPinned, tryParseImageReference} from '../../images/reference.js'
import {finding, RULES, type GitopsFinding} from '../rules/index.js'
import type {RenderedObjectRef} from '../rules/rule.js'
import {attribute, type EditedImages, objectLine, type SourceLocation, type SourceReader} from './attribute.js'
import {containersOf, type RenderedContainer, type RenderedObject} from '../kubernetes/objects.js'
import type {RenderRoot} from './plan-types.js'
import {validateObject} from '../kubernetes/schema.js'

/** One rendered container image and the source line that decided it (`render.images`). */
export interface RenderedImage {
  environment: string | null
  root: string
  /** The deployable that rendered it: an Argo CD Application's name or a HelmRelease's namespace/name. */
  application?: string
  object: RenderedObjectRef
  image: string
  file: string
  line: number
  how: SourceLocation['how']
}

const HOW: Record<SourceLocation['how'], string> = {
  images: 'decided by this images: entry',
  patch: 'set by this patch',
  manifest: 'as declared in this manifest',
  values: 'decided by this values line',
  template: 'assembled in this template: no single values line decides it',
  unknown: 'the source line could not be determined (kustomize named no origin or transformer that yields it)',
}

/** What judging one deployable's objects added: replayed as is when nothing it depends on changed. */
export interface Verdicts {
  findings: GitopsFinding[]
  images: RenderedImage[]
  objects: number
  containers: number
  unknownKinds: Array<{apiVersion: string; kind: string; count: number}>
}

const describe = (obj: RenderedObject) => `${obj.kind} ${obj.namespace ? `${obj.namespace}/` : ''}${obj.name}`

export class Judge {
  readonly findings: GitopsFinding[] = []
  readonly images: RenderedImage[] = []
  objects = 0
  containers = 0
  private readonly unknown = new Map<string, {apiVersion: string; kind: string; count: number}>()

  constructor(
    private readonly reader: SourceReader,
    private readonly extraFloatingTags: string[],
  ) {}

  /** Kinds without a schema, sorted. */
  get unknownKinds(): Array<{apiVersion: string; kind: string; count: number}> {
    const key = (k: {apiVersion: string; kind: string}) => `${k.apiVersion} ${k.kind}`
    return [...this.unknown.values()].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))
  }

  /** What `run` (one judging) adds to the verdicts. */
  async record(run: () => Promise<void>): Promise<Verdicts> {
    const [findings, images, objects, containers] = [
      this.findings.length,
      this.images.length,
      this.objects,
      this.containers,
    ]
    const before = new Map([...this.unknown].map(([k, u]) => [k, u.count]))
    await run()
    return {
      findings: this.findings.slice(findings),
      images: this.images.slice(images),
      objects: this.objects - objects,
      containers: this.containers - containers,
      unknownKinds: [...this.unknown]
        .filter(([k, u]) => u.count > (before.get(k) ?? 0))
        .map(([k, u]) => ({apiVersion: u.apiVersion, kind: u.kind, count: u.count - (before.get(k) ?? 0)})),
    }
  }

  /** Verdicts recorded by an earlier run, added as they were. */
  replay(verdicts: Verdicts): void {
    this.findings.push(...verdicts.findings)
    this.images.push(...verdicts.images)
    this.objects += verdicts.objects
    this.containers += verdicts.containers
    for (const u of verdicts.unknownKinds) {
      const k = `${u.apiVersion} ${u.kind}`
      const known = this.unknown.get(k) ?? {apiVersion: u.apiVersion, kind: u.kind, count: 0}
      known.count += u.count
      this.unknown.set(k, known)
    }
  }

  /**
   * The objects one root (or Helm deployable) rendered; `fallback`: where a finding points when the source is
   * unknown; `locate`: where a container's image was decided (a Helm deployable's values line), else kustomize's
   * annotations are read.
   */
  async judge(
    objects: RenderedObject[],
    root: RenderRoot,
    fallback: string,
    locate?: (obj: RenderedObject, container: RenderedContainer) => SourceLocation & {note?: string},
    edited?: EditedImages,
  ): Promise<void> {
    for (const obj of objects) {
      this.objects++
      for (const container of containersOf(obj.body)) this.image(obj, container, root, fallback, locate, edited)
      const answer = await validateObject(obj)
      if (!answer.known) {
        const k = `${obj.apiVersion} ${obj.kind}`
        const u = this.unknown.get(k) ?? {apiVersion: obj.apiVersion, kind: obj.kind, count: 0}
        u.count++
        this.unknown.set(k, u)
        continue
      }
      for (const v of answer.violations) {
        const message = `${describe(obj)} (rendered from ${from(root, locate !== undefined)}): ${v.pointer} ${v.message}.`
        const line = obj.origin ? objectLine(this.reader, obj) : 1
        const f = finding(RULES['schema-invalid'], obj.origin ?? obj.template ?? fallback, {line, column: 1}, message)
        this.findings.push(withObject(f, obj, root))
      }
    }
  }

  private image(
    obj: RenderedObject,
    container: RenderedContainer,
    root: RenderRoot,
    fallback: string,
    locate?: (obj: RenderedObject, container: RenderedContainer) => SourceLocation & {note?: string},
    edited?: EditedImages,
  ): void {
    this.containers++
    const image = typeof container.image === 'string' ? container.image.trim() : ''
    const at: SourceLocation & {note?: string} = locate
      ? locate(obj, container)
      : attribute(this.reader, obj, container, fallback, edited)
    const object = objectRef(obj, container.name)
    this.images.push({
      environment: root.environment,
      root: root.dir,
      ...(root.application !== undefined ? {application: root.application} : {}),
      object,
      image,
      file: at.file,
      line: at.line,
      how: at.how,
    })
    const ref = tryParseImageReference(image)
    if (!ref) return
    const floating = floatingTagOf(ref, this.extraFloatingTags)
    const pinned = isDigestPinned(ref)
    const what = `${describe(obj)} container ${container.name} (${container.list}) renders image ${JSON.stringify(image)} from ${from(root, locate !== undefined)}; ${at.note ?? HOW[at.how]}`
    if (!pinned) {
      const f = finding(RULES['image-not-pinned'], at.file, at, `${what}: not pinned by digest.`)
      this.findings.push(withObject(f, obj, root, container.name))
    }
    if (floating !== undefined) {
      const how =
        ref.tag === undefined ? 'has no tag and no digest, so it means :latest' : `uses the floating tag :${floating}`
      const f = finding(RULES['floating-tag'], at.file, at, `${what}: ${how}.`)
      this.findings.push(withObject(f, obj, root, container.name))
    }
  }
}

function objectRef(obj: RenderedObject, container?: string): RenderedObjectRef {
  return {
    kind: obj.kind,
    ...(obj.namespace ? {namespace: obj.namespace} : {}),
    name: obj.name,
    ...(container !== undefined ? {container} : {}),
  }
}

/**
 * Where the objects came from: the root folder, or the chart (`helm`: a Helm deployable) or folder and the deployable
 * that rendered it.
 */
const from = (root: RenderRoot, helm: boolean) =>
  root.application !== undefined
    ? `${helm ? 'chart' : 'folder'} ${root.dir || '.'} as ${root.via === 'flux' ? 'HelmRelease' : 'Application'} ${root.application} deploys it${root.environment ? ` in ${root.environment}` : ''}`
    : root.dir || '.'

export function withObject(f: GitopsFinding, obj: RenderedObject, root: RenderRoot, container?: string): GitopsFinding {
  return {
    ...f,
    object: objectRef(obj, container),
    ...(root.environment ? {environment: root.environment} : {}),
    ...(root.application !== undefined ? {application: root.application} : {}),
  }
}
