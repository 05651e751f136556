/** Durations of the dispatch flags (--timeout): `90`, `90s`, `15m`, `1h`, `1h30m`. */
import {usageError} from '../core/errors.js'

/** `90`, `90s`, `15m`, `1h`, `1h30m` → milliseconds (a bare number is seconds). */
export function parseDuration(value: string, flag = '--timeout'): number {
  const text = value.trim()
  let ms = 0
  if (/^\d+$/.test(text)) ms = Number(text) * 1000
  else {
    const re = /(\d+)(ms|s|m|h)/gy
    let matched = 0
    for (let m = re.exec(text); m; m = re.exec(text)) {
      ms += Number(m[1]) * {ms: 1, s: 1000, m: 60_000, h: 3_600_000}[m[2] as 'ms' | 's' | 'm' | 'h']
      matched = re.lastIndex
    }
    if (matched !== text.length || text.length === 0) ms = Number.NaN
  }
  if (!Number.isFinite(ms) || ms <= 0) {
    throw usageError('INVALID_DURATION', `${flag} ${JSON.stringify(value)} is not a positive duration.`, [
      'Use e.g. 90s, 15m, 1h or 1h30m (a bare number is seconds).',
    ])
  }
  return ms
}
