/**
 * What the verdict (./verdict.ts) found unknown, shown: the touched not-rendered findings as the diff's failures, the
 * Applications they are about, and whether a revision is blind to what an unread file declares. Nothing here decides
 * what is touched or what the verdict is.
 */
import type {NotRendered} from '../render/not-rendered.js'
import {cmp} from './order.js'
import type {Snapshot} from './snapshot.js'
import type {DiffFailure} from './types.js'

/** Whether `mine` holds an unread file with a touched not-rendered finding (what it deploys is unknown there). */
export function blindTo(mine: Snapshot, touched: readonly NotRendered[]): boolean {
  if (mine.unread.length === 0) return false
  const unread = new Set(mine.unread)
  return touched.some((n) => unread.has(n.finding.file))
}

/** `environment\0application` of each Application or HelmRelease with a touched not-rendered finding. */
export function touchedApplications(touched: readonly NotRendered[]): string[] {
  return touched
    .map((n) => n.finding)
    .filter((f) => f.application !== undefined)
    .map((f) => `${f.environment ?? ''}\0${f.application}`)
}

export function failuresOf(revision: 'base' | 'head', touched: readonly NotRendered[]): DiffFailure[] {
  return touched
    .map(({finding: f}) => ({
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
