/**
 * `WWW-Authenticate` challenges of the distribution spec: `Basic realm="…"` or
 * `Bearer realm="https://auth/token",service="registry",scope="repository:x:pull"`.
 */
export interface Challenge {
  scheme: 'basic' | 'bearer'
  params: Record<string, string>
}

export function parseChallenge(header: string | null | undefined): Challenge | undefined {
  if (!header) return undefined
  const match = /^\s*(\w+)\s*(.*)$/s.exec(header)
  if (!match) return undefined
  const scheme = match[1].toLowerCase()
  if (scheme !== 'basic' && scheme !== 'bearer') return undefined
  const params: Record<string, string> = {}
  const pattern = /([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g
  for (const m of match[2].matchAll(pattern)) params[m[1].toLowerCase()] = (m[2] ?? m[3] ?? '').replace(/\\(.)/g, '$1')
  if (scheme === 'bearer' && !params.realm) return undefined
  return {scheme, params}
}
