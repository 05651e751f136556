/**
 * What kustomize-controller does with a Flux Kustomization's fields around `kustomize build` (fluxcd/pkg kustomize
 * generator, kustomize-controller's post-build): `targetNamespace`, `namePrefix`, `nameSuffix`, `images`, `patches`
 * and `components` written into the kustomization it builds (here: the wrapper kustomization over the root, as for an
 * Argo CD Application's kustomize options); then `commonMetadata` labels and annotations set on every object; the
 * `postBuild.substitute` / `substituteFrom` variables gathered here for Flux's own substitution (./flux-post-build.ts:
 * fluxcd/pkg envsubst in the render module). A `substituteFrom` ConfigMap or Secret the revision does not hold (and
 * is not optional) leaves the root unrenderable, named.
 */
import type {FluxFields} from '../../render/plan-types.js'
import type {YamlModule} from '../../../images/yaml/index.js'
import {at, type Doc} from '../../kubernetes/objects.js'

const isDoc = (v: unknown): v is Doc => v !== null && typeof v === 'object' && !Array.isArray(v)
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)
const strings = (v: unknown): Record<string, string> | undefined =>
  isDoc(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)])) : undefined

/**
 * The fields of a Flux Kustomization (`obj`); `holders` the ConfigMaps and Secrets of the revision (kind, namespace,
 * name → data). `{unavailable}` names what the gate cannot have.
 */
export function fluxFields(
  obj: unknown,
  holders: ReadonlyMap<string, Record<string, string>>,
): FluxFields | {unavailable: string} | undefined {
  const spec = at(obj, 'spec')
  if (!isDoc(spec)) return undefined
  const edits: Record<string, unknown> = {}
  if (str(spec.targetNamespace)) edits.namespace = spec.targetNamespace
  if (str(spec.namePrefix)) edits.namePrefix = spec.namePrefix
  if (str(spec.nameSuffix)) edits.nameSuffix = spec.nameSuffix
  if (Array.isArray(spec.images) && spec.images.length > 0) edits.images = spec.images
  if (Array.isArray(spec.patches) && spec.patches.length > 0) edits.patches = spec.patches
  const components = Array.isArray(spec.components) ? spec.components.filter((c) => typeof c === 'string') : []
  if (components.length > 0) edits.components = components
  const out: FluxFields = {edits}
  const generate = Object.fromEntries(GENERATOR_FIELDS.filter((f) => spec[f] !== undefined).map((f) => [f, spec[f]]))
  if (Object.keys(edits).length > 0 || Object.keys(generate).length > 0) out.generate = generate
  const buildMetadata = Array.isArray(spec.buildMetadata) ? spec.buildMetadata.filter((b) => typeof b === 'string') : []
  if (buildMetadata.length > 0) out.buildMetadata = buildMetadata
  const meta = spec.commonMetadata
  if (isDoc(meta)) {
    out.commonMetadata = {
      ...(strings(meta.labels) ? {labels: strings(meta.labels)} : {}),
      ...(strings(meta.annotations) ? {annotations: strings(meta.annotations)} : {}),
    }
  }
  const postBuild = spec.postBuild
  if (isDoc(postBuild)) {
    const vars: Record<string, string> = {}
    const namespace = str(at(obj, 'metadata', 'namespace')) ?? 'default'
    for (const ref of Array.isArray(postBuild.substituteFrom) ? postBuild.substituteFrom : []) {
      const kind = str(at(ref, 'kind')) ?? ''
      const name = str(at(ref, 'name')) ?? ''
      const data = holders.get(`${kind}\0${namespace}\0${name}`)
      if (data) Object.assign(vars, data)
      else if (at(ref, 'optional') !== true) {
        return {
          unavailable: `postBuild.substituteFrom names ${kind} ${namespace}/${name}, which this revision does not hold (kustomize-controller reads it from the cluster): the variables it sets are unknown, so what it deploys is not rendered or judged.`,
        }
      }
    }
    Object.assign(vars, strings(postBuild.substitute) ?? {})
    if (Object.keys(vars).length > 0 || Array.isArray(postBuild.substituteFrom)) out.substitute = vars
    if (postBuild.substituteStrategy === 'Always') {
      out.substitute = vars
      out.substituteAlways = true
    }
  }
  return out.generate || out.substitute || out.commonMetadata || out.buildMetadata ? out : undefined
}

/** The spec fields fluxcd/pkg kustomize's Generator reads. */
const GENERATOR_FIELDS = [
  'targetNamespace',
  'namePrefix',
  'nameSuffix',
  'patches',
  'components',
  'ignoreMissingComponents',
  'images',
  'buildMetadata',
] as const

/** The ConfigMaps and Secrets of a YAML file: `kind\0namespace\0name` → their data (a Secret's base64 decoded). */
export function holdersOf(yaml: YamlModule, text: string, into: Map<string, Record<string, string>>): void {
  let docs
  try {
    docs = yaml.parseAllDocuments(text, {logLevel: 'error'})
  } catch {
    return
  }
  if (!Array.isArray(docs)) return
  for (const doc of docs) {
    if (doc.errors.length > 0) continue
    let obj: unknown
    try {
      obj = doc.toJS({maxAliasCount: 100})
    } catch {
      continue // past ameide's limits: not a holder, so a substituteFrom naming it is unavailable, named
    }
    const kind = at(obj, 'kind')
    if ((kind !== 'ConfigMap' && kind !== 'Secret') || at(obj, 'apiVersion') !== 'v1') continue
    const data: Record<string, string> = {...strings(at(obj, 'data'))}
    if (kind === 'Secret') {
      for (const [k, v] of Object.entries(data)) data[k] = Buffer.from(v, 'base64').toString('utf8')
      Object.assign(data, strings(at(obj, 'stringData')) ?? {})
    }
    const key = `${kind}\0${str(at(obj, 'metadata', 'namespace')) ?? 'default'}\0${str(at(obj, 'metadata', 'name')) ?? ''}`
    into.set(key, data)
  }
}

/** kustomize-controller's commonMetadata (after the post-build): its labels and annotations on every object. */
export function applyCommonMetadata(bodies: readonly Doc[], meta: FluxFields['commonMetadata']): void {
  if (!meta) return
  for (const body of bodies) {
    if (!isDoc(body.metadata)) continue
    const metadata = body.metadata
    if (meta.labels) metadata.labels = {...(isDoc(metadata.labels) ? metadata.labels : {}), ...meta.labels}
    if (meta.annotations) {
      metadata.annotations = {...(isDoc(metadata.annotations) ? metadata.annotations : {}), ...meta.annotations}
    }
  }
}
