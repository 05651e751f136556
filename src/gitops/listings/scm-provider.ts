/**
 * An SCM provider's API for the ApplicationSet `scmProvider` generators (`--scm-provider <provider>`): the provider's
 * asker (./scm-<provider>.ts) answers the questions the expansion records, at the run's API URL with the run's token.
 * Nothing else is ever asked: a generator whose API names another host is not rendered (applicationset/scm-providers).
 *
 * The expansion is synchronous, so the answers are read in rounds: each expansion records what it asked and was not
 * answered yet (`pending`), `settled` asks the API for all of it and expands again, until nothing new is asked. One
 * answer per question for the whole run (both revisions of a diff share it). Bounded: at most `maxRequests` requests
 * (every page counts) and `maxPages` pages per listing; past either the question's answer is an error, and the
 * generators that asked it fail (render-failed) — never a partial list. No token: every answer is that error.
 */
import {redact} from '../../core/secrets.js'
import type {ScmAnswer, ScmProviderApi, ScmQuestion} from '../deployables/index.js'

export const MAX_REQUESTS = 1000
export const MAX_PAGES = 30
/** Expansions per run at most: a matrix of two scmProvider generators asks in six rounds. */
const MAX_ROUNDS = 10
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

/**
 * Runs the synchronous expansion until it asks nothing the API has not answered (at most MAX_ROUNDS times); what is
 * still unanswered then stays not rendered, named.
 */
export async function settled<T>(scm: ScmProviderApi | undefined, expand: () => T): Promise<T> {
  for (let round = 1; ; round++) {
    const out = expand()
    if (!(scm instanceof ScmListing) || scm.pending === 0 || round >= MAX_ROUNDS) return out
    await scm.answerPending()
  }
}

/** The providers `--scm-provider` names, each its listing's maker. */
const PROVIDERS: Record<string, () => Promise<ScmListingMaker>> = {
  github: async () => (await import('./scm-github.js')).githubListing,
  gitea: async () => (await import('./scm-gitea.js')).giteaListing,
  bitbucketServer: async () => (await import('./scm-bitbucket-server.js')).bitbucketServerListing,
}
export const SCM_PROVIDERS = Object.keys(PROVIDERS)

export type ScmListingMaker = (
  apiUrlFlag: string | undefined,
  env: NodeJS.ProcessEnv,
  bounds: Pick<ScmListingOptions, 'maxRequests' | 'maxPages'>,
) => Promise<ScmListing>

/** `--scm-provider <provider>`: the API URL checked (exit 2 INVALID_API_URL), the token found; undefined without it. */
export async function scmOfFlag(
  provider: string | undefined,
  apiUrlFlag: string | undefined,
  env: NodeJS.ProcessEnv,
  bounds: Pick<ScmListingOptions, 'maxRequests' | 'maxPages'> = {},
): Promise<ScmListing | undefined> {
  const maker = provider === undefined ? undefined : PROVIDERS[provider]
  return maker === undefined ? undefined : (await maker())(apiUrlFlag, env, bounds)
}
