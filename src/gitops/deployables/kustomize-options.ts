/**
 * An Argo CD kustomize source's options (`source.kustomize`, after the override files), as the kustomization fields
 * they set: the repo-server runs `kustomize edit set image|nameprefix|namesuffix|namespace|replicas`, `edit add
 * label|annotation|component` and appends `patches` on the folder's kustomization before it builds (argoproj/argo-cd
 * `util/kustomize/kustomize.go`). The render gate applies them in a kustomization that includes the folder, which
 * yields the same objects unless the folder's own kustomization already sets the same field (then Argo CD's edit
 * replaces it, and here both apply).
 */
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
