import type {Style} from './style.js'

/**
 * The hints of a run's findings, once per rule and distinct hint, in the order the rules first appear: the fix of
 * 39 `image-not-pinned` findings is said once, at the end of the human output (`--json` and SARIF keep each
 * finding's own hint).
 */
export function hintsOnce(findings: Iterable<{rule: string; hint: string}>, style: Style): string[] {
  const seen = new Map<string, {rule: string; hint: string; count: number}>()
  for (const f of findings) {
    const key = `${f.rule}\u0000${f.hint}`
    const entry = seen.get(key)
    if (entry) entry.count++
    else seen.set(key, {rule: f.rule, hint: f.hint, count: 1})
  }
  if (seen.size === 0) return []
  const lines = [style.bold('Hints')]
  for (const {rule, hint, count} of seen.values()) {
    lines.push(`  ${style.cyan(rule)} ${style.dim(`(${count} finding${count === 1 ? '' : 's'})`)}: ${hint}`)
  }
  return lines
}
