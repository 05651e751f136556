/**
 * Minimal glob matching for repo-relative paths (shared build inputs, GitOps zones, evidence-policy images): `**` any
 * number of path segments, `*` anything but `/`, `?` one character but `/`. A pattern without `/` and without `**`
 * matches that file name at the root only (`go.work`), as in .gitignore-anchored patterns. Never a backtracking
 * RegExp: a pattern a pull request writes (a value-file glob, a zone of ameide.yaml) where the RegExp of `*a*a*a…b`
 * would stall the run on a long name.
 *
 * Each glob is compiled once: a glob without a wildcard is a string comparison; otherwise its literal prefix and
 * suffix are tested first (most paths are rejected there), and what lies between is matched by walking the set of
 * positions reached, one pass per step (a literal run is one step), in buffers reused across calls: at most
 * O(path × glob) work, whatever the pattern.
 */
export function globMatcher(glob: string): {test(file: string): boolean} {
  const g = compiled(glob)
  return {test: (file) => g.test(file)}
}

/** The globs compiled so far (a caller that builds a matcher per path compiles its glob once): bounded. */
const cache = new Map<string, Compiled>()
function compiled(glob: string): Compiled {
  let g = cache.get(glob)
  if (!g) {
    if (cache.size >= 512) cache.clear()
    g = compile(glob)
    cache.set(glob, g)
  }
  return g
}

/**
 * An overlay glob's environment: `{env}` stands for one path segment (`[^/]+`), the rest is {@link globMatcher}'s
 * language. The segment the RegExp `before([^/]+)after` would capture (both greedy: the last end of `before` from
 * which a segment and `after` complete the path, then the longest such segment), or undefined when the file does not
 * match. Two linear passes: the part before `{env}` forward from the start, the part after backward from the end.
 */
export function envMatcher(glob: string): {exec(file: string): string | undefined} {
  const at = glob.indexOf('{env}')
  const before = compile(glob.slice(0, at))
  const after = compile(glob.slice(at + '{env}'.length))
  // The shortest path that can match: before, a one-character segment, after.
  const min = before.min + 1 + after.min
  // The common shapes (`overlays/{env}/**`, `clusters/{env}/*.yaml`): `before` is literal, so the segment starts where
  // it ends; `after` starts with `/`, so the segment ends at the first `/`.
  const slashAfter = after.prefix.startsWith('/')
  return {
    exec(file) {
      const n = file.length
      if (n < min || !file.startsWith(before.prefix) || !file.endsWith(after.suffix)) return undefined
      const mid = before.inOrder(file, 0)
      if (mid < 0 || after.inOrder(file, mid) < 0) return undefined
      if (before.literal && slashAfter) {
        const p = before.min
        const stop = file.indexOf('/', p)
        return stop > p && after.testFrom(file, stop) ? file.slice(p, stop) : undefined
      }
      const ends = before.forward(file, n - 1 - after.min)
      if (!ends) return undefined
      const starts = after.backward(file, before.min + 1)
      if (!starts) return undefined
      // From the end: `best` is the last start of `after` within the segment after p (up to its `/`), if any.
      let best = -1
      for (let p = n - 1; p >= 0; p--) {
        if (file.charCodeAt(p) === SLASH) {
          best = -1
          continue
        }
        if (best < 0 && starts[p + 1]) best = p + 1
        if (ends[p] && best > 0) return file.slice(p, best)
      }
      return undefined
    },
  }
}

/** A literal run (one step), `?`, `*` (not `/`), `**` (anything), `**` then `/` (nothing, or anything ending with `/`). */
type Step = string | Wild
const enum Wild {
  One = 1,
  Star,
  Globstar,
  GlobstarSlash,
}
const SLASH = 47

interface Compiled {
  /** The literal text every match starts with, and ends with ('' when the glob ends with a wildcard). */
  prefix: string
  suffix: string
  /** Whether the glob has no wildcard. */
  literal: boolean
  /** The length of the shortest match. */
  min: number
  test(file: string): boolean
  /**
   * Where the glob's literal runs, searched in order from `from`, end: -1 when one is missing (no match can exist). A
   * prefilter, no answer.
   */
  inOrder(file: string, from: number): number
  /** Whether file[from, n) matches. */
  testFrom(file: string, from: number): boolean
  /**
   * ends[p] = 1 when file[0, p) matches the glob, for p ≤ limit; undefined when no p does. A buffer reused by the
   * next call: read it before calling again.
   */
  forward(file: string, limit: number): Uint8Array | undefined
  /** starts[q] = 1 when file[q, n) matches the glob, for q ≥ from; undefined when no q does. Reused likewise. */
  backward(file: string, from: number): Uint8Array | undefined
}

function stepsOf(glob: string): Step[] {
  const steps: Step[] = []
  let literal = ''
  const push = (step: Step) => {
    if (literal) steps.push(literal)
    literal = ''
    steps.push(step)
  }
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]
    if (c === '*' && glob[i + 1] === '*') {
      const slashAfter = glob[i + 2] === '/'
      push(slashAfter ? Wild.GlobstarSlash : Wild.Globstar)
      i += slashAfter ? 2 : 1
    } else if (c === '*') push(Wild.Star)
    else if (c === '?') push(Wild.One)
    else literal += c
  }
  if (literal) steps.push(literal)
  return steps
}

/** A glob's steps compiled: its fixed parts for the prefilters, and the position walks that decide a match. */
function compile(glob: string): Compiled {
  const steps = stepsOf(glob)
  const min = steps.reduce((sum, s) => sum + (typeof s === 'string' ? s.length : s === Wild.One ? 1 : 0), 0)
  const prefix = typeof steps[0] === 'string' ? steps[0] : ''
  const last = steps.at(-1)
  const suffix = typeof last === 'string' ? last : ''
  // What lies between the prefix and the suffix, matched by the position walk (a lone literal is compared whole).
  const middle = steps.length <= 1 && prefix ? [] : steps.slice(prefix ? 1 : 0, suffix ? -1 : undefined)
  const literal = steps.every((s) => typeof s === 'string')
  const inOrder = runsInOrder(steps)
  // The runs between the prefix and the suffix, in order within [from, to): the prefilter of test.
  const innerInOrder = runsInOrder(middle)
  const walk = middleWalk(middle)
  const testFrom = literal
    ? (file: string, from: number) => file.length - from === min && file.startsWith(glob, from)
    : (file: string, from: number) => {
        if (file.length - from < min || !file.startsWith(prefix, from) || !file.endsWith(suffix)) return false
        const [start, end] = [from + prefix.length, file.length - suffix.length]
        const runsEnd = innerInOrder(file, start)
        return runsEnd >= 0 && runsEnd <= end && walk(file, start, end)
      }
  const test = literal ? (file: string) => file === glob : (file: string) => testFrom(file, 0)
  // The position walks for envMatcher: every step, both directions, over the whole path.
  return {
    prefix,
    suffix,
    literal,
    min,
    inOrder,
    test,
    testFrom,
    forward: forwardWalk(steps),
    backward: backwardWalk(steps),
  }
}

/** Where the literal runs among `steps` end when found in order from `from`: -1 when they are not. */
function runsInOrder(steps: readonly Step[]): (file: string, from: number) => number {
  const runs = steps.filter((s): s is string => typeof s === 'string')
  return (file, from) => {
    let at = from
    for (const run of runs) {
      const i = file.indexOf(run, at)
      if (i < 0) return -1
      at = i + run.length
    }
    return at
  }
}

/** Two position sets, reused from call to call, grown to fit; and which of them is the current one. */
class Positions {
  private sets: Uint8Array[] = [new Uint8Array(64), new Uint8Array(64)]
  /** The two sets for positions 0…n, the first cleared but for `start` (the one position before any step). */
  start(n: number, start: number): [Uint8Array, Uint8Array] {
    if (this.sets[0]!.length < n + 1) this.sets = [new Uint8Array((n + 1) * 2), new Uint8Array((n + 1) * 2)]
    const [at, next] = this.sets as [Uint8Array, Uint8Array]
    at.fill(0, 0, n + 1)
    at[start] = 1
    return [at, next]
  }
  /** Keeps `at` as the first set (what the caller returns) and `next` as the spare. */
  keep(at: Uint8Array, next: Uint8Array): void {
    this.sets = [at, next]
  }
}

/** Whether file[from, to) matches the middle steps (the prefix and suffix already tested). */
function middleWalk(middle: readonly Step[]): (file: string, from: number, to: number) => boolean {
  const single = middle.length === 1 ? singleStep(middle[0]!) : undefined
  if (middle.length === 0) return (_, from, to) => from === to
  if (single) return single
  const positions = new Positions()
  return (file, from, to) => {
    const len = to - from
    let [at, next] = positions.start(len, 0)
    let first = 0 // the first position reached: nothing before it is
    for (const step of middle) {
      next.fill(0, 0, len + 1)
      const reached = advance(step, file, from, len, first, at, next)
      if (reached < 0) return false
      first = reached
      ;[at, next] = [next, at]
    }
    return at[len] === 1
  }
}

/** A middle of one wildcard, decided without a walk. */
function singleStep(step: Step): ((file: string, from: number, to: number) => boolean) | undefined {
  if (step === Wild.Globstar) return () => true
  if (step === Wild.Star)
    return (file, from, to) => {
      const slash = file.indexOf('/', from)
      return slash < 0 || slash >= to
    }
  if (step === Wild.GlobstarSlash) return (file, from, to) => from === to || file.charCodeAt(to - 1) === SLASH
  if (step === Wild.One) return (file, from, to) => to === from + 1 && file.charCodeAt(from) !== SLASH
  return undefined
}

/**
 * One step of the middle walk over file[from, from + len): `next` gets the positions `step` reaches from those of
 * `at` (none before `first`); the first position reached, or -1 when none is.
 */
function advance(
  step: Step,
  file: string,
  from: number,
  len: number,
  first: number,
  at: Uint8Array,
  next: Uint8Array,
): number {
  let reached = -1
  if (typeof step === 'string') {
    const k = step.length
    for (let q = first; q + k <= len; q++) {
      if (at[q] && file.startsWith(step, from + q)) {
        next[q + k] = 1
        if (reached < 0) reached = q + k
      }
    }
    return reached
  }
  if (step === Wild.One) {
    for (let q = first; q < len; q++) {
      if (at[q] && file.charCodeAt(from + q) !== SLASH) {
        next[q + 1] = 1
        if (reached < 0) reached = q + 1
      }
    }
    return reached
  }
  if (step === Wild.Star) {
    for (let q = first; q <= len; q++) {
      if (at[q] || (q > first && next[q - 1] && file.charCodeAt(from + q - 1) !== SLASH)) next[q] = 1
    }
  } else if (step === Wild.Globstar) {
    next.fill(1, first, len + 1)
  } else {
    // Nothing, or any run that ends with a `/`.
    let seen = false
    for (let q = first; q <= len; q++) {
      if (at[q] || (seen && file.charCodeAt(from + q - 1) === SLASH)) next[q] = 1
      seen ||= at[q] === 1
    }
  }
  return first
}

/** forward: ends[p] = 1 when file[0, p) matches every step, for p ≤ limit (Compiled.forward). */
function forwardWalk(steps: readonly Step[]): Compiled['forward'] {
  const positions = new Positions()
  return (file, limit) => {
    const n = file.length
    let [at, next] = positions.start(n, 0)
    for (const step of steps) {
      next.fill(0, 0, n + 1)
      let any = false
      let seen = false
      for (let q = 0; q <= n; q++) {
        let on = 0
        if (typeof step === 'string') {
          const k = step.length
          on = q >= k && at[q - k] && file.startsWith(step, q - k) ? 1 : 0
        } else if (step === Wild.One) on = q > 0 && at[q - 1] && file.charCodeAt(q - 1) !== SLASH ? 1 : 0
        else if (step === Wild.Star) on = at[q] || (q > 0 && next[q - 1] && file.charCodeAt(q - 1) !== SLASH) ? 1 : 0
        else if (step === Wild.Globstar) on = at[q] || (q > 0 && next[q - 1]) ? 1 : 0
        else {
          on = at[q] || (seen && file.charCodeAt(q - 1) === SLASH) ? 1 : 0
          seen ||= at[q] === 1
        }
        next[q] = on
        any ||= on === 1
      }
      if (!any) return undefined
      ;[at, next] = [next, at]
    }
    positions.keep(at, next)
    return kept(at, n, (p) => p <= limit)
  }
}

/** backward: starts[q] = 1 when file[q, n) matches every step, for q ≥ from (Compiled.backward). */
function backwardWalk(steps: readonly Step[]): Compiled['backward'] {
  const positions = new Positions()
  return (file, from) => {
    const n = file.length
    let [at, next] = positions.start(n, n)
    for (let i = steps.length - 1; i >= 0; i--) {
      const step = steps[i]
      next.fill(0, 0, n + 1)
      let any = false
      let seen = false
      for (let q = n; q >= 0; q--) {
        let on = 0
        if (typeof step === 'string') {
          const k = step.length
          on = q + k <= n && at[q + k] && file.startsWith(step, q) ? 1 : 0
        } else if (step === Wild.One) on = q < n && at[q + 1] && file.charCodeAt(q) !== SLASH ? 1 : 0
        else if (step === Wild.Star) on = at[q] || (q < n && next[q + 1] && file.charCodeAt(q) !== SLASH) ? 1 : 0
        else if (step === Wild.Globstar) on = at[q] || (q < n && next[q + 1]) ? 1 : 0
        else {
          // Nothing, or any run ending with a `/`: a `/` at some r ≥ q with the rest matching from r + 1.
          seen ||= q < n && file.charCodeAt(q) === SLASH && at[q + 1] === 1
          on = at[q] || seen ? 1 : 0
        }
        next[q] = on
        any ||= on === 1
      }
      if (!any) return undefined
      ;[at, next] = [next, at]
    }
    positions.keep(at, next)
    return kept(at, n, (q) => q >= from)
  }
}

/** `at` (positions 0…n) with those `allowed` refuses cleared; undefined when none is left. */
function kept(at: Uint8Array, n: number, allowed: (p: number) => boolean): Uint8Array | undefined {
  let any = false
  for (let p = 0; p <= n; p++) {
    if (!allowed(p)) at[p] = 0
    any ||= at[p] === 1
  }
  return any ? at : undefined
}
