/**
 * Minimal glob matching for repo-relative paths (shared build inputs, GitOps zones, evidence-policy images): `**` any
 * number of path segments, `*` anything but `/`, `?` one character but `/`. A pattern without `/` and without `**`
 * matches that file name at the root only (`go.work`), as in .gitignore-anchored patterns. Matched by walking the set
 * of positions reached, linear in the path for each step of the pattern, never by a backtracking RegExp: a pattern a
 * pull request writes (a value-file glob, a zone of ameide.yaml) where the RegExp of `*a*a*a…b` would stall the run on
 * a long name.
 */
export function globMatcher(glob: string): {test(file: string): boolean} {
  const steps = stepsOf(glob)
  return {test: (file) => reach(steps, file, [0])[file.length]}
}

/**
 * An overlay glob's environment: `{env}` stands for one path segment (`[^/]+`), the rest is {@link globMatcher}'s
 * language. Matched in linear passes — the part before `{env}` forward from the start, the part after on each
 * candidate rest — never by a backtracking RegExp, for the globs of an `ameide.yaml` a pull request may write. The
 * segment the RegExp `before([^/]+)after` would capture (both greedy), or undefined when the file does not match.
 */
export function envMatcher(glob: string): {exec(file: string): string | undefined} {
  const at = glob.indexOf('{env}')
  const before = stepsOf(glob.slice(0, at))
  const after = globMatcher(glob.slice(at + '{env}'.length))
  return {
    exec(file) {
      const ends = reach(before, file, [0])
      for (let p = file.length - 1; p >= 0; p--) {
        if (!ends[p]) continue
        let stop = file.indexOf('/', p)
        if (stop < 0) stop = file.length
        for (let q = stop; q > p; q--) if (after.test(file.slice(q))) return file.slice(p, q)
      }
      return undefined
    },
  }
}

type Step = '*' | '**' | '**/' | '?' | {c: string}

function stepsOf(glob: string): Step[] {
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
  return steps
}

/** Which prefixes of `file` the steps can match, from the positions `starts`: one pass per step, linear in the file. */
function reach(steps: readonly Step[], file: string, starts: readonly number[]): boolean[] {
  const n = file.length
  let at = Array.from({length: n + 1}, (_, p) => starts.includes(p))
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
  return at
}
