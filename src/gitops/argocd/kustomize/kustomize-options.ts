/**
 * An Argo CD kustomize source's options (`source.kustomize`, after the override files). The repo-server runs
 * `kustomize edit set image|nameprefix|namesuffix|namespace|replicas`, `edit add label|annotation|component` and
 * appends `patches` on the folder's kustomization before it builds (argoproj/argo-cd `util/kustomize/kustomize.go`):
 * the render module does the same with kustomize's own edit code ({@link argoKustomize}: the request it is given).
 * {@link kustomizeEdits} names the kustomization fields they set, for what the render reads (components, patches).
 */
import type {ArgoKustomize} from '../../model/render-inputs.js'

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)

/** `repo[:tag][@digest]` split as `kustomize edit set image` splits it. */
function splitImage(ref: string): {name: string; tag?: string; digest?: string} {
  const at = ref.indexOf('@')
  const digest = at >= 0 ? ref.slice(at + 1) : undefined
  const rest = at >= 0 ? ref.slice(0, at) : ref
  const colon = rest.lastIndexOf(':')
  const tag = colon > rest.lastIndexOf('/') ? rest.slice(colon + 1) : undefined
  const name = tag === undefined ? rest : rest.slice(0, colon)
  return {name, ...(tag ? {tag} : {}), ...(digest ? {digest} : {})}
}

/** One `kustomize edit set image` argument (`name=newName:tag@digest`, `name:tag`, `name@digest`) as an images entry. */
export function imageEntry(arg: string): Record<string, string> {
  const eq = arg.indexOf('=')
  const target = splitImage(eq >= 0 ? arg.slice(eq + 1) : arg)
  const name = eq >= 0 ? arg.slice(0, eq) : target.name
  return {
    name,
    ...(eq >= 0 && target.name !== name ? {newName: target.name} : {}),
    ...(target.tag ? {newTag: target.tag} : {}),
    ...(target.digest ? {digest: target.digest} : {}),
  }
}

/** The kustomization fields the options set (empty: none), `components` relative to the folder. */
export function kustomizeEdits(options: unknown): Record<string, unknown> {
  if (!isMap(options)) return {}
  const out: Record<string, unknown> = {}
  const prefix = str(options.namePrefix)
  const suffix = str(options.nameSuffix)
  const namespace = str(options.namespace)
  if (prefix) out.namePrefix = prefix
  if (suffix) out.nameSuffix = suffix
  if (namespace) out.namespace = namespace
  const images = (Array.isArray(options.images) ? options.images : []).filter((i): i is string => typeof i === 'string')
  if (images.length > 0) out.images = images.map(imageEntry)
  if (Array.isArray(options.replicas) && options.replicas.length > 0) {
    out.replicas = options.replicas.filter(isMap).map((r) => ({name: r.name, count: Number(r.count)}))
  }
  if (isMap(options.commonLabels) && Object.keys(options.commonLabels).length > 0)
    out.commonLabels = options.commonLabels
  if (isMap(options.commonAnnotations) && Object.keys(options.commonAnnotations).length > 0) {
    out.commonAnnotations = options.commonAnnotations
  }
  if (Array.isArray(options.patches) && options.patches.length > 0) out.patches = options.patches
  const components = (Array.isArray(options.components) ? options.components : []).filter(
    (c): c is string => typeof c === 'string',
  )
  if (components.length > 0) out.components = components
  return out
}

const STRING_FIELDS = ['namePrefix', 'nameSuffix', 'namespace'] as const
const FLAGS = [
  'forceCommonLabels',
  'labelWithoutSelector',
  'labelIncludeTemplates',
  'forceCommonAnnotations',
  'commonAnnotationsEnvsubst',
  'ignoreMissingComponents',
] as const

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [])
const stringMap = (v: unknown): Record<string, string> | undefined =>
  isMap(v)
    ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, typeof x === 'string' ? x : String(x)]))
    : undefined

/** The options as the module's request (undefined: none that Build acts on). */
export function argoKustomize(options: unknown, env: Record<string, string>): ArgoKustomize | undefined {
  if (!isMap(options)) return undefined
  const out: ArgoKustomize = {env}
  for (const f of STRING_FIELDS) if (str(options[f])) out[f] = options[f] as string
  for (const f of FLAGS) if (options[f] === true) out[f] = true
  if (strings(options.images).length > 0) out.images = strings(options.images)
  if (Array.isArray(options.replicas) && options.replicas.length > 0)
    out.replicas = options.replicas.filter(isMap).map((r) => ({name: String(r.name ?? ''), count: r.count}))
  const labels = stringMap(options.commonLabels)
  if (labels && Object.keys(labels).length > 0) out.commonLabels = labels
  const annotations = stringMap(options.commonAnnotations)
  if (annotations && Object.keys(annotations).length > 0) out.commonAnnotations = annotations
  if (Array.isArray(options.patches) && options.patches.length > 0) out.patches = options.patches
  if (strings(options.components).length > 0) out.components = strings(options.components)
  const acts = Object.keys(out).some((k) => k !== 'env' && !(FLAGS as readonly string[]).includes(k))
  return acts ? out : undefined
}

/** The texts of the options Build passes through Envsubst (images, labels; annotations when asked). */
export function substituted(o: ArgoKustomize): string[] {
  return [
    ...(o.images ?? []),
    ...Object.values(o.commonLabels ?? {}),
    ...(o.commonAnnotationsEnvsubst ? Object.values(o.commonAnnotations ?? {}) : []),
  ]
}
