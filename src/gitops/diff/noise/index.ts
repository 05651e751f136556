/**
 * Noise folded by policy, never hidden: the BASE revision's policy (its ameide.yaml's `gitopsPolicy.diff` and its
 * Applications' `ignoreDifferences`) decides which changed objects are ignored or folded as chart-bump metadata.
 * Each such object is counted and listed (`folded`, `ignored` on its deployable), kept out of `changed` and of
 * `--exit-code`; an object with any other change shows in full.
 */
import type {GitopsPolicy} from '../../../core/config.js'
import type {DeployableDiff, ObjectRef} from '../types.js'
import type {Doc} from '../../kubernetes/objects.js'
import {classifyChange} from './classify.js'
import {applicationRules, policyRules, type NoisePolicy, type NoiseTarget, type NotApplied} from './rules.js'

export type {NoisePolicy} from './rules.js'

/** The noise policy of a diff: the base's ameide.yaml and the base's Applications' `ignoreDifferences`. */
export function noisePolicy(diff: GitopsPolicy['diff'], baseIgnoreDifferences: ReadonlyMap<string, unknown>) {
  const notApplied: NotApplied[] = []
  const rules = policyRules(diff.ignore ?? [], notApplied)
  for (const [application, entries] of [...baseIgnoreDifferences].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    rules.push(...applicationRules(application, entries, notApplied))
  return {foldChartMetadata: diff.foldChartMetadata ?? true, rules, notApplied} satisfies NoisePolicy
}

/** What the result says of the policy applied. */
export const noiseReport = (policy: NoisePolicy) => ({
  foldChartMetadata: policy.foldChartMetadata,
  rules: policy.rules.map((r) => r.source),
  notApplied: policy.notApplied,
})

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`

/** The folded and ignored objects of one deployable, as its changed objects are compared. */
export class NoiseTally {
  private readonly folded: ObjectRef[] = []
  private readonly changes = new Set<string>()
  private readonly ignored: Array<ObjectRef & {rules: string[]}> = []

  constructor(
    private readonly yaml: typeof import('yaml'),
    private readonly policy: NoisePolicy | undefined,
  ) {}

  /** True when the changed object is folded or ignored (counted here, not shown). */
  take(target: NoiseTarget, before: Doc, after: Doc): boolean {
    if (!this.policy) return false
    const noise = classifyChange(this.yaml, this.policy, target, before, after)
    if (noise.kind === 'shown') return false
    const ref: ObjectRef = {
      apiVersion: target.apiVersion,
      kind: target.kind,
      ...(target.namespace ? {namespace: target.namespace} : {}),
      name: target.name,
    }
    if (noise.kind === 'ignored') this.ignored.push({...ref, rules: noise.rules})
    else {
      this.folded.push(ref)
      for (const c of noise.changes) this.changes.add(c)
    }
    return true
  }

  get count() {
    return this.folded.length + this.ignored.length
  }

  /** The deployable's `folded`, `ignored` and their counts. */
  into(d: DeployableDiff): DeployableDiff {
    d.counts.folded = this.folded.length
    d.counts.ignored = this.ignored.length
    if (this.folded.length > 0) {
      const changes = [...this.changes].sort()
      d.folded = {
        line: `metadata only: ${changes.join(', ')} on ${plural(this.folded.length, 'object')}`,
        changes,
        objects: this.folded,
      }
    }
    if (this.ignored.length > 0) d.ignored = this.ignored
    return d
  }
}

/** A deployable listed only for what was folded or ignored in it: nothing of it counts as a change. */
export const onlyNoise = (d: DeployableDiff) => d.change === 'changed' && d.objects.length === 0
