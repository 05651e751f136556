/**
 * The questions a provider's generator side (<provider>/service.ts) asks its listing (<provider>/listing.ts), typed:
 * a provider's protocol maps each question kind to its arguments and its answer. The service asks with `op` and the
 * arguments and reads the kind's answer type; the listing answers every kind (Answerers), so a kind without an
 * answerer, or an answerer of another type, does not compile.
 */

import type {ScmProviderApi} from '../../../model/types.js'

/** A question's arguments: plain values, so that the question (JSON) is its own key. */
type Arguments = Readonly<Record<string, string | number | boolean | null>>

/** One question kind: its arguments and its answer. */
export interface Asked<Args extends Arguments, Answer> {
  readonly args: Args
  readonly answer: Answer
}

/** A provider's questions, by kind (`{repositories: Asked<{org: string}, ListedRepository[]>, …}`). */
export type Protocol = Readonly<Record<string, Asked<Arguments, unknown>>>

/** One question of kind K: `op` and the kind's arguments. */
export type Question<P extends Protocol, K extends keyof P & string = keyof P & string> = {
  readonly op: K
} & P[K]['args']

/** The answer to a question of kind K. */
export type Answer<P extends Protocol, K extends keyof P & string> = P[K]['answer']

/** An answer as read: its value, or the API's failure (or the run's request budget spent). */
export type ScmAnswer<T> = {value: T} | {error: string}

/** What an answerer spends a request through, and reads every page of a listing with. */
export interface ScmBudget {
  /** Counts one request; throws when the run's budget is spent. */
  spend(): void
  /** Every page of a listing (`get(page)` answers the page's items and the next page's number), each a request. */
  pages<T>(get: (page: number) => Promise<{items: T[]; next: number | undefined}>): Promise<T[]>
}

/** An answerer of one request: the request counted, then asked. */
export const oneRequest =
  <Q, A>(ask: (q: Q) => Promise<A>) =>
  async (q: Q, budget: ScmBudget): Promise<A> => {
    budget.spend()
    return ask(q)
  }

/** A provider's listing: one answerer per question kind, over HTTP. */
export type Answerers<P extends Protocol> = {
  readonly [K in keyof P & string]: (question: Question<P, K>, budget: ScmBudget) => Promise<Answer<P, K>>
}

/**
 * A provider's API: the answer to one of its questions (every page of a listing), or undefined when not asked yet
 * (the question is recorded; the caller asks the API and expands again).
 */
export interface ScmApi<P extends Protocol> extends ScmProviderApi {
  answer<K extends keyof P & string>(question: Question<P, K>): ScmAnswer<Answer<P, K>> | undefined
}

/** The run's API is provider `id`'s, whose protocol is P (the registry pairs each id with its protocol). */
export function asksProvider<P extends Protocol>(api: ScmProviderApi, id: string): api is ScmApi<P> {
  return api.provider === id && 'answer' in api
}
