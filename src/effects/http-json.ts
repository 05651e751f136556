/**
 * One JSON GET to a service's REST API (Argo CD, an SCM provider): bounded by a timeout, retried on 429/5xx and
 * network failures with `core/retry.ts`, the body read as JSON (null when it is not). What kept failing is an
 * `HttpUnavailable` naming the URL and the last failure; every other answer is returned with its status, for the
 * caller to read as its service words it. Headers are the caller's (its token among them, registered as a secret).
 */
import {DEFAULT_RETRY_POLICY, RetryBudgetExhausted, type RetryPolicy, withRetry} from '../core/retry.js'
import {redact} from '../core/secrets.js'
import {classifyHttpError, TransientHttpStatus} from './network-errors.js'

export interface JsonGetOptions {
  headers: Record<string, string>
  retryPolicy?: RetryPolicy
  /** Per request, ms. Default 15 s. */
  timeoutMs?: number
  /** Injectable for tests; default the global fetch. */
  fetch?: typeof fetch
  /** Called once per HTTP request sent (every retry counts). */
  onRequest?: () => void
  /** A POST's body (an AWS JSON protocol's request); default a GET. */
  body?: string
}

/** What a client passes on to each of its requests: the retries, the timeout, the fetch, the request count. */
export type JsonTransport = Pick<JsonGetOptions, 'retryPolicy' | 'timeoutMs' | 'fetch' | 'onRequest'>

/** The transport a client was given, only what is set (nothing passed on as undefined). */
export function transportOf(options: JsonTransport): JsonTransport {
  return {
    ...(options.onRequest ? {onRequest: options.onRequest} : {}),
    ...(options.retryPolicy ? {retryPolicy: options.retryPolicy} : {}),
    ...(options.timeoutMs ? {timeoutMs: options.timeoutMs} : {}),
    ...(options.fetch ? {fetch: options.fetch} : {}),
  }
}

export interface JsonAnswer {
  status: number
  /** The reason phrase of the status line (`Unauthorized`), as the server sent it. */
  statusText: string
  body: unknown
  /** The body as sent, for a service whose errors are not always JSON. */
  text: string
  headers: Headers
}

export class HttpUnavailable extends Error {
  constructor(message: string) {
    super(redact(message))
    this.name = 'HttpUnavailable'
  }
}

export async function getJson(url: string, options: JsonGetOptions): Promise<JsonAnswer> {
  const doFetch = options.fetch ?? fetch
  try {
    return await withRetry(
      async () => {
        options.onRequest?.()
        const res = await doFetch(url, {
          method: options.body === undefined ? 'GET' : 'POST',
          ...(options.body === undefined ? {} : {body: options.body}),
          headers: {Accept: 'application/json', ...options.headers},
          signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
        })
        if (res.status === 429 || res.status >= 500) {
          await res.arrayBuffer().catch(() => undefined)
          throw new TransientHttpStatus(res.status, res.headers.get('retry-after'))
        }
        const text = await res.text()
        let body: unknown = null
        try {
          body = text ? JSON.parse(text) : null
        } catch {
          body = null
        }
        return {status: res.status, statusText: res.statusText, body, text, headers: res.headers}
      },
      classifyHttpError,
      options.retryPolicy ?? DEFAULT_RETRY_POLICY,
    )
  } catch (error) {
    const last = error instanceof RetryBudgetExhausted ? error.lastError : error
    const what = last instanceof TransientHttpStatus ? last.message : describe(last)
    const attempts = error instanceof RetryBudgetExhausted ? ` (gave up after ${error.attempts} attempts)` : ''
    throw new HttpUnavailable(`${options.body === undefined ? 'GET' : 'POST'} ${url}: ${what}${attempts}`)
  }
}

function describe(error: unknown): string {
  const e = error as {message?: string; cause?: {code?: string; message?: string}}
  return [e?.message, e?.cause?.code ?? e?.cause?.message].filter(Boolean).join(': ')
}
