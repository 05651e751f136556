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

/**
 * {@link globToRegExp}'s language matched by walking the set of positions reached, linear in the path for each step
 * of the pattern: for a pattern a pull request writes (a value-file glob), where the backtracking RegExp of
 * `*a*a*a…b` would stall the run on a long name.
 */
export function globMatcher(glob: string): {test(file: string): boolean} {
  type Step = '*' | '**' | '**/' | '?' | {c: string}
  const steps: Step[] = []
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]
    if (c === '*' && glob[i + 1] === '*') {
      const slashAfter = glob[i + 2] === '/'
      steps.push(slashAfter ? '**/' : '**')
      i += slashAfter ? 2 : 1
    } else if (c === '*' || c === '?') steps.push(c)
    else steps.push({c})
  }
  return {
    test(file) {
      const n = file.length
      let at = Array.from({length: n + 1}, (_, p) => p === 0)
      for (const step of steps) {
        const next = Array.from({length: n + 1}, () => false)
        let seen = false
        for (let q = 0; q <= n; q++) {
          if (step === '*') next[q] = at[q] || (q > 0 && next[q - 1] && file[q - 1] !== '/')
          else if (step === '**') next[q] = at[q] || (q > 0 && next[q - 1])
          else if (step === '**/') {
            // Nothing, or any run that ends with a `/`.
            next[q] = at[q] || (q > 0 && seen && file[q - 1] === '/')
            seen ||= at[q]
          } else if (q > 0 && at[q - 1]) {
            next[q] = step === '?' ? file[q - 1] !== '/' : file[q - 1] === step.c
          }
        }
        at = next
      }
      return at[n]
    },
  }
}

export function matchesAny(file: string, globs: RegExp[]): RegExp | undefined {
  return globs.find((g) => g.test(file))
}
