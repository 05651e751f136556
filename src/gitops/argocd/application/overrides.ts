/**
 * Parameter overrides written beside a source, as Argo CD's repo-server merges them before it renders (argoproj/argo-cd
 * `reposerver/repository/repository.go` mergeSourceParameters): `.argocd-source.yaml`, then
 * `.argocd-source-<app>.yaml`, each read as YAML and applied to the source as a JSON merge patch (RFC 7396), in that
 * order; `chart`, `path`, `repoURL` and `targetRevision` are then restored, so only the tools' options change
 * (argocd-image-updater writes these files). `<app>` is the Application's name, or `<namespace>_<name>` for one
 * outside the control plane's namespace (taken to be `argocd`).
 */
import type {YamlModule} from '../../../images/yaml/index.js'

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)

/** RFC 7396: a map patches a map key by key (`null` deletes); anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isMap(patch)) return patch
  const out: Record<string, unknown> = isMap(target) ? {...target} : {}
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k]
    else out[k] = mergePatch(out[k], v)
  }
  return out
}

export interface Overridden {
  source: Record<string, unknown>
  /** The override files that exist (repo-relative), in the order merged: inputs of the render. */
  files: string[]
  /** Why an override could not be merged (Argo CD fails the render: "error while parsing source parameters"). */
  error?: string
}

/** The name in `.argocd-source-<name>.yaml` (Argo CD's instance name, with the control plane in `argocd`). */
export const overrideName = (name: string, namespace: string | undefined): string =>
  namespace && namespace !== 'argocd' ? `${namespace}_${name}` : name

export function withOverrides(
  source: Record<string, unknown>,
  dir: string,
  appName: string,
  read: (file: string) => string | undefined,
  yaml: YamlModule,
): Overridden {
  const at = (f: string) => (dir ? `${dir}/${f}` : f)
  let merged: unknown = source
  const files: string[] = []
  for (const file of [at('.argocd-source.yaml'), at(`.argocd-source-${appName}.yaml`)]) {
    const text = read(file)
    if (text === undefined) continue
    files.push(file)
    let patch: unknown
    try {
      patch = yaml.parse(text, {maxAliasCount: 100}) as unknown
    } catch (error) {
      return {source, files, error: `${file}: ${(error as Error).message}`}
    }
    if (patch === null || patch === undefined) continue // an empty file patches nothing
    if (!isMap(patch)) return {source, files, error: `${file}: not a YAML mapping of source fields`}
    merged = mergePatch(merged, patch)
  }
  const out = {...(merged as Record<string, unknown>)}
  for (const k of ['chart', 'path', 'repoURL', 'targetRevision']) {
    if (k in source) out[k] = source[k]
    else delete out[k]
  }
  return {source: out, files}
}
