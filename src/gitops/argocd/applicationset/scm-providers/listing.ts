/**
 * The answers of one SCM provider's API for the `scmProvider` generators, read in rounds (`settled`): each expansion
 * records what it asked and was not answered yet (`pending`), `answerPending` asks the API for all of it (four at a
 * time), each question by its kind's answerer (<provider>/listing.ts). One answer per question for the whole run. Bounded: at most `maxRequests` requests
 * (every page counts) and `maxPages` pages per listing; past either the question's answer is an error, and the
 * generators that asked it fail (render-failed) — never a partial list. No token: every answer is that error.
 */
import {httpApiUrl} from '../../../../core/api-url-flag.js'
import {usageError} from '../../../../core/errors.js'
import {DEFAULT_RETRY_POLICY, type RetryPolicy} from '../../../../core/retry.js'
import {redact, registerSecret} from '../../../../core/secrets.js'
import {retryPolicyWithTimings, testTimings} from '../../../../core/test-timings.js'
import type {Answer, Answerers, Protocol, Question, ScmAnswer, ScmApi, ScmBudget} from './protocol.js'
import type {ScmProviderApi} from '../../../model/types.js'

export const MAX_REQUESTS = 1000
export const MAX_PAGES = 30
const CONCURRENCY = 4
/** Expansions per run at most: a matrix of two scmProvider generators asks in six rounds. */
const MAX_ROUNDS = 10

/**
 * The expansion is synchronous, so the answers are read in rounds: it runs until it asks nothing the API has not
 * answered (at most MAX_ROUNDS times), the listing asking the API between runs for all it asked; what is still
 * unanswered then stays not rendered, named. Both revisions of a diff share the answers.
 */
export async function settled<T>(scm: ScmProviderApi | undefined, expand: () => T): Promise<T> {
  for (let round = 1; ; round++) {
    const out = expand()
    if (!(scm instanceof ScmListing) || scm.pending === 0 || round >= MAX_ROUNDS) return out
    await scm.answerPending()
  }
}

/** The run's API as `--scm-provider` makes it, whatever the provider: asked between the expansion's rounds. */
export interface ScmRun extends ScmProviderApi {
  /** Questions asked since the last `answerPending`. */
  readonly pending: number
  /** HTTP requests sent (every page). */
  readonly requests: number
  answerPending(): Promise<void>
}

/** The bounds of one run's listing. */
export type ScmBounds = Pick<ScmListingOptions<Protocol>, 'maxRequests' | 'maxPages'>

export interface ScmListingOptions<P extends Protocol> {
  provider: string
  /** The provider's name in messages (`GitHub`); default `provider`. */
  label?: string
  apiUrl: string
  /** Undefined: no client (no token); every answer is `unreadable`. */
  ask?: Answerers<P>
  unreadable?: string
  maxRequests?: number
  maxPages?: number
}

/** One answer per question: the answers of one kind, by the question's JSON. */
type AnswersByKind<P extends Protocol> = {[K in keyof P & string]?: Map<string, ScmAnswer<Answer<P, K>>>}

export class ScmListing<P extends Protocol = Protocol> implements ScmApi<P>, ScmRun, ScmBudget {
  readonly provider: string
  readonly apiUrl: string
  /** HTTP requests sent (every page). */
  requests = 0
  private readonly answers: AnswersByKind<P> = {}
  private readonly asked = new Map<string, Question<P>>()

  constructor(private readonly options: ScmListingOptions<P>) {
    this.provider = options.provider
    this.apiUrl = options.apiUrl
  }

  answer<K extends keyof P & string>(question: Question<P, K>): ScmAnswer<Answer<P, K>> | undefined {
    const key = JSON.stringify(question)
    const a = this.answers[question.op]?.get(key)
    if (a === undefined) this.asked.set(key, question)
    return a
  }

  /** Questions asked since the last `answerPending`. */
  get pending(): number {
    return this.asked.size
  }

  /** Asks the API every pending question (a few at a time), each answered once. */
  async answerPending(): Promise<void> {
    const queue = [...this.asked.entries()]
    this.asked.clear()
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) await this.answerOne(next[0], next[1])
    }
    await Promise.all(Array.from({length: CONCURRENCY}, worker))
  }

  private async answerOne<K extends keyof P & string>(key: string, q: Question<P, K>): Promise<void> {
    const answers = this.answers[q.op] ?? new Map<string, ScmAnswer<Answer<P, K>>>()
    this.answers[q.op] = answers
    answers.set(key, await this.ask(q))
  }

  private async ask<K extends keyof P & string>(q: Question<P, K>): Promise<ScmAnswer<Answer<P, K>>> {
    const ask = this.options.ask
    if (!ask) return {error: this.options.unreadable ?? `no ${this.options.label ?? this.provider} client`}
    try {
      return {value: await ask[q.op](q, this)}
    } catch (error) {
      return {error: redact((error as Error).message ?? String(error))}
    }
  }

  async pages<T>(get: (page: number) => Promise<{items: T[]; next: number | undefined}>): Promise<T[]> {
    const out: T[] = []
    const maxPages = this.options.maxPages ?? MAX_PAGES
    for (let page: number | undefined = 1, n = 0; page !== undefined; n++) {
      if (n >= maxPages) throw new Error(`the listing has more than ${maxPages} pages: not read whole`)
      this.spend()
      const got = await get(page)
      out.push(...got.items)
      page = got.next
    }
    return out
  }

  spend(): void {
    const max = this.options.maxRequests ?? MAX_REQUESTS
    if (this.requests >= max)
      throw new Error(
        `this run's budget of ${max} ${this.options.label ?? this.provider} API requests is spent: not asked`,
      )
    this.requests++
  }
}

/** A provider's listing from `--api-url` and the environment (its token), within the run's bounds. */
export type ScmListingMaker<P extends Protocol> = (
  apiUrlFlag: string | undefined,
  env: NodeJS.ProcessEnv,
  bounds: ScmBounds,
) => Promise<ScmListing<P>>

/**
 * A provider's listing over one token variable (registered as a secret): without it every answer is that the API
 * was not asked; with it, `ask` made with the token and the run's retry policy.
 */
export function tokenListing<P extends Protocol>(
  listing: Pick<ScmListingOptions<P>, 'provider' | 'label' | 'apiUrl'>,
  env: NodeJS.ProcessEnv,
  variable: string,
  bounds: ScmBounds,
  ask: (token: string, retryPolicy: RetryPolicy) => Answerers<P>,
): ScmListing<P> {
  const token = env[variable] ?? ''
  const label = listing.label ?? listing.provider
  if (token === '')
    return new ScmListing({...listing, unreadable: `no ${label} token (${variable}): ${listing.apiUrl} was not asked`})
  registerSecret(token)
  return new ScmListing({
    ...listing,
    ask: ask(token, retryPolicyWithTimings(DEFAULT_RETRY_POLICY, testTimings(env))),
    ...bounds,
  })
}

/** `--api-url` of a provider with no default API: exit 2 INVALID_API_URL without it, or when it is no http(s) URL. */
export function requiredApiUrl(flag: string | undefined, provider: string, label: string, example: string): string {
  if (!flag)
    throw usageError('INVALID_API_URL', `--scm-provider ${provider} needs --api-url: ${label} has no default API.`, [
      `e.g. --api-url ${example} (the URL the generators name in ${provider}.api).`,
    ])
  return httpApiUrl(flag, '--api-url', example)
}
