/**
 * The template engine's remembered answers (src/effects/gotemplate/memo.ts): the same as the engine's own for every
 * request — sets seen before, sets new, a set twice in one request, failures in their sets — and the engine asked
 * only for what it was not asked before; remembered values are copies (a caller's change does not reach the next).
 */
import {beforeAll, describe, expect, it} from 'vitest'

import {openTemplateEngine, type Params, type TemplateEngine} from '../../src/effects/gotemplate/index.js'
import {memoized} from '../../src/effects/gotemplate/memo.js'

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
