/**
 * What every SCM provider gives Argo CD's `scmProvider` generator (applicationset/services/scm_provider/types.go
 * SCMProviderService), over the run's API (ScmProviderApi): each provider's module builds one from its part of the
 * generator's spec. The expansion is synchronous: a question not answered yet throws ScmPending (the caller asks
 * the API and expands again), a failure the generator's GenerationError.
 */
import type {ScmRepository} from '../../../model/types.js'
import {GenerationError, NotEvaluable, ScmPending, type Path} from '../errors.js'
import type {JsonObject} from '../merge.js'
import type {Answer, Protocol, Question, ScmApi} from './protocol.js'

export interface ScmService {
  /** ListRepos: every repository at its default branch (no sha yet), its URL by the clone protocol. */
  listRepos(cloneProtocol: string): ScmRepository[]
  /** GetBranches: the repository at each of its branches (allBranches), else at its default branch. */
  getBranches(repo: ScmRepository): ScmRepository[]
  /** RepoHasPath: whether the path exists on the repository's branch. */
  repoHasPath(repo: ScmRepository, path: string): boolean
}

/** What a provider's service asks through: its API, whose questions are the provider's protocol P. */
export class ScmServiceContext<P extends Protocol> {
  constructor(
    readonly api: ScmApi<P>,
    /** The generator's path (`…scmProvider`). */
    readonly path: Path,
  ) {}

  /** The answer's value; a failure as the generator's error (`wrap` adds the provider's own words); else pending. */
  ask<K extends keyof P & string>(question: Question<P, K>, wrap: (error: string) => string = (e) => e): Answer<P, K> {
    const a = this.api.answer(question)
    if (a === undefined) throw new ScmPending(this.path)
    if ('error' in a) throw this.fail(wrap(a.error))
    return a.value
  }

  /** The generator's failure, as Argo CD words it: `error listing repos: …`. */
  fail(message: string): GenerationError {
    return listingFailure(message, this.path)
  }

  /** The provider's API as written must be the run's: a host only the revision names is never asked. */
  notThisApi(provider: string, asked: string): NotEvaluable {
    return new NotEvaluable(
      'scmProvider',
      `${provider}.api asks ${asked}, not this run's API ${this.api.apiUrl} (--api-url): a host only the revision names is never asked`,
      this.path,
    )
  }
}

/** The generator's failure at `path`, as Argo CD words it: `error listing repos: …`. */
export function listingFailure(message: string, path: Path): GenerationError {
  return new GenerationError(`error listing repos: ${message}`, path)
}

/** A provider's service, built from its part of the generator's spec. */
export type ScmServiceFactory<P extends Protocol> = (config: JsonObject, ctx: ScmServiceContext<P>) => ScmService

/**
 * `each` over the items in order, every unanswered question of the round asked together: a failure is thrown only
 * when nothing before it is still pending (Argo CD stops at the first failure in this order).
 */
export function gathered<T, R>(items: readonly T[], each: (item: T) => R): R[] {
  const out: R[] = []
  let pending: ScmPending | undefined
  for (const item of items) {
    try {
      const r = each(item)
      if (pending === undefined) out.push(r)
    } catch (error) {
      if (error instanceof ScmPending) pending ??= error
      else if (pending === undefined) throw error
    }
  }
  if (pending) throw pending
  return out
}
