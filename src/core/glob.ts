/**
 * Minimal glob matching for repo-relative paths (shared build inputs): `**` any number of path segments,
 * `*` anything but `/`, `?` one character but `/`. A pattern without `/` and without `**` matches that
 * file name at the root only (`go.work`), as in .gitignore-anchored patterns.
 */
export function globToRegExp(glob: string): RegExp {
  let out = ''
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]
    if (c === '*') {
      if (glob[i + 1] === '*') {
        const slashAfter = glob[i + 2] === '/'
        out += slashAfter ? '(?:.*/)?' : '.*'
        i += slashAfter ? 2 : 1
      } else {
        out += '[^/]*'
      }
    } else if (c === '?') {
      out += '[^/]'
    } else {
      out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&')
    }
  }
  return new RegExp(`^${out}$`)
}

export function matchesAny(file: string, globs: RegExp[]): RegExp | undefined {
  return globs.find((g) => g.test(file))
}
