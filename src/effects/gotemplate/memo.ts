/**
 * The engine's answers remembered for the process (bounded): the same template strings with the same parameter set,
 * the same YAML text, the same path give the same answer, so `gitops diff` — which expands each ApplicationSet once
 * per revision — sends the engine only what a revision changed. Every answer is a pure function of its request
 * (Argo CD's template functions that read the clock or chance, `now` and `rand*`, then answer alike for both revisions
 * of one diff, as they would in one reconciliation).
 *
 * A run may also keep them between runs (./answers.ts: {@link AnswerStore}s attached while it runs): an answer not
 * remembered is looked up there first, and every answer used is recorded there. Renders whose templates name a
 * function of the clock or of chance are never kept so. The engine itself is opened at the first answer nobody
 * remembers: a warm run never starts its threads.
 */
import {createHash} from 'node:crypto'

import type {Params, RenderRequest, RenderResult, TemplateEngine, YamlValue} from './types.js'

/** Entries kept per kind of answer; past it the kind starts again empty (a long-lived `ameide mcp`). */
const LIMIT = 100_000

class Memo<T> {
  private readonly entries = new Map<string, T>()
  get(key: string): T | undefined {
    return this.entries.get(key)
  }
  set(key: string, value: T): void {
    if (this.entries.size >= LIMIT) this.entries.clear()
    this.entries.set(key, value)
  }
}

/** Answers kept between runs, by the hash of their kind and request; what a run used is what it keeps. */
export interface AnswerStore {
  /** How many answers it held when opened. */
  readonly known: number
  get(id: string): unknown
  /** Records an answer the run used (found here, remembered, or the engine's). */
  use(id: string, value: unknown): void
}

const stores = new Set<AnswerStore>()

/** Attaches `store` to every remembered engine of the process until the returned function detaches it. */
export function attachAnswers(store: AnswerStore): () => void {
  stores.add(store)
  return () => stores.delete(store)
}

/** Whether an attached store holds answers: then the engine is opened only when one is missing. */
export const answersKnown = (): boolean => [...stores].some((s) => s.known > 0)

/**
 * Sprig's and Go's template functions whose answer is not a function of the request (the clock, chance, a random
 * salt or key): a render naming one is not kept between runs. Over-matching only loses a cached answer.
 */
const UNSTABLE =
  /\b(?:now|ago|date\w*|\w*Date\w*|unixEpoch|duration\w*|rand\w*|uuid\w*|gen\w+|shuffle|bcrypt|htpasswd|encrypt\w*|\w*Epoch)\b/

/** Whether a text names a function of the clock or of chance (its renders are not kept between runs). */
export const namesUnstable = (text: string): boolean => UNSTABLE.test(text)

/** One parameter set's answer to one request's templates. */
interface SetAnswer {
  results: string[]
  failures: Array<{template: number; message: string}>
}

type PathAnswer = {dir: string; base: string; normalized: string}

/** One kind of answer: remembered here, else in an attached store (when `kept`), else undefined. */
function recall<T>(memo: Memo<T>, kind: string, key: string, kept: boolean): T | undefined {
  const remembered = memo.get(key)
  if (remembered !== undefined || !kept || stores.size === 0) {
    if (remembered !== undefined && kept) record(kind, key, remembered)
    return remembered
  }
  const id = idOf(kind, key)
  for (const store of stores) {
    const found = store.get(id) as T | undefined
    if (found === undefined) continue
    memo.set(key, found)
    for (const s of stores) s.use(id, found)
    return found
  }
  return undefined
}

/** Remembers an answer, and records it in every attached store (when `kept`). */
function remember<T>(memo: Memo<T>, kind: string, key: string, value: T, kept: boolean): void {
  memo.set(key, value)
  if (kept) record(kind, key, value)
}

function record(kind: string, key: string, value: unknown): void {
  if (stores.size === 0) return
  const id = idOf(kind, key)
  for (const s of stores) s.use(id, value)
}

const idOf = (kind: string, key: string) => createHash('sha256').update(`${kind}\0${key}`).digest('base64url')

/** The answers to `keys` from `memo`, the engine asked (`ask`) once for those neither it nor the store holds. */
function answers<T>(memo: Memo<T>, kind: string, keys: readonly string[], ask: (missing: string[]) => T[]): T[] {
  const missing = [...new Set(keys.filter((k) => recall(memo, kind, k, true) === undefined))]
  if (missing.length > 0) ask(missing).forEach((answer, i) => remember(memo, kind, missing[i], answer, true))
  return keys.map((k) => memo.get(k)!)
}

/** `engine` (or the engine `open` gives, opened at its first answer not remembered) with its answers remembered. */
export function memoized(engine: TemplateEngine | (() => TemplateEngine)): TemplateEngine {
  let opened = typeof engine === 'function' ? undefined : engine
  const real = () => (opened ??= (engine as () => TemplateEngine)())
  const renders = new Memo<SetAnswer>()
  const yamls = new Memo<YamlValue>()
  const paths = new Memo<PathAnswer>()
  return {
    render: (request) => render(real, renders, request),
    yaml: (texts) =>
      answers(yamls, 'yaml', texts, (missing) => real().yaml(missing)).map((answer) =>
        'value' in answer ? {value: structuredClone(answer.value)} : {...answer},
      ),
    paths: (list) => answers(paths, 'paths', list, (missing) => real().paths(missing)).map((answer) => ({...answer})),
    sanitize: (names) => real().sanitize(names),
    sprint: (values) => real().sprint(values),
    slug: (names) => real().slug(names),
    match: (pairs) => real().match(pairs),
  }
}

/** The render of the sets not remembered, sent in one call; the answer assembled in the request's order of sets. */
function render(real: () => TemplateEngine, memo: Memo<SetAnswer>, request: RenderRequest): RenderResult {
  if (request.templates.length === 0 || request.params.length === 0) return real().render(request)
  const shape = JSON.stringify([request.goTemplate, request.options, request.templates])
  const kept = !request.templates.some((t) => UNSTABLE.test(t))
  const keys = request.params.map((p) => `${shape}\0${JSON.stringify(p)}`)
  const known = new Map<string, SetAnswer>()
  const missing = new Map<string, Params>()
  keys.forEach((k, i) => {
    if (known.has(k) || missing.has(k)) return
    const remembered = recall(memo, 'render', k, kept)
    if (remembered) known.set(k, remembered)
    else missing.set(k, request.params[i])
  })
  if (missing.size > 0) {
    const asked = [...missing.keys()]
    const answer = real().render({...request, params: [...missing.values()]})
    const sets: SetAnswer[] = asked.map((_, set) => ({results: answer.results[set] ?? [], failures: []}))
    for (const f of answer.failures) sets[f.set].failures.push({template: f.template, message: f.message})
    sets.forEach((s, i) => {
      known.set(asked[i], s)
      remember(memo, 'render', asked[i], s, kept)
    })
  }
  const out: RenderResult = {results: [], failures: []}
  keys.forEach((k, set) => {
    const s = known.get(k)!
    out.results.push(s.results)
    out.failures.push(...s.failures.map((f) => ({set, ...f})))
  })
  return out
}
