/**
 * What makes a diff incomplete: a not-rendered finding about something the change touches (its inputs differ between
 * the revisions), an unread file declaring deployables, an Application something of which did not render.
 */
import type {GitopsFinding} from '../rules/index.js'
import {cmp} from './order.js'
import {isNotRendered, type Snapshot} from './snapshot.js'
import type {DiffFailure} from './types.js'

/** What a not-rendered finding is about, with the key of its inputs: the same in both revisions is untouched. */
function inputsOfFailures(s: Snapshot): Set<string> {
  const out = new Set<string>()
  for (const [f, key] of s.inputKeys) out.add(touchKey(f, key))
  return out
}

const touchKey = (f: GitopsFinding, key: string) =>
  JSON.stringify([f.rule, f.file, f.environment ?? '', f.application ?? '', key])

/**
 * Whether a not-rendered finding makes the diff incomplete: always, unless what it is about has the same inputs (its
 * spec, the files it reads, a remote chart's pinned name and version) in the other revision, which then cannot
 * render differently either. A refusal (`render-refused`) and a limit reached (`render-limit`) always do.
 */
export function makesIncomplete(f: GitopsFinding, mine: Snapshot, other: Set<string>): boolean {
  if ((f.rule as string) === 'render-refused' || (f.rule as string) === 'render-limit') return true
  const key = mine.inputKeys.get(f)
  return key === undefined || !other.has(touchKey(f, key))
}

/** Whether `mine` holds an unread file whose finding makes the diff incomplete (what it deploys is unknown there). */
export function blindTo(mine: Snapshot, other: Snapshot): boolean {
  if (mine.unread.length === 0) return false
  const unread = new Set(mine.unread)
  const inputs = inputsOfFailures(other)
  return mine.findings.some((f) => isNotRendered(f.rule) && unread.has(f.file) && makesIncomplete(f, mine, inputs))
}

/** `environment\0application` of each Application or HelmRelease with a not-rendered finding that makes the diff incomplete. */
export function touchedApplications(mine: Snapshot, other: Snapshot): string[] {
  const inputs = inputsOfFailures(other)
  return mine.findings
    .filter((f) => isNotRendered(f.rule) && f.application !== undefined && makesIncomplete(f, mine, inputs))
    .map((f) => `${f.environment ?? ''}\0${f.application}`)
}

export function failuresOf(revision: 'base' | 'head', mine: Snapshot, other: Snapshot): DiffFailure[] {
  const inputs = inputsOfFailures(other)
  return mine.findings
    .filter((f) => isNotRendered(f.rule) && makesIncomplete(f, mine, inputs))
    .map((f) => ({
      revision,
      rule: f.rule as DiffFailure['rule'],
      file: f.file,
      line: f.line,
      ...(f.environment ? {environment: f.environment} : {}),
      ...(f.application ? {application: f.application} : {}),
      message: f.message,
      ...(f.dependency ? {dependency: f.dependency} : {}),
    }))
    .sort((x, y) => cmp(x.file, y.file) || x.line - y.line || cmp(x.message, y.message))
}
