/**
 * GitHub's API for the ApplicationSet `scmProvider.github` generator (`--scm-provider github`): the API URL of
 * ameide's other GitHub commands (--api-url, else GITHUB_API_URL, else api.github.com) and their token (GH_TOKEN,
 * GITHUB_TOKEN, `gh auth token`, registered as a secret). Nothing else is ever asked: a generator whose `github.api`
 * names another host is not rendered (applicationset/scm-provider.ts).
 *
 * The expansion is synchronous, so the answers are read in rounds: each expansion records what it asked and was not
 * answered yet (`pending`), `settled` asks GitHub for all of it and expands again, until nothing new is asked. One
 * answer per question for the whole run (both revisions of a diff share it). Bounded: at most `maxRequests` requests
 * (every page counts) and `maxPages` pages per listing; past either the question's answer is an error, and the
 * generators that asked it fail (render-failed) — never a partial list. No token: every answer is that error.
 */
import {retryPolicyWithTimings, testTimings} from '../../core/test-timings.js'
import {DEFAULT_RETRY_POLICY} from '../../core/retry.js'
import {redact} from '../../core/secrets.js'
import type {GitHubClient, ListedRepository, Page} from '../../effects/github/index.js'
import type {ScmAnswer, ScmBranch, ScmProviderApi, ScmRepository} from '../deployables/index.js'

export const MAX_REQUESTS = 1000
export const MAX_PAGES = 30
/** Expansions per run at most: a matrix of two scmProvider generators asks in six rounds. */
const MAX_ROUNDS = 10
const CONCURRENCY = 4

type Question =
  | {kind: 'repositories'; org: string}
  | {kind: 'branches'; owner: string; repo: string; branch: string | null}
  | {kind: 'path'; owner: string; repo: string; branch: string; path: string}

export interface GitHubScmOptions {
  apiUrl: string
  /** Undefined: no client (no token); every answer is `unreadable`. */
  client?: GitHubClient
  unreadable?: string
  maxRequests?: number
  maxPages?: number
}

export class GitHubScm implements ScmProviderApi {
  readonly apiUrl: string
  /** HTTP requests sent (every page). */
  requests = 0
  private readonly answers = new Map<string, ScmAnswer<unknown>>()
  private readonly asked = new Map<string, Question>()

  constructor(private readonly options: GitHubScmOptions) {
    this.apiUrl = options.apiUrl
  }

  repositories(org: string) {
    return this.lookup<ScmRepository[]>({kind: 'repositories', org})
  }

  branches(owner: string, repo: string, branch: string | null) {
    return this.lookup<ScmBranch[]>({kind: 'branches', owner, repo, branch})
  }

  hasPath(owner: string, repo: string, branch: string, path: string) {
    return this.lookup<boolean>({kind: 'path', owner, repo, branch, path})
  }

  /** Questions asked since the last `answerPending`. */
  get pending(): number {
    return this.asked.size
  }

  /** Asks GitHub every pending question (a few at a time), each answered once. */
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

  private lookup<T>(q: Question): ScmAnswer<T> | undefined {
    const key = JSON.stringify(q)
    const a = this.answers.get(key)
    if (a === undefined) this.asked.set(key, q)
    return a as ScmAnswer<T> | undefined
  }

  private async ask(q: Question): Promise<ScmAnswer<unknown>> {
    const client = this.options.client
    if (!client) return {error: this.options.unreadable ?? 'no GitHub client'}
    try {
      switch (q.kind) {
        case 'repositories':
          return {value: (await this.pages((p) => client.listOrgRepositories(q.org, p))).map(repository)}
        case 'branches': {
          const ref = {owner: q.owner, repo: q.repo}
          if (q.branch === null) return {value: await this.pages((p) => client.listBranches(ref, p))}
          this.spend()
          const one = await client.getBranch(ref, q.branch)
          return {value: one ? [one] : []}
        }
        default:
          this.spend()
          return {value: await client.pathExists({owner: q.owner, repo: q.repo}, q.path, q.branch)}
      }
    } catch (error) {
      return {error: redact((error as Error).message ?? String(error))}
    }
  }

  /** Every page of a listing, each a request; more than maxPages fails the listing. */
  private async pages<T>(get: (page: number) => Promise<Page<T>>): Promise<T[]> {
    const out: T[] = []
    const maxPages = this.options.maxPages ?? MAX_PAGES
    for (let page: number | undefined = 1, n = 0; page !== undefined; n++) {
      if (n >= maxPages) throw new Error(`the listing has more than ${maxPages} pages of 100: not read whole`)
      this.spend()
      const got = await get(page)
      out.push(...got.items)
      page = got.next
    }
    return out
  }

  private spend(): void {
    const max = this.options.maxRequests ?? MAX_REQUESTS
    if (this.requests >= max) throw new Error(`this run's budget of ${max} GitHub API requests is spent: not asked`)
    this.requests++
  }
}

function repository(r: ListedRepository): ScmRepository {
  return {...r, topics: [...r.topics]}
}

/**
 * Runs the synchronous expansion until it asks nothing GitHub has not answered (at most MAX_ROUNDS times); what is
 * still unanswered then stays not rendered, named.
 */
export async function settled<T>(scm: ScmProviderApi | undefined, expand: () => T): Promise<T> {
  for (let round = 1; ; round++) {
    const out = expand()
    if (!(scm instanceof GitHubScm) || scm.pending === 0 || round >= MAX_ROUNDS) return out
    await scm.answerPending()
  }
}

/** `--scm-provider github`: the API URL checked (exit 2 INVALID_API_URL), the token found; undefined without it. */
export async function scmOfFlag(
  provider: string | undefined,
  apiUrlFlag: string | undefined,
  env: NodeJS.ProcessEnv,
  bounds: Pick<GitHubScmOptions, 'maxRequests' | 'maxPages'> = {},
): Promise<GitHubScm | undefined> {
  if (provider !== 'github') return undefined
  const [{resolveApiUrl}, {findToken}, {createGitHubClient}] = await Promise.all([
    import('../../effects/github/target.js'),
    import('../../effects/github/token.js'),
    import('../../effects/github/client.js'),
  ])
  const apiUrl = resolveApiUrl(apiUrlFlag, env)
  const found = await findToken(env, apiUrl)
  if (!found)
    return new GitHubScm({
      apiUrl,
      unreadable: `no GitHub token (GH_TOKEN, GITHUB_TOKEN, gh auth token): ${apiUrl} was not asked`,
    })
  const timings = testTimings(env)
  const policy = retryPolicyWithTimings(DEFAULT_RETRY_POLICY, timings)
  const client = await createGitHubClient({
    token: found.token,
    baseUrl: apiUrl,
    transport: {
      ...(timings.retryAttempts !== undefined ? {serverErrorRetries: policy.attempts - 1} : {}),
      ...(timings.retryDelayMs !== undefined ? {retryBaseMs: timings.retryDelayMs} : {}),
    },
  })
  return new GitHubScm({apiUrl, client, ...bounds})
}
