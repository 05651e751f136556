import {describe, expect, it} from 'vitest'

import {goPathEscape, goQueryEscape} from '../../../../src/gitops/argocd/applicationset/scm-providers/go-url.js'

/**
 * Go's net/url PathEscape and QueryEscape, the cases of Go's own url_test.go (pathEscapeTests, queryEscapeTests) and a
 * few more, each output as go1.26's net/url writes it.
 */
const ALL = ' ?&=#+%!<>#"{}|\\^[]`☺\t:/@$\'()*,;'
const CASES: Array<[input: string, path: string, query: string]> = [
  ['', '', ''],
  ['abc', 'abc', 'abc'],
  ['abc+def', 'abc+def', 'abc%2Bdef'],
  ['a/b', 'a%2Fb', 'a%2Fb'],
  ['one two', 'one%20two', 'one+two'],
  ['10%', '10%25', '10%25'],
  [
    ALL,
    '%20%3F&=%23+%25%21%3C%3E%23%22%7B%7D%7C%5C%5E%5B%5D%60%E2%98%BA%09:%2F@$%27%28%29%2A%2C%3B',
    '+%3F%26%3D%23%2B%25%21%3C%3E%23%22%7B%7D%7C%5C%5E%5B%5D%60%E2%98%BA%09%3A%2F%40%24%27%28%29%2A%2C%3B',
  ],
  ['é/ü', '%C3%A9%2F%C3%BC', '%C3%A9%2F%C3%BC'],
  ['feature/x.y~z', 'feature%2Fx.y~z', 'feature%2Fx.y~z'],
  ['a-b_c.d~e', 'a-b_c.d~e', 'a-b_c.d~e'],
]

describe("Go's url.PathEscape and url.QueryEscape", () => {
  it.each(CASES)('%j: path %j, query %j', (input, path, query) => {
    expect(goPathEscape(input)).toBe(path)
    expect(goQueryEscape(input)).toBe(query)
  })
})
