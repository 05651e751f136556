/** The render gate's findings fixed and introduced by the change; neither where the other revision could not judge. */
import type {GitopsFinding} from '../rules/index.js'
import {cmp} from './order.js'
import {isNotRendered, type Snapshot} from './snapshot.js'
import type {VerdictFinding} from './types.js'
import {present} from '../../core/present.js'

/** A finding's identity across revisions: its rule, place in the rendered output, and message without line numbers. */
const findingKey = (f: GitopsFinding) =>
  JSON.stringify([
    f.rule,
    f.environment ?? '',
    f.application ?? '',
    f.object ?? null,
    f.file,
    f.message.replace(/:\d+\b/g, ':N').replace(/\bline \d+/g, 'line N'),
  ])

/** Whether a revision could not judge what a finding is about: its deployable (environment, Application) not rendered. */
export function unknownVerdicts(s: Snapshot): (f: GitopsFinding) => boolean {
  const places = new Set<string>()
  for (const key of s.unrendered) {
    const [, environment, application] = key.split('\0')
    places.add(`${environment}\0${application}`)
  }
  for (const key of s.unrenderedApplications) places.add(key)
  return (f) => !isNotRendered(f.rule) && places.has(`${f.environment ?? ''}\0${f.application ?? ''}`)
}

export function difference(
  a: GitopsFinding[],
  b: GitopsFinding[],
  unknownInB: (f: GitopsFinding) => boolean,
): VerdictFinding[] {
  const seen = new Set(b.map(findingKey))
  const out = new Map<string, VerdictFinding>()
  for (const f of a) {
    const k = findingKey(f)
    if (seen.has(k) || out.has(k) || unknownInB(f)) continue
    out.set(k, {
      rule: f.rule,
      severity: f.severity,
      file: f.file,
      line: f.line,
      message: f.message,
      ...present(f, 'environment', 'application', 'object'),
    })
  }
  return [...out.values()].sort(
    (x, y) => cmp(x.file, y.file) || x.line - y.line || cmp(x.rule, y.rule) || cmp(x.message, y.message),
  )
}
