/**
 * The scopes the CustomResourceDefinitions of a revision declare, wherever they are kept (a chart's crds/, a folder
 * of CRDs another Application or Kustomization applies, a file nothing deploys yet): the API server takes a custom
 * kind's scope from its CRD, whichever deployable applied it (./scope.ts). Two CRDs of one kind that disagree leave its
 * scope unknown. The scopes' digest is part of every render key, so a CRD's scope changed re-renders what it reaches.
 */
import {createHash} from 'node:crypto'
import path from 'node:path'

import {readFileSync, readTextIn} from '../../core/memory-fs/index.js'
import type {YamlModule} from '../../images/yaml/index.js'
import {kubeDocuments} from '../../images/yaml/kube.js'
import {isLimitError, limitMessage} from './yaml-lines.js'

/** `group/Kind` → its scope as the revision's CRDs declare it (`conflict`: two of them disagree). */
export type CrdScopes = ReadonlyMap<string, 'Cluster' | 'Namespaced' | 'conflict'>

const MANIFEST = /\.(ya?ml|json)$/
const isDoc = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

/** A CRD document of the revision and the file that holds it: a definition its custom resources are validated by. */
export interface RevisionCrd {
  file: string
  body: Record<string, unknown>
}

/** The revision's CRDs' scopes (a file past `maxBytes`, or that does not parse, holds none the API server was given). */
export function crdScopesOf(root: string, files: readonly string[], yaml: YamlModule, maxBytes: number): CrdScopes {
  return revisionCrdsOf(root, files, yaml, maxBytes).scopes
}

/**
 * A file of the revision that names CustomResourceDefinition but that ameide could not read within its own limits
 * (past `maxBytes`, nested deeper than its YAML reader follows, an alias bomb): the kinds it may define are unknown.
 */
export interface UnreadCrdFile {
  file: string
  reason: string
}

/**
 * The revision's CRDs: their scopes, every CRD document (by file, in path order) as the API server takes it, and the
 * files that may hold CRDs but were not read.
 */
export function revisionCrdsOf(
  root: string,
  files: readonly string[],
  yaml: YamlModule,
  maxBytes: number,
): {scopes: CrdScopes; documents: RevisionCrd[]; unread: UnreadCrdFile[]} {
  const scopes = new Map<string, 'Cluster' | 'Namespaced' | 'conflict'>()
  const documents: RevisionCrd[] = []
  const unread: UnreadCrdFile[] = []
  for (const file of files.filter((f) => MANIFEST.test(f)).sort()) {
    const found = crdsIn(root, file, yaml, maxBytes)
    if ('reason' in found) {
      unread.push({file, reason: found.reason})
      continue
    }
    for (const {kind, scope, body} of found) {
      const seen = scopes.get(kind)
      scopes.set(kind, seen === undefined || seen === scope ? scope : 'conflict')
      documents.push({file, body})
    }
  }
  return {scopes, documents, unread}
}

/** A digest of the scopes (empty: none), for the render keys. */
export function crdScopesDigest(scopes: CrdScopes): string {
  if (scopes.size === 0) return ''
  const hash = createHash('sha256')
  for (const [kind, scope] of [...scopes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    hash.update(`${kind}\0${scope}\0`)
  return `crds ${hash.digest('hex').slice(0, 16)}`
}

/** A file's CRDs; why it was not read when a limit of ameide's stopped it (a text that is not YAML holds none). */
function crdsIn(
  root: string,
  file: string,
  yaml: YamlModule,
  maxBytes: number,
): Array<{kind: string; scope: 'Cluster' | 'Namespaced'; body: Record<string, unknown>}> | {reason: string} {
  const text = readTextIn(root, file)
  if (text === undefined) return []
  try {
    // A text of n UTF-16 units decodes at most 3n bytes: only a longer one may be past the limit.
    const bytes = text.length * 3 > maxBytes ? readFileSync(path.join(root, file)) : undefined
    if (bytes !== undefined && bytes.length > maxBytes)
      return bytes.includes('CustomResourceDefinition')
        ? {reason: `it is larger than gitopsPolicy.maxFileBytes (${bytes.length} > ${maxBytes} bytes)`}
        : []
  } catch {
    return []
  }
  if (!text.includes('CustomResourceDefinition')) return []
  let docs: unknown[]
  try {
    docs = file.endsWith('.json') ? [JSON.parse(text) as unknown] : kubeDocuments(yaml, text)
  } catch (error) {
    // A Helm template or a text that is not YAML holds no CRD the API server is given as it is.
    return isLimitError(error) ? {reason: limitMessage(error)} : []
  }
  const out: Array<{kind: string; scope: 'Cluster' | 'Namespaced'; body: Record<string, unknown>}> = []
  for (const d of docs) {
    if (!isDoc(d) || d.kind !== 'CustomResourceDefinition' || !str(d.apiVersion)?.startsWith('apiextensions.k8s.io/'))
      continue
    const spec = isDoc(d.spec) ? d.spec : {}
    const kind = isDoc(spec.names) ? str(spec.names.kind) : undefined
    const group = str(spec.group)
    // The API server refuses a CRD without its group, kind or scope: it declares nothing.
    if (!kind || !group || (spec.scope !== 'Cluster' && spec.scope !== 'Namespaced')) continue
    out.push({kind: `${group}/${kind}`, scope: spec.scope, body: d})
  }
  return out
}
