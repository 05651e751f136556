/**
 * The symbolic links of a revision, each checked once, as Argo CD's repo-server checks a checkout
 * (`CheckOutOfBoundsSymlinks`): an absolute target is refused; a relative one is walked component by component from
 * the link's folder, following the links it passes through, and refused when any step leaves the revision (or
 * enters its `.git` folder, which is not part of it). Only the link's path and the kind of its target are ever told,
 * never the target itself (it may name what lies outside).
 */
import path from 'node:path'

/** Why a link is refused. */
export type RefusalKind = 'absolute' | 'leaves' | 'through-link' | 'git' | 'loop'

export interface RefusedLink {
  /** The link's repo-relative path. */
  path: string
  kind: RefusalKind
}

/** How a finding names the kind of a refused link's target. */
export const REFUSAL_TEXT: Record<RefusalKind, string> = {
  absolute: 'an absolute path',
  leaves: 'a path that leaves the revision',
  'through-link': 'a path through a link that leaves the revision',
  git: "the repository's .git folder, which is not part of the revision",
  loop: 'a loop of links',
}

/** Links followed in a row before a chain is called a loop. */
const MAX_HOPS = 40

/**
 * Checks every link (`links`: repo-relative path → its target as written). Returns the refused ones and, for the
 * others, the repo-relative path each resolves to (every link on the way followed; '' is the revision's root).
 */
export function checkLinks(links: ReadonlyMap<string, string>): {
  refused: RefusedLink[]
  resolved: Map<string, string>
} {
  const answers = new Map<string, {to: string[]} | {kind: RefusalKind}>()
  const resolve = (link: string, chain: ReadonlySet<string>): {to: string[]} | {kind: RefusalKind} => {
    const known = answers.get(link)
    if (known) return known
    if (chain.has(link) || chain.size > MAX_HOPS) return {kind: 'loop'}
    const target = links.get(link)!
    let answer: {to: string[]} | {kind: RefusalKind}
    if (path.posix.isAbsolute(target) || path.win32.isAbsolute(target)) answer = {kind: 'absolute'}
    else {
      const from = path.posix.dirname(link)
      answer = walk(from === '.' ? [] : from.split('/'), target.split('/'), new Set([...chain, link]))
    }
    if (!chain.size) answers.set(link, answer)
    return answer
  }
  const walk = (start: string[], parts: string[], chain: ReadonlySet<string>): {to: string[]} | {kind: RefusalKind} => {
    let here = [...start]
    for (const part of parts) {
      if (part === '' || part === '.') continue
      if (part === '..') {
        if (here.length === 0) return {kind: 'leaves'}
        here.pop()
        continue
      }
      here.push(part)
      if (here.length === 1 && part === '.git') return {kind: 'git'}
      const at = here.join('/')
      if (links.has(at)) {
        const next = resolve(at, chain)
        if ('kind' in next) return {kind: next.kind === 'loop' ? 'loop' : 'through-link'}
        here = [...next.to]
      }
    }
    return {to: here}
  }
  const refused: RefusedLink[] = []
  const resolved = new Map<string, string>()
  for (const link of [...links.keys()].sort()) {
    const answer = resolve(link, new Set())
    if ('kind' in answer) refused.push({path: link, kind: answer.kind})
    else resolved.set(link, answer.to.join('/'))
  }
  return {refused, resolved}
}

/** The refused links a reader of `paths` (files or folders, repo-relative; '' is the whole revision) could meet. */
export function refusedUnder(refused: readonly RefusedLink[], paths: readonly string[]): RefusedLink[] {
  if (refused.length === 0) return []
  return refused.filter((link) =>
    paths.some((p) => p === '' || p === link.path || link.path.startsWith(`${p}/`) || p.startsWith(`${link.path}/`)),
  )
}
