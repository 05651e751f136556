/**
 * What a cluster of a Kubernetes minor serves of the built-in APIs. Whether a minor serves a kind is its own
 * release's word: the kinds of that release's OpenAPI document (dist/kubernetes/openapi-fields.json, by
 * scripts/kube-openapi.mjs; ./minor-fields.ts). What k8s.io/api's release lifecycle adds (dist/kubernetes/apis.json,
 * by src/effects/render-module/go/kubeapis): deprecations, replacements, and the releases of what no minor of the
 * build's window served (removed before it). A group neither knows is not built in (a CRD's, an aggregated API's):
 * this says nothing of it.
 */
import {readFileSync} from '../../core/memory-fs/index.js'

import {packagePath} from '../../core/package-root.js'
import {kindsByMinor} from './minor-fields.js'

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
  /**
   * Not served by this minor: removed in `removed`, or introduced only in `introduced`, or served by no minor of the
   * build's `window` (`1.29 to 1.37`), or no such version.
   */
  | {status: 'unserved'; removed?: string; introduced?: string; window?: string; replacement?: string}
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
const groupOf = (apiVersion: string) => apiVersion.slice(0, Math.max(0, apiVersion.indexOf('/')))

/** How a cluster of `minor` (`1.32`) serves `apiVersion` `kind`. */
export function apiStatus(apiVersion: string, kind: string, minor: string): ApiStatus {
  const apis = load()
  const group = groupOf(apiVersion)
  const version = apiVersion.slice(apiVersion.indexOf('/') + 1)
  const lifecycle = apis?.byKey.get(`${group}/${version}/${kind}`)
  const releases = kindsByMinor()
  if (releases?.some((r) => r.minor === minor)) {
    const told = byRelease(releases, `${apiVersion}/${kind}`, minor, lifecycle)
    if (told) return told
  }
  if (!apis?.groups.has(group)) return {status: 'not-built-in'}
  if (!lifecycle) return apis.versions.has(`${group}/${version}`) ? {status: 'not-built-in'} : {status: 'unserved'}
  return byLifecycle(lifecycle, minor)
}

/**
 * What the releases' OpenAPI documents say (`releases` in order, `minor` one of them); undefined where no release of
 * the window served the kind and the lifecycle is silent of it (not a built-in kind, or one removed long before).
 */
function byRelease(
  releases: ReadonlyArray<{minor: string; kinds: Record<string, string>}>,
  key: string,
  minor: string,
  lifecycle: BuiltInApi | undefined,
): ApiStatus | undefined {
  const at = releases.findIndex((r) => r.minor === minor)
  const serves = (i: number) => Object.hasOwn(releases[i]!.kinds, key)
  const replacement = lifecycle?.replacement !== undefined ? {replacement: lifecycle.replacement} : {}
  const earlier = releases.findLastIndex((_, i) => i < at && serves(i))
  if (serves(at)) {
    if (!lifecycle || !atOrAfter(minor, lifecycle.deprecated)) return {status: 'served'}
    const gone = releases.findIndex((_, i) => i > at && !serves(i))
    const removed = gone >= 0 ? releases[gone]!.minor : lifecycle.removed
    return {status: 'deprecated', deprecated: lifecycle.deprecated!, ...(removed ? {removed} : {}), ...replacement}
  }
  if (earlier >= 0) return {status: 'unserved', removed: releases[earlier + 1]!.minor, ...replacement}
  const later = releases.findIndex((_, i) => i > at && serves(i))
  if (later >= 0) return {status: 'unserved', introduced: releases[later]!.minor}
  if (!lifecycle) return undefined
  if (atOrAfter(minor, lifecycle.removed)) return {status: 'unserved', removed: lifecycle.removed, ...replacement}
  return {status: 'unserved', window: `${releases[0]!.minor} to ${releases.at(-1)!.minor}`, ...replacement}
}

/** What k8s.io/api's lifecycle says: a build without the releases' documents. */
function byLifecycle(api: BuiltInApi, minor: string): ApiStatus {
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
