import {setTimeout as sleep} from 'node:timers/promises'

/**
 * Bounded exponential backoff with full jitter, for every remote call (registry HTTP, GitHub, cosign
 * and builder invocations that failed for a transient reason).
 */
export interface RetryPolicy {
  /** Attempts in all, including the first. */
  attempts: number
  /** Delay before the second attempt, in ms; doubles each time. */
  baseDelayMs: number
  /** Upper bound of one delay, in ms (a server's Retry-After may ask for more, up to maxRetryAfterMs). */
  maxDelayMs: number
  /** Longest Retry-After honoured, in ms; a longer one fails the call. */
  maxRetryAfterMs: number
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  attempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 8000,
  maxRetryAfterMs: 60_000,
}

export interface AttemptFailure {
  /** Worth another attempt (429, 5xx, connection reset, timeout). */
  transient: boolean
  /** Milliseconds the server asked us to wait (Retry-After), if it did. */
  retryAfterMs?: number
}

/** Thrown when the budget is spent; `lastError` is the final attempt's error. */
export class RetryBudgetExhausted extends Error {
  constructor(
    readonly attempts: number,
    readonly lastError: unknown,
  ) {
    super(`gave up after ${attempts} attempts: ${(lastError as Error)?.message ?? String(lastError)}`)
    this.name = 'RetryBudgetExhausted'
  }
}

/**
 * Runs `fn` until it succeeds, a failure is not transient (rethrown as is), or the budget is spent
 * (RetryBudgetExhausted). `classify` decides what a thrown error means.
 */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  classify: (error: unknown) => AttemptFailure,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
): Promise<T> {
  let lastError: unknown
  for (let attempt = 1; attempt <= policy.attempts; attempt++) {
    try {
      return await fn(attempt)
    } catch (error) {
      lastError = error
      const failure = classify(error)
      if (!failure.transient) throw error
      if (attempt === policy.attempts) break
      if (failure.retryAfterMs !== undefined && failure.retryAfterMs > policy.maxRetryAfterMs) break
      await sleep(delayFor(attempt, failure, policy))
    }
  }
  throw new RetryBudgetExhausted(policy.attempts, lastError)
}

export function delayFor(attempt: number, failure: AttemptFailure, policy: RetryPolicy): number {
  if (failure.retryAfterMs !== undefined) return Math.min(failure.retryAfterMs, policy.maxRetryAfterMs)
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1))
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2))
}

/** Parses an HTTP Retry-After header (seconds or an HTTP date) into milliseconds. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined
  const seconds = Number(value)
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}
