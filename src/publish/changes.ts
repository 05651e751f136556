import {globMatcher} from '../core/glob.js'
import type {ChangeSet} from '../changes/detect.js'
import type {Component} from './components.js'

export interface ChangeDecision {
  changed: boolean
  reason: string
}

/** Changed or not, and why, for one component. */
export function decideChange(component: Component, changes: ChangeSet, sharedInputs: string[]): ChangeDecision {
  if (changes.everything) return {changed: true, reason: changes.everything}
  const base = changes.base!.slice(0, 12)
  const prefix = `${component.path}/`
  const own = changes.files.filter((f) => f.startsWith(prefix))
  if (own.length > 0) {
    const sample = own
      .slice(0, 3)
      .map((f) => f.slice(prefix.length))
      .join(', ')
    return {
      changed: true,
      reason: `${own.length} file(s) changed under ${component.path}/ since ${base} (${sample}${own.length > 3 ? ', …' : ''})`,
    }
  }
  const globs = sharedInputs.map((g) => ({glob: g, matcher: globMatcher(g)}))
  for (const file of changes.files) {
    const hit = globs.find((g) => g.matcher.test(file))
    if (hit) return {changed: true, reason: `shared build input ${file} changed since ${base} (matches ${hit.glob})`}
  }
  return {changed: false, reason: `unchanged since ${base} (${changes.baseDescription})`}
}
