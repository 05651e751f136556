import type {RetryPolicy} from './retry.js'

/**
 * The timing knob for subprocess tests (the other test-only variable is apply.ts's fault hook): `AMEIDE_TEST_TIMINGS`, a JSON object of delays the commands pass
 * into their cores as injected options — `retryAttempts` and `retryDelayMs` (publish's retry policy), `slowWriteMs`
 * (scaffold pauses in the middle of each file write, so a test can kill it mid-file), `lockWaitMs` (how long
 * gitops set-image/promote wait for another writer on the checkout). Unknown or non-numeric fields
 * are ignored; without the variable nothing changes. Documented in docs/conventions.md; never a team setting.
 */
export interface TestTimings {
  retryAttempts?: number
  retryDelayMs?: number
  slowWriteMs?: number
  lockWaitMs?: number
}

export function testTimings(env: NodeJS.ProcessEnv = process.env): TestTimings {
  const raw = env.AMEIDE_TEST_TIMINGS
  if (!raw) return {}
  let doc: unknown
  try {
    doc = JSON.parse(raw)
  } catch {
    return {}
  }
  const out: TestTimings = {}
  for (const key of ['retryAttempts', 'retryDelayMs', 'slowWriteMs', 'lockWaitMs'] as const) {
    const value = (doc as Record<string, unknown> | null)?.[key]
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) out[key] = value
  }
  return out
}

/** The retry policy with the test knob's attempts and delays applied (publish, publish merge). */
export function retryPolicyWithTimings(base: RetryPolicy, timings: TestTimings): RetryPolicy {
  return {
    ...base,
    ...(timings.retryAttempts ? {attempts: timings.retryAttempts} : {}),
    ...(timings.retryDelayMs !== undefined
      ? {baseDelayMs: timings.retryDelayMs, maxDelayMs: Math.max(timings.retryDelayMs * 8, 1)}
      : {}),
  }
}
