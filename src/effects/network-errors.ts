/**
 * Whether a failed HTTP request (Node's fetch / undici, or a transport that reports its errors the same way) is worth
 * another attempt: a timeout, a reset or refused connection, a dropped socket — never a name that does not resolve.
 * Shared by the registry client and the Argo CD client.
 */
import {parseRetryAfter} from '../core/retry.js'

const TRANSIENT_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
])

export function isTransientNetworkError(error: unknown): boolean {
  const e = error as {name?: string; code?: string; cause?: {code?: string; name?: string}}
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return true
  const code = e?.cause?.code ?? e?.code
  if (code && TRANSIENT_NETWORK_CODES.has(code)) return true
  // undici reports a dropped connection as "fetch failed" / "other side closed" / "terminated"
  if (e?.name === 'TypeError' && /fetch failed|terminated|other side closed/i.test(String((error as Error).message))) {
    return e?.cause?.code !== 'ENOTFOUND'
  }
  return false
}

/** A 429 or 5xx answer: worth another attempt, after the server's Retry-After when it sent one. */
export class TransientHttpStatus extends Error {
  readonly retryAfterMs?: number
  constructor(
    readonly status: number,
    retryAfter: string | null,
  ) {
    super(`HTTP ${status}`)
    this.retryAfterMs = parseRetryAfter(retryAfter)
  }
}

/** withRetry's classifier for a plain HTTP client: a transient status, or a transient network failure. */
export function classifyHttpError(error: unknown): {transient: boolean; retryAfterMs?: number} {
  if (error instanceof TransientHttpStatus) return {transient: true, retryAfterMs: error.retryAfterMs}
  return {transient: isTransientNetworkError(error)}
}
