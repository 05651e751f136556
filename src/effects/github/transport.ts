/**
 * The one transport every GitHub verb goes through: @octokit/rest with the retry and throttling plugins (imported
 * lazily), and `call`, the wrapper that turns every failure into a GitHubApiError and waits out a bare
 * 429/Retry-After the throttling plugin does not recognise. Verb groups (actions.ts, git-data.ts, …) get a
 * `GitHubTransport` and never touch octokit's errors themselves.
 */
import {randomUUID} from 'node:crypto'
import {setTimeout as sleep} from 'node:timers/promises'

import type {Octokit} from '@octokit/rest'

import {toGitHubApiError} from './errors.js'

/** Transport knobs. Defaults suit real use; tests pass millisecond delays. */
export interface GitHubTransportOptions {
  /** Retries after a 5xx or a network failure (the plugin waits (n+1)² × retryBaseMs). */
  serverErrorRetries: number
  retryBaseMs: number
  /** Retries after a rate-limit response; each waits as GitHub says (Retry-After or X-RateLimit-Reset). */
  rateLimitRetries: number
  /** A rate-limit wait longer than this fails the call instead of waiting. */
  maxRateLimitWaitMs: number
  userAgent: string
}

export const DEFAULT_TRANSPORT: GitHubTransportOptions = {
  serverErrorRetries: 3,
  retryBaseMs: 1000,
  rateLimitRetries: 3,
  maxRateLimitWaitMs: 120_000,
  userAgent: 'ameide-cli',
}

/** What a verb group is built on: the octokit instance and the wrapper every request goes through. */
export interface GitHubTransport {
  octokit: Octokit
  /** Runs one request; failures become GitHubApiError (`operation` names it), a 429 with Retry-After is waited out. */
  call<T>(operation: string, fn: () => Promise<T>): Promise<T>
}

export async function createTransport(options: {
  token: string
  baseUrl: string
  transport?: Partial<GitHubTransportOptions>
  /** Cancels every request under way and every wait (a cancelled call): the request fails with the abort. */
  signal?: AbortSignal
}): Promise<GitHubTransport> {
  const transport = {...DEFAULT_TRANSPORT, ...options.transport}
  const [{Octokit}, {retry}, {throttling}] = await Promise.all([
    import('@octokit/rest'),
    import('@octokit/plugin-retry'),
    import('@octokit/plugin-throttling'),
  ])
  const Client = Octokit.plugin(retry, throttling)
  const quiet = {debug() {}, info() {}, warn() {}, error() {}}
  const onLimit = (retryAfterSeconds: number, _options: unknown, _octokit: unknown, retryCount: number) =>
    retryCount < transport.rateLimitRetries && retryAfterSeconds * 1000 <= transport.maxRateLimitWaitMs
  const octokit = new Client({
    auth: options.token,
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    userAgent: transport.userAgent,
    log: quiet,
    ...(options.signal ? {request: {signal: options.signal}} : {}),
    // 5xx and network failures: the retry plugin. 403/429 belong to the throttling plugin, which waits as told.
    retry: {
      retries: transport.serverErrorRetries,
      retryAfterBaseValue: transport.retryBaseMs,
      doNotRetry: [400, 401, 403, 404, 409, 410, 422, 429, 451],
    },
    // A client-own id: the plugin's limiters (1 s between writes, as GitHub asks) are per id, not shared process-wide.
    throttle: {
      id: `ameide-${randomUUID()}`,
      onRateLimit: onLimit,
      onSecondaryRateLimit: onLimit,
      retryAfterBaseValue: 1000,
    },
  }) as unknown as Octokit

  const call = async <T>(operation: string, fn: () => Promise<T>): Promise<T> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn()
      } catch (error) {
        const failure = toGitHubApiError(error, operation)
        // The throttling plugin only recognises GitHub's rate-limit markers; a bare 429 still says how long to wait.
        const wait = failure.status === 429 ? failure.retryAfterSeconds : undefined
        if (wait === undefined || attempt >= transport.rateLimitRetries || wait * 1000 > transport.maxRateLimitWaitMs)
          throw failure
        await sleep(wait * 1000, undefined, {signal: options.signal})
      }
    }
  }
  return {octokit, call}
}
