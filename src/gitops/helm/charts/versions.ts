/**
 * A chart version as Helm, Flux and Argo CD pick it from a repository's index (Masterminds/semver constraints,
 * helm's `repo.IndexFile.Get`): an exact version is taken as written; a range (`1.x`, `~1.2`, `>=1.0 <2.0`,
 * `>= 1.2, < 3`, `*`) or nothing picks the highest version that satisfies it, prereleases only when the range names
 * one. The `semver` package reads the ranges; Masterminds' `,` (and) becomes a space, its `||` is the same.
 */
import semver from 'semver'

/** Whether `written` names one version (not a range): then no index is needed to know which. */
export const isExact = (written: string): boolean =>
  written !== '' && (semver.valid(written) !== null || semver.validRange(toRange(written)) === null)

const toRange = (written: string): string => written.replace(/\s*,\s*/g, ' ').trim() || '*'

/** The version of `available` the repository gives for `written`, or undefined when none satisfies it. */
export function pickVersion(written: string, available: readonly string[]): string | undefined {
  if (isExact(written))
    return available.find((v) => v === written || semver.eq(clean(v) ?? '0.0.0-x', clean(written) ?? '0.0.0-y'))
  const range = toRange(written)
  const includePrerelease = /-/.test(range)
  const valid = available.filter((v) => semver.valid(v) !== null)
  return semver.maxSatisfying(valid, range, {includePrerelease}) ?? undefined
}

const clean = (v: string) => semver.valid(v.replace(/^v/, ''))
