/**
 * The diff's verdict — `changed`, `unchanged` or `incomplete` — decided here and nowhere else, from typed findings:
 * each revision's not-rendered findings with the inputs of what they are about (src/gitops/render/not-rendered.ts),
 * what was found to deploy, and what differs. Every other module only produces findings (the render gate, the
 * snapshots) or shows what this decides (./incomplete.ts's failures, ./compare.ts's deployables).
 */
import type {NotRendered} from '../render/not-rendered.js'

export type Verdict = 'changed' | 'unchanged' | 'incomplete'

/** Why a diff is incomplete: something the change touches was not rendered, nothing was found, or only guessed. */
export type Unknown = 'not-rendered' | 'nothing-to-render' | 'only-guessed'

/** A not-rendered finding's identity across revisions: what it is about (rule, file, place) and its inputs' key. */
const identity = (n: NotRendered, key: string): string => {
  const f = n.finding
  return JSON.stringify([f.rule, f.file, f.environment ?? '', f.application ?? '', key])
}

/**
 * The not-rendered findings of `mine` that the change touches: each whose inputs are unknowable, or whose inputs
 * the other revision does not hold for the same thing (the same inputs cannot build differently there; a refusal or a
 * limit reached is unknowable, so it always counts).
 */
export function touchedBy(mine: readonly NotRendered[], other: readonly NotRendered[]): NotRendered[] {
  const held = new Set<string>()
  for (const n of other) if ('key' in n.inputs) held.add(identity(n, n.inputs.key))
  return mine.filter((n) => !('key' in n.inputs) || !held.has(identity(n, n.inputs.key)))
}

export interface VerdictInputs {
  /** Each revision's not-rendered findings the change touches (touchedBy). */
  touched: {base: readonly NotRendered[]; head: readonly NotRendered[]}
  /**
   * Deployables found in both revisions (rendered, answered, unchanged or not rendered); of those, the ones something
   * declares deployed; whether the layout was configured in ameide.yaml (then what its roots find is declared).
   */
  found: {found: number; declared: number; layoutConfigured: boolean}
  /** Deployables added, removed or changed beyond what the base's policy folds or ignores; Applications added or removed. */
  changes: {deployables: number; applications: number}
}

export interface VerdictOutcome {
  summary: Verdict
  /** Why it is incomplete (in this order), when it is. */
  unknowns: Unknown[]
}

/** The verdict: incomplete when anything is unknown, else changed when anything differs, else unchanged. */
export function decideVerdict(input: VerdictInputs): VerdictOutcome {
  const unknowns = unknownsOf(input)
  if (unknowns.length > 0) return {summary: 'incomplete', unknowns}
  const {deployables, applications} = input.changes
  return {summary: deployables + applications > 0 ? 'changed' : 'unchanged', unknowns}
}

function unknownsOf({touched, found}: VerdictInputs): Unknown[] {
  const out: Unknown[] = []
  // Nothing to compare is no evidence that nothing changed; what only ameide's own rules guessed is no evidence either.
  if (found.found === 0) out.push('nothing-to-render')
  else if (found.declared === 0 && !found.layoutConfigured) out.push('only-guessed')
  if (touched.base.length + touched.head.length > 0) out.push('not-rendered')
  return out
}
