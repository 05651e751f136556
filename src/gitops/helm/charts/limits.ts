/**
 * The bounds of fetching remote charts (docs/security.md states them): per chart — the archive (or OCI layer), the
 * index it is listed in, the time of one request, what it unpacks to and how many entries; per run — how many charts
 * are fetched and how many bytes. A breach is a `render-limit` finding naming it, never a crash.
 */
import type {ExtractLimits} from '../../../effects/chart-archive.js'
import type {ChartFetchLimits} from '../../../effects/chart-repository.js'

export interface ChartLimits extends ChartFetchLimits, ExtractLimits {
  /** Charts fetched (not answered from the cache) in one run. */
  chartsPerRun: number
  /** Bytes of chart archives fetched in one run. */
  bytesPerRun: number
}

const MiB = 1024 * 1024

export const CHART_LIMITS: ChartLimits = {
  archiveBytes: 16 * MiB,
  indexBytes: 32 * MiB,
  timeoutMs: 60_000,
  extractedBytes: 64 * MiB,
  entries: 5_000,
  chartsPerRun: 100,
  bytesPerRun: 256 * MiB,
}

/**
 * The limits in force: CHART_LIMITS, each overridable by `AMEIDE_CHART_LIMITS` (comma-separated `name=value`,
 * names as above, values positive integers: bytes, entries, ms — e.g. `archiveBytes=33554432,timeoutMs=120000`).
 * An entry with another name, or a value that is not a positive integer, is ignored: that limit keeps its default.
 */
export function chartLimits(env: Record<string, string | undefined> = process.env): ChartLimits {
  const limits: ChartLimits = {...CHART_LIMITS}
  for (const pair of (env.AMEIDE_CHART_LIMITS ?? '').split(',')) {
    const [name, value] = pair.split('=').map((s) => s.trim())
    const n = Number(value)
    if (name in CHART_LIMITS && Number.isSafeInteger(n) && n > 0) limits[name as keyof ChartLimits] = n
  }
  return limits
}
