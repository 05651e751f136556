/**
 * The catalog of well-known operators' CRDs the build ships (dist/kubernetes/crd-catalog.json, by
 * scripts/crd-catalog.mjs from their releases: Argo CD, Flux's controllers, cert-manager, the Prometheus operator,
 * external-secrets, Istio, Kyverno), by group and kind: what defines a custom resource's kind when the revision
 * holds no CRD of it.
 */
import {readFileSync} from '../../core/memory-fs/index.js'
import {packagePath} from '../../core/package-root.js'

export interface CatalogCrd {
  /** `<module>@<version> <file>`: the release and file it came from. */
  source: string
  crd: Record<string, unknown>
}

let byKind: Map<string, CatalogCrd> | undefined

/** `group/Kind` of a CRD document, or undefined. */
export function crdKindOf(crd: unknown): string | undefined {
  const spec = (crd as {spec?: {group?: unknown; names?: {kind?: unknown}}} | null)?.spec
  return typeof spec?.group === 'string' && typeof spec.names?.kind === 'string'
    ? `${spec.group}/${spec.names.kind}`
    : undefined
}

/** The catalog's CRD of `group/Kind` (none: not in the catalog, or the build made none). */
export function catalogCrd(groupKind: string): CatalogCrd | undefined {
  if (!byKind) {
    byKind = new Map()
    try {
      const catalog = JSON.parse(
        readFileSync(packagePath('dist/kubernetes/crd-catalog.json')).toString('utf8'),
      ) as CatalogCrd[]
      for (const entry of catalog) {
        const kind = crdKindOf(entry.crd)
        if (kind && !byKind.has(kind)) byKind.set(kind, entry)
      }
    } catch {
      // No catalog in this build: nothing is defined by it.
    }
  }
  return byKind.get(groupKind)
}
