/**
 * What of Kubernetes the build validates rendered objects for (the render-module line's `kubernetes`): the minors a
 * cluster may be given and whether the API table that says what each serves was built (dist/kubernetes/apis.json),
 * the releases whose sources give each minor's schemas of the built-in kinds (dist/kubernetes/openapi-fields.json, by
 * scripts/kube-openapi.mjs), the native helper's apiextensions-apiserver, and
 * the built-in CRD catalog (dist/kubernetes/crd-catalog.json, by scripts/crd-catalog.mjs): its CRDs counted per release.
 */
import {existsSync, readFileSync} from 'node:fs'

import {KUBERNETES_MINORS} from '../core/kubernetes-minors.js'
import {packagePath} from '../core/package-root.js'
import {nativeBuild} from '../effects/render-module/native.js'

/** One release of the CRD catalog: its Go module and version, its licence, how many CRDs it gives. */
interface CatalogRelease {
  module: string
  version: string
  licence: string
  crds: number
}

export interface BuiltInKubernetes {
  /** The minors `gitopsPolicy.render.kubernetesVersion(s)` may name. */
  minors: string[]
  /** dist/kubernetes/apis.json was built: what each minor serves is checked (`api-removed`, `api-deprecated`). */
  apiTable: boolean
  /**
   * Minor → the Kubernetes release whose sources give its built-in kinds' schemas: fields, types, formats, enums,
   * required fields (null: not built).
   */
  fields: Record<string, string> | null
  /** The k8s.io/apiextensions-apiserver release the native helper validates custom resources with (null: none). */
  apiextensions: string | null
  /** The built-in CRD catalog (null: not built, or unreadable). */
  crdCatalog: {crds: number; releases: CatalogRelease[]} | null
}

export function builtInKubernetes(): BuiltInKubernetes {
  return {
    minors: [...KUBERNETES_MINORS],
    apiTable: existsSync(packagePath('dist/kubernetes/apis.json')),
    fields: fieldReleases(),
    apiextensions: nativeBuild()?.apiextensions ?? null,
    crdCatalog: crdCatalog(),
  }
}

/** Each minor's release in dist/kubernetes/openapi-fields.json. */
function fieldReleases(): BuiltInKubernetes['fields'] {
  try {
    const table = JSON.parse(readFileSync(packagePath('dist/kubernetes/openapi-fields.json'), 'utf8')) as {
      minors: Record<string, {release: string}>
    }
    return Object.fromEntries(Object.entries(table.minors).map(([minor, {release}]) => [minor, release]))
  } catch {
    return null
  }
}

/** The catalog's releases in its order, each with its count of CRDs (each entry's source is `<module>@<version> <file>`). */
function crdCatalog(): BuiltInKubernetes['crdCatalog'] {
  let entries: Array<{source?: unknown; licence?: unknown}>
  try {
    entries = JSON.parse(readFileSync(packagePath('dist/kubernetes/crd-catalog.json'), 'utf8')) as typeof entries
  } catch {
    return null
  }
  const releases = new Map<string, CatalogRelease>()
  for (const {source, licence} of Array.isArray(entries) ? entries : []) {
    const release = typeof source === 'string' ? source.split(' ')[0]! : ''
    const at = release.lastIndexOf('@')
    if (at <= 0) continue
    const seen = releases.get(release)
    if (seen) seen.crds++
    else
      releases.set(release, {
        module: release.slice(0, at),
        version: release.slice(at + 1),
        licence: typeof licence === 'string' ? licence : '',
        crds: 1,
      })
  }
  const list = [...releases.values()]
  return {crds: list.reduce((n, r) => n + r.crds, 0), releases: list}
}

/** The line's words for it: `Kubernetes 1.29–1.37 …; the built-in CRD catalog: 93 CRDs of 12 releases (…)`. */
export function describeKubernetes(k: BuiltInKubernetes): string {
  const window = `Kubernetes ${k.minors[0]}–${k.minors.at(-1)}`
  const served = k.apiTable
    ? `the apiVersions ${window} serve (k8s.io/api's lifecycle)`
    : `no API table (${window} not checked)`
  const fields = k.fields
    ? `the schemas of the built-in kinds per minor (${Object.values(k.fields).join(', ')})`
    : 'no schemas of the built-in kinds (every object of one refused)'
  const apis = `built in: ${served}, ${fields}`
  const catalog = k.crdCatalog
    ? `the built-in CRD catalog: ${k.crdCatalog.crds} CRDs of ${k.crdCatalog.releases.length} releases (${k.crdCatalog.releases.map((r) => `${r.module}@${r.version}`).join(', ')})`
    : 'no built-in CRD catalog'
  return `${apis}; ${catalog}`
}
