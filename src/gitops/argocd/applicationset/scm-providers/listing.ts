/**
 * The answers of one SCM provider's API for the `scmProvider` generators, read in rounds (./scm-provider.ts
 * `settled`): each expansion records what it asked and was not answered yet (`pending`), `answerPending` asks the API
 * for all of it (four at a time). One answer per question for the whole run. Bounded: at most `maxRequests` requests
 * (every page counts) and `maxPages` pages per listing; past either the question's answer is an error, and the
 * generators that asked it fail (render-failed) — never a partial list. No token: every answer is that error.
 */
import {httpApiUrl} from '../../../../core/api-url-flag.js'
import {usageError} from '../../../../core/errors.js'
import {DEFAULT_RETRY_POLICY, type RetryPolicy} from '../../../../core/retry.js'
import {redact, registerSecret} from '../../../../core/secrets.js'
import {retryPolicyWithTimings, testTimings} from '../../../../core/test-timings.js'
import type {ScmAnswer, ScmProviderApi, ScmQuestion} from '../../../deployables/index.js'

export const MAX_REQUESTS = 1000
export const MAX_PAGES = 30
const CONCURRENCY = 4

/** What an asker spends a request through, and reads every page of a listing with. */
export interface ScmBudget {
  /** Counts one request; throws when the run's budget is spent. */
  spend(): void
  /** Every page of a listing (`get(page)` answers the page's items and the next page's number), each a request. */
  pages<T>(get: (page: number) => Promise<{items: T[]; next: number | undefined}>): Promise<T[]>
}

/** One provider's answers to its questions, over HTTP. */
export type ScmAsker = (question: ScmQuestion, budget: ScmBudget) => Promise<unknown>

export interface ScmListingOptions {
  provider: string
  /** The provider's name in messages (`GitHub`); default `provider`. */
  label?: string
  apiUrl: string
  /** Undefined: no client (no token); every answer is `unreadable`. */
  ask?: ScmAsker
  unreadable?: string
  maxRequests?: number
  maxPages?: number
}

export class ScmListing implements ScmProviderApi, ScmBudget {
  readonly provider: string
  readonly apiUrl: string
  /** HTTP requests sent (every page). */
  requests = 0
  private readonly answers = new Map<string, ScmAnswer<unknown>>()
  private readonly asked = new Map<string, ScmQuestion>()

  constructor(private readonly options: ScmListingOptions) {
    this.provider = options.provider
    this.apiUrl = options.apiUrl
  }

  answer<T>(question: ScmQuestion): ScmAnswer<T> | undefined {
    const key = JSON.stringify(question)
    const a = this.answers.get(key)
    if (a === undefined) this.asked.set(key, question)
    return a as ScmAnswer<T> | undefined
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
      for (let next = queue.shift(); next; next = queue.shift()) {
        const [key, q] = next
        this.answers.set(key, await this.ask(q))
      }
    }
    await Promise.all(Array.from({length: CONCURRENCY}, worker))
  }

  private async ask(q: ScmQuestion): Promise<ScmAnswer<unknown>> {
    const ask = this.options.ask
    if (!ask) return {error: this.options.unreadable ?? `no ${this.options.label ?? this.provider} client`}
    try {
      return {value: await ask(q, this)}
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

export type ScmListingMaker = (
  apiUrlFlag: string | undefined,
  env: NodeJS.ProcessEnv,
  bounds: Pick<ScmListingOptions, 'maxRequests' | 'maxPages'>,
) => Promise<ScmListing>

/**
 * A provider's listing over one token variable (registered as a secret): without it every answer is that the API
 * was not asked; with it, `ask` made with the token and the run's retry policy.
 */
export function tokenListing(
  listing: Pick<ScmListingOptions, 'provider' | 'label' | 'apiUrl'>,
  env: NodeJS.ProcessEnv,
  variable: string,
  bounds: Pick<ScmListingOptions, 'maxRequests' | 'maxPages'>,
  ask: (token: string, retryPolicy: RetryPolicy) => ScmAsker,
): ScmListing {
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
