/**
 * The template engine's remembered answers (src/effects/gotemplate/memo.ts): the same as the engine's own for every
 * request — sets seen before, sets new, a set twice in one request, failures in their sets — and the engine asked
 * only for what it was not asked before; remembered values are copies (a caller's change does not reach the next).
 */
import {beforeAll, describe, expect, it} from 'vitest'

import {openTemplateEngine, type Params, type TemplateEngine} from '../../../src/effects/gotemplate/index.js'
import {attachAnswers, memoized, type AnswerStore} from '../../../src/effects/gotemplate/memo.js'

let engine: TemplateEngine
let asked: Params[][]
let memo: TemplateEngine

beforeAll(() => {
  engine = openTemplateEngine()
  asked = []
  memo = memoized({
    ...engine,
    render(request) {
      asked.push([...request.params])
      return engine.render(request)
    },
  })
})

const templates = ['{{ .name }}-{{ .env }}', '{{ .missing.key }}', 'plain {{ upper .name }}']
const request = (params: Params[]) => ({goTemplate: true, options: ['missingkey=error'], templates, params})

describe('the engine remembered', () => {
  it('answers as the engine, failures in their sets, and asks it only for sets it has not seen', () => {
    const first = [
      {name: 'a', env: 'dev'},
      {name: 'b', env: 'dev', missing: {key: 'k'}},
    ]
    const second = [{name: 'c', env: 'prod'}, ...first, {name: 'c', env: 'prod'}]
    expect(memo.render(request(first))).toEqual(engine.render(request(first)))
    expect(memo.render(request(second))).toEqual(engine.render(request(second)))
    expect(asked).toEqual([first, [{name: 'c', env: 'prod'}]])
    // Other templates or options are another request: asked again.
    expect(memo.render({...request(first), options: []})).toEqual(engine.render({...request(first), options: []}))
    expect(asked).toHaveLength(3)
  })

  it('yaml and paths answer as the engine; a remembered value is a copy', () => {
    const texts = ['a: 1\nb: [x]\n', 'a: [', 'a: 1\nb: [x]\n']
    const got = memo.yaml(texts)
    expect(got).toEqual(engine.yaml(texts))
    ;((got[0] as {value: {b: string[]}}).value.b as string[]).push('changed')
    expect(memo.yaml(texts)).toEqual(engine.yaml(texts))
    const paths = [
      'environments/dev/components/c1/component.yaml',
      'x',
      'environments/dev/components/c1/component.yaml',
    ]
    expect(memo.paths(paths)).toEqual(engine.paths(paths))
  })
})

describe('answers kept between runs (attached stores)', () => {
  /** A store as ./answers.ts makes one: what it found, and what the run used. */
  const storeOf = (found: Map<string, unknown>) => {
    const used = new Map<string, unknown>()
    const store: AnswerStore = {
      known: found.size,
      get: (id) => found.get(id) ?? used.get(id),
      use: (id, v) => used.set(id, v),
    }
    return {store, used}
  }
  const refusing = () => {
    throw new Error('the engine was opened')
  }

  it('a second process answers from what the first kept, without opening the engine', () => {
    const first = storeOf(new Map())
    const detach = attachAnswers(first.store)
    const params = [{name: 'kept', env: 'dev'}]
    const rendered = memoized(engine).render(request(params))
    const read = memoized(engine).yaml(['kept: [1, yes]\n'])
    detach()
    expect(first.used.size).toBe(2)
    const second = storeOf(first.used)
    const again = attachAnswers(second.store)
    try {
      const fresh = memoized(refusing)
      expect(fresh.render(request(params))).toEqual(rendered)
      expect(fresh.yaml(['kept: [1, yes]\n'])).toEqual(read)
      expect([...second.used.keys()].sort()).toEqual([...first.used.keys()].sort())
      // What it does not hold opens the engine.
      expect(() => fresh.render(request([{name: 'new', env: 'dev'}]))).toThrow('the engine was opened')
    } finally {
      again()
    }
  })

  it("a render naming the clock's or chance's functions is never kept", () => {
    const kept = storeOf(new Map())
    const detach = attachAnswers(kept.store)
    try {
      for (const t of ['{{ now | date "2006" }}', '{{ randAlphaNum 5 }}', '{{ uuidv4 }}', '{{ .name | htpasswd "x" }}'])
        memoized(engine).render({goTemplate: true, options: [], templates: [t], params: [{name: 'n'}]})
      expect(kept.used.size).toBe(0)
    } finally {
      detach()
    }
  })
})
