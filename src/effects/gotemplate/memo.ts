/**
 * The engine's answers remembered for the process (bounded): the same template strings with the same parameter set,
 * the same YAML text, the same path give the same answer, so `gitops diff` — which expands each ApplicationSet once
 * per revision and the head twice — sends the engine only what a revision changed. Every answer is a pure function of
 * its request (Argo CD's template functions that read the clock or chance, `now` and `rand*`, then answer alike for
 * both revisions of one diff, as they would in one reconciliation).
 */
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

/** One parameter set's answer to one request's templates. */
interface SetAnswer {
  results: string[]
  failures: Array<{template: number; message: string}>
}

/** `engine` with its render, yaml and paths answers remembered. */
export function memoized(engine: TemplateEngine): TemplateEngine {
  const renders = new Memo<SetAnswer>()
  const yamls = new Memo<YamlValue>()
  const paths = new Memo<{dir: string; base: string; normalized: string}>()
  return {
    ...engine,
    render: (request) => render(engine, renders, request),
    yaml(texts) {
      const missing = [...new Set(texts.filter((t) => yamls.get(t) === undefined))]
      engine.yaml(missing).forEach((answer, i) => yamls.set(missing[i], answer))
      return texts.map((t) => {
        const answer = yamls.get(t)!
        return 'value' in answer ? {value: structuredClone(answer.value)} : {...answer}
      })
    },
    paths(list) {
      const missing = [...new Set(list.filter((p) => paths.get(p) === undefined))]
      engine.paths(missing).forEach((answer, i) => paths.set(missing[i], answer))
      return list.map((p) => ({...paths.get(p)!}))
    },
  }
}

/** The render of the sets not remembered, sent in one call; the answer assembled in the request's order of sets. */
function render(engine: TemplateEngine, memo: Memo<SetAnswer>, request: RenderRequest): RenderResult {
  if (request.templates.length === 0 || request.params.length === 0) return engine.render(request)
  const shape = JSON.stringify([request.goTemplate, request.options, request.templates])
  const keys = request.params.map((p) => `${shape}\0${JSON.stringify(p)}`)
  const known = new Map<string, SetAnswer>()
  const missing = new Map<string, Params>()
  keys.forEach((k, i) => {
    const remembered = memo.get(k)
    if (remembered) known.set(k, remembered)
    else if (!missing.has(k)) missing.set(k, request.params[i])
  })
  if (missing.size > 0) {
    const asked = [...missing.keys()]
    const answer = engine.render({...request, params: [...missing.values()]})
    const sets: SetAnswer[] = asked.map((_, set) => ({results: answer.results[set] ?? [], failures: []}))
    for (const f of answer.failures) sets[f.set].failures.push({template: f.template, message: f.message})
    sets.forEach((s, i) => {
      known.set(asked[i], s)
      memo.set(asked[i], s)
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
