/**
 * What a cluster of a Kubernetes minor serves of the built-in APIs: the table the build generates from k8s.io/api's
 * own release lifecycle (dist/kubernetes/apis.json, by src/effects/render-module/go/kubeapis), each kind at each
 * group version with the release that introduced, deprecated and removed it, and its replacement. A group the table
 * does not hold is not built in (a CRD's, an aggregated API's): this says nothing of it.
 */
import {readFileSync} from '../../core/memory-fs/index.js'

import {packagePath} from '../../core/package-root.js'

interface BuiltInApi {
  group: string
  version: string
  kind: string
  introduced?: string
  deprecated?: string
  removed?: string
  replacement?: string
}

/** How a minor serves an apiVersion and kind. */
export type ApiStatus =
  | {status: 'served'}
  /** Served, deprecated since `deprecated`: removed in `removed`. */
  | {status: 'deprecated'; deprecated: string; removed?: string; replacement?: string}
  /** Not served by this minor: removed in `removed`, or introduced only in `introduced`, or no such version. */
  | {status: 'unserved'; removed?: string; introduced?: string; replacement?: string}
  /** Not a built-in group, or a kind the table does not list at a version it does: not the table's to say. */
  | {status: 'not-built-in'}

interface Table {
  byKey: Map<string, BuiltInApi>
  versions: Set<string>
  groups: Set<string>
}

let table: Table | null | undefined

/** The built table, or null when the build made none (a build without Go: nothing is said of any API). */
function load(): Table | null {
  if (table !== undefined) return table
  try {
    const apis = JSON.parse(readFileSync(packagePath('dist/kubernetes/apis.json'), 'utf8')) as BuiltInApi[]
    const byKey = new Map(apis.map((a) => [`${a.group}/${a.version}/${a.kind}`, a]))
    table = {
      byKey,
      versions: new Set(apis.map((a) => `${a.group}/${a.version}`)),
      groups: new Set(apis.map((a) => a.group)),
    }
  } catch {
    table = null
  }
  return table
}

/** `1.25` ≤ `1.32`, by number. */
const minorOf = (release: string) => Number(release.split('.')[1] ?? NaN)
const atOrAfter = (minor: string, release: string | undefined) =>
  release !== undefined && minorOf(minor) >= minorOf(release)

/** How a cluster of `minor` (`1.32`) serves `apiVersion` `kind`. */
export function apiStatus(apiVersion: string, kind: string, minor: string): ApiStatus {
  const apis = load()
  const slash = apiVersion.indexOf('/')
  const group = slash < 0 ? '' : apiVersion.slice(0, slash)
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1)
  if (!apis?.groups.has(group)) return {status: 'not-built-in'}
  const api = apis.byKey.get(`${group}/${version}/${kind}`)
  if (!api) return apis.versions.has(`${group}/${version}`) ? {status: 'not-built-in'} : {status: 'unserved'}
  const replacement = api.replacement !== undefined ? {replacement: api.replacement} : {}
  if (atOrAfter(minor, api.removed)) return {status: 'unserved', removed: api.removed, ...replacement}
  if (api.introduced !== undefined && !atOrAfter(minor, api.introduced))
    return {status: 'unserved', introduced: api.introduced}
  if (atOrAfter(minor, api.deprecated))
    return {
      status: 'deprecated',
      deprecated: api.deprecated!,
      ...(api.removed !== undefined ? {removed: api.removed} : {}),
      ...replacement,
    }
  return {status: 'served'}
}
