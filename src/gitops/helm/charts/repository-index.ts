/** A Helm chart repository's index.yaml: each chart's versions, with their archive's URL and digest when it says one. */
import type {YamlModule} from '../../../images/yaml/index.js'

export interface IndexEntry {
  version: string
  digest?: string
  url: string
}

/** The index's entries by chart name; an entry without a version or a URL is left out. URLs resolve against the repository. */
export function parseIndex(yaml: YamlModule, bytes: Buffer, repository: string): Map<string, IndexEntry[]> {
  const doc = yaml.parse(bytes.toString('utf8'), {maxAliasCount: 100}) as {entries?: Record<string, unknown[]>} | null
  const out = new Map<string, IndexEntry[]>()
  const base = `${repository.replace(/\/+$/, '')}/`
  for (const [name, list] of Object.entries(doc?.entries ?? {})) {
    const entries: IndexEntry[] = []
    for (const e of Array.isArray(list) ? list : []) {
      const entry = e as {version?: unknown; digest?: unknown; urls?: unknown[]}
      const url = Array.isArray(entry.urls) && typeof entry.urls[0] === 'string' ? entry.urls[0] : undefined
      if (typeof entry.version !== 'string' || !url) continue
      entries.push({
        version: entry.version,
        ...(typeof entry.digest === 'string' ? {digest: entry.digest} : {}),
        url: new URL(url, base).href,
      })
    }
    out.set(name, entries)
  }
  return out
}
