/** Git repository URLs (Argo CD sources, ApplicationSet generators, Flux GitRepositories), compared across git's spellings. */
/** Compares repository URLs across git's spellings: scheme, user, `.git` and case do not matter. */
export function sameRepository(a: string, b: string): boolean {
  return normalizeRepository(a) === normalizeRepository(b)
}

export function normalizeRepository(url: string): string {
  let s = url.trim().toLowerCase()
  s = s.replace(/^[a-z+]+:\/\//, '')
  s = s.replace(/^[^@/]+@/, '')
  s = s.replace(/^([^/:]+):(?!\d+\/)/, '$1/')
  s = s.replace(/^([^/:]+):\d+\//, '$1/')
  return s.replace(/\/+$/, '').replace(/\.git$/, '')
}
