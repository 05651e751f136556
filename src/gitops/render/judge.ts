/**
 * Judges rendered objects: the image rules on every container (at the source line that decided the image, with the
 * object and the environment), each object's apiVersion against what the cluster's minor serves, and each object
 * against the Kubernetes schema (kinds without one are kept for their CRDs: ./custom-resources.ts).
 */
import {floatingTagOf, isDigestPinned, tryParseImageReference} from '../../images/reference.js'
import {finding, RULES, type GitopsFinding} from '../rules/index.js'
import type {RenderedObjectRef} from '../rules/rule.js'
import {attribute, type EditedImages, objectLine, type SourceLocation, type SourceReader} from './attribute.js'
import {containersOf, type RenderedContainer, type RenderedObject} from '../kubernetes/objects.js'
import type {RenderRoot} from './plan-types.js'
import {validateObject} from '../kubernetes/schema.js'
import {apiStatus, type ApiStatus} from '../kubernetes/apis.js'
import {asDeferred, type DeferredObject} from './custom-resources.js'

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

/**
 * What judging one deployable's objects added: replayed as is when nothing it depends on changed. Its custom
 * resources and CRDs are validated once every deployable is judged (./custom-resources.ts): a CRD may come from
 * another's.
 */
export interface Verdicts {
  findings: GitopsFinding[]
  images: RenderedImage[]
  objects: number
  containers: number
  custom: DeferredObject[]
  crds: DeferredObject[]
}

const describe = (obj: RenderedObject) => `${obj.kind} ${obj.namespace ? `${obj.namespace}/` : ''}${obj.name}`

export class Judge {
  readonly findings: GitopsFinding[] = []
  readonly images: RenderedImage[] = []
  objects = 0
  containers = 0
  /** Objects of kinds with no built-in schema, and the CRDs rendered: validated together at the end. */
  readonly custom: DeferredObject[] = []
  readonly crds: DeferredObject[] = []

  /** `minorOf`: the Kubernetes minor of the cluster a root deploys to (`1.34`). */
  constructor(
    private readonly reader: SourceReader,
    private readonly extraFloatingTags: string[],
    private readonly minorOf: (root: RenderRoot) => string,
  ) {}

  /** What `run` (one judging) adds to the verdicts. */
  async record(run: () => Promise<void>): Promise<Verdicts> {
    const [findings, images, objects, containers, custom, crds] = [
      this.findings.length,
      this.images.length,
      this.objects,
      this.containers,
      this.custom.length,
      this.crds.length,
    ]
    await run()
    return {
      findings: this.findings.slice(findings),
      images: this.images.slice(images),
      objects: this.objects - objects,
      containers: this.containers - containers,
      custom: this.custom.slice(custom),
      crds: this.crds.slice(crds),
    }
  }

  /** Verdicts recorded by an earlier run, added as they were. */
  replay(verdicts: Verdicts): void {
    this.findings.push(...verdicts.findings)
    this.images.push(...verdicts.images)
    this.objects += verdicts.objects
    this.containers += verdicts.containers
    this.custom.push(...verdicts.custom)
    this.crds.push(...verdicts.crds)
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
      await this.validate(obj, root, fallback, locate !== undefined)
    }
  }

  /**
   * One object as the cluster takes it: its apiVersion served by the root's minor, then its built-in schema; a kind
   * with none is kept for the CRDs (./custom-resources.ts), as is every CRD.
   */
  private async validate(obj: RenderedObject, root: RenderRoot, fallback: string, helm: boolean): Promise<void> {
    const about = `${describe(obj)} (rendered from ${from(root, helm)})`
    const site = () => ({
      file: obj.origin ?? obj.template ?? fallback,
      line: obj.origin ? objectLine(this.reader, obj) : 1,
    })
    const minor = this.minorOf(root)
    const api = apiStatus(obj.apiVersion, obj.kind, minor)
    if (api.status === 'unserved' || api.status === 'deprecated') {
      const {file, line} = site()
      const rule = api.status === 'unserved' ? RULES['api-removed'] : RULES['api-deprecated']
      const f = finding(rule, file, {line, column: 1}, `${about}: ${lifecycleMessage(obj, api, minor)}`)
      this.findings.push(withObject(f, obj, root))
      if (api.status === 'unserved') return
    }
    if (obj.kind === 'CustomResourceDefinition' && obj.apiVersion === 'apiextensions.k8s.io/v1')
      this.crds.push(asDeferred(obj, about, site(), root))
    const answer = validateObject(obj, minor)
    if (!answer.known) {
      this.custom.push(asDeferred(obj, about, site(), root))
      return
    }
    for (const v of answer.violations) {
      const {file, line} = site()
      const f = finding(RULES['schema-invalid'], file, {line, column: 1}, `${about}: ${v.pointer} ${v.message}.`)
      this.findings.push(withObject(f, obj, root))
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

/** What the minor's API lifecycle says of an object's apiVersion. */
function lifecycleMessage(
  obj: RenderedObject,
  api: Exclude<ApiStatus, {status: 'served' | 'not-built-in'}>,
  minor: string,
) {
  const use = api.replacement ? `; use ${api.replacement}` : ''
  if (api.status === 'deprecated')
    return `${obj.apiVersion} ${obj.kind} is deprecated since Kubernetes ${api.deprecated}${api.removed ? ` and removed in ${api.removed}` : ''}${use}.`
  const why = api.removed
    ? `was removed in Kubernetes ${api.removed}`
    : api.introduced
      ? `is served only from Kubernetes ${api.introduced}`
      : api.window
        ? `is served by no Kubernetes release from ${api.window}`
        : 'is no API Kubernetes serves'
  return `${obj.apiVersion} ${obj.kind} ${why}, so a cluster of Kubernetes ${minor} has no such kind ("no matches for kind")${use}.`
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
