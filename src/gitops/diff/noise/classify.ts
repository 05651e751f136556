/**
 * One changed object judged against the diff's noise policy: shown (a change no rule covers: the object shows in
 * full, ignored fields and chart metadata included), ignored (every difference is in places the ignore rules name),
 * or folded (every difference left is chart-bump metadata). Argo CD removes the ignored places from both sides
 * before it compares; so does this, and a change in any other place shows the whole object.
 */
import type {Doc} from '../../kubernetes/objects.js'
import {sameData, stableYaml} from '../objects.js'
import {chartMetadataPlaces, metadataChanges} from './chart-metadata.js'
import {jqPlaces, pointerPlaces, removePlaces, type Place} from './paths.js'
import {ruleMatches, type IgnoreRule, type NoisePolicy, type NoiseTarget} from './rules.js'

export type Noise = {kind: 'shown'} | {kind: 'ignored'; rules: string[]} | {kind: 'metadata'; changes: string[]}

const placesOf = (rule: IgnoreRule, doc: unknown): Place[] => [
  ...rule.jsonPointers.flatMap((p) => pointerPlaces(doc, p)),
  ...rule.jq.flatMap((q) => jqPlaces(doc, q)),
]

/** Both bodies without the places the rules name; the rules that named a place in either. */
function withoutIgnored(rules: IgnoreRule[], before: Doc, after: Doc) {
  let [b, a]: unknown[] = [before, after]
  const used: string[] = []
  for (const rule of rules) {
    const [pb, pa] = [placesOf(rule, b), placesOf(rule, a)]
    if (pb.length + pa.length === 0) continue
    used.push(rule.source)
    b = removePlaces(b, pb)
    a = removePlaces(a, pa)
  }
  return {b, a, used}
}

/** The YAML texts without the lines the rules' regular expressions match; whether any line was left out. */
function withoutLines(yaml: typeof import('yaml'), rules: IgnoreRule[], b: unknown, a: unknown) {
  const patterns = rules.flatMap((r) => r.lines.map((re) => ({re, source: r.source})))
  const used = new Set<string>()
  const keep = (text: string) =>
    text
      .split('\n')
      .filter((line) => {
        const hit = patterns.find((p) => p.re.test(line))
        if (hit) used.add(hit.source)
        return !hit
      })
      .join('\n')
  return {same: keep(stableYaml(yaml, b as Doc)) === keep(stableYaml(yaml, a as Doc)), used: [...used]}
}

/** How a changed object (present in both revisions, its data different) is shown under the policy. */
export function classifyChange(
  yaml: typeof import('yaml'),
  policy: NoisePolicy,
  target: NoiseTarget,
  before: Doc,
  after: Doc,
): Noise {
  const rules = policy.rules.filter((r) => ruleMatches(r, target))
  if (rules.length > 0) {
    const {b, a, used} = withoutIgnored(rules, before, after)
    if (sameData(b, a) && used.length > 0) return {kind: 'ignored', rules: used}
    if (rules.some((r) => r.lines.length > 0)) {
      const lines = withoutLines(yaml, rules, b, a)
      if (lines.same) return {kind: 'ignored', rules: [...new Set([...used, ...lines.used])]}
    }
    if (policy.foldChartMetadata && onlyMetadata(b, a)) return {kind: 'metadata', changes: metadataChanges(b, a)}
    return {kind: 'shown'}
  }
  if (policy.foldChartMetadata && onlyMetadata(before, after))
    return {kind: 'metadata', changes: metadataChanges(before, after)}
  return {kind: 'shown'}
}

/** Do the two bodies differ only in chart-bump metadata. */
function onlyMetadata(before: unknown, after: unknown): boolean {
  const pb = chartMetadataPlaces(before)
  const pa = chartMetadataPlaces(after)
  if (pb.length + pa.length === 0) return false
  return sameData(removePlaces(before, pb), removePlaces(after, pa))
}
