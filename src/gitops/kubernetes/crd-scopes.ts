/**
 * The scopes the CustomResourceDefinitions of a revision declare, wherever they are kept (a chart's crds/, a folder
 * of CRDs another Application or Kustomization applies, a file nothing deploys yet): the API server takes a custom
 * kind's scope from its CRD, whichever deployable applied it (./scope.ts). Two CRDs of one kind that disagree leave its
 * scope unknown. The scopes' digest is part of every render key, so a CRD's scope changed re-renders what it reaches.
 */
import {createHash} from 'node:crypto'
import path from 'node:path'

import {readFileSync} from '../../core/memory-fs/index.js'
import type {YamlModule} from '../../images/yaml/index.js'
import {kubeDocuments} from '../../images/yaml/kube.js'

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

/** The revision's CRDs: their scopes, and every CRD document (by file, in path order) as the API server takes it. */
export function revisionCrdsOf(
  root: string,
  files: readonly string[],
  yaml: YamlModule,
  maxBytes: number,
): {scopes: CrdScopes; documents: RevisionCrd[]} {
  const scopes = new Map<string, 'Cluster' | 'Namespaced' | 'conflict'>()
  const documents: RevisionCrd[] = []
  for (const file of files.filter((f) => MANIFEST.test(f)).sort()) {
    for (const {kind, scope, body} of crdsIn(root, file, yaml, maxBytes)) {
      const seen = scopes.get(kind)
      scopes.set(kind, seen === undefined || seen === scope ? scope : 'conflict')
      documents.push({file, body})
    }
  }
  return {scopes, documents}
}

/** A digest of the scopes (empty: none), for the render keys. */
export function crdScopesDigest(scopes: CrdScopes): string {
  if (scopes.size === 0) return ''
  const hash = createHash('sha256')
  for (const [kind, scope] of [...scopes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    hash.update(`${kind}\0${scope}\0`)
  return `crds ${hash.digest('hex').slice(0, 16)}`
}

function crdsIn(
  root: string,
  file: string,
  yaml: YamlModule,
  maxBytes: number,
): Array<{kind: string; scope: 'Cluster' | 'Namespaced'; body: Record<string, unknown>}> {
  let text: string
  try {
    const bytes = readFileSync(path.join(root, file))
    if (bytes.length > maxBytes) return []
    text = bytes.toString('utf8')
  } catch {
    return []
  }
  if (!text.includes('CustomResourceDefinition')) return []
  let docs: unknown[]
  try {
    docs = file.endsWith('.json') ? [JSON.parse(text) as unknown] : kubeDocuments(yaml, text)
  } catch {
    return []
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
