import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {envMatcher, globMatcher} from '../../src/core/glob.js'
import {globToRegExp} from '../support/glob-reference.js'

/** Globs and paths over a small alphabet, so that wildcards, literal runs and `/` meet often. */
const glob = fc
  .array(fc.constantFrom('a', 'b', '.', '/', '*', '?', '**', '**/', 'ab', 'a/'), {maxLength: 9})
  .map((parts) => parts.join(''))
const file = fc.array(fc.constantFrom('a', 'b', '.', '/', 'ab', 'ba'), {maxLength: 14}).map((parts) => parts.join(''))

/** The overlay RegExp the layout built before: `before([^/]+)after`. */
const overlayRegExp = (g: string) => {
  const [before, after = ''] = g.split('{env}')
  return new RegExp(`${globToRegExp(before).source.slice(0, -1)}([^/]+)${globToRegExp(after).source.slice(1)}`)
}

describe('core/glob: the compiled matchers answer as the RegExp form', () => {
  it('globMatcher: every glob, every path', () => {
    fc.assert(
      fc.property(glob, file, (g, f) => globMatcher(g).test(f) === globToRegExp(g).test(f)),
      {numRuns: 20_000},
    )
  })

  it('globMatcher: a path built to match (prefix, suffix and the walk between)', () => {
    fc.assert(
      fc.property(glob, file, file, (g, f1, f2) => {
        // Replace each wildcard with a piece of a path: often a match, sometimes not (a `/` under `*`).
        const f = g.replaceAll('**/', `${f1}/`).replaceAll('**', f2).replaceAll('*', f1).replaceAll('?', 'b')
        return globMatcher(g).test(f) === globToRegExp(g).test(f)
      }),
      {numRuns: 20_000},
    )
  })

  it('envMatcher: the segment the RegExp captures, or none', () => {
    fc.assert(
      fc.property(glob, glob, file, fc.constantFrom('dev', 'a', 'b.b', 'ab'), (before, after, f, env) => {
        const g = `${before}{env}${after}`
        for (const path of [f, `${f}${env}`, `${before.replaceAll('*', 'a')}${env}${after.replaceAll('*', '')}`]) {
          const expected = overlayRegExp(g).exec(path)?.[1]
          if (envMatcher(g).exec(path) !== expected) return false
        }
        return true
      }),
      {numRuns: 20_000},
    )
  })

  it('a literal glob, a prefix glob, a suffix glob', () => {
    expect(globMatcher('go.work').test('go.work')).toBe(true)
    expect(globMatcher('go.work').test('go.works')).toBe(false)
    expect(globMatcher('argocd/**').test('argocd/a/b.yaml')).toBe(true)
    expect(globMatcher('argocd/**').test('argocd')).toBe(false)
    expect(globMatcher('**/kustomization.yaml').test('kustomization.yaml')).toBe(true)
    expect(globMatcher('**/kustomization.yaml').test('a/b/kustomization.yaml')).toBe(true)
    expect(globMatcher('**/kustomization.yaml').test('a/bkustomization.yaml')).toBe(false)
    expect(envMatcher('sources/values/env/{env}/**').exec('sources/values/env/dev/a.yaml')).toBe('dev')
    expect(envMatcher('**/overlays/{env}/**').exec('x/overlays/prod/a/kustomization.yaml')).toBe('prod')
  })

  it('a pathological glob against a 10,000-character name answers at once', () => {
    const slow = `${'*a'.repeat(40)}*b`
    const name = 'a'.repeat(10_000)
    const start = performance.now()
    expect(globMatcher(`x/${slow}`).test(`x/${name}`)).toBe(false)
    expect(envMatcher(`${slow}/{env}/${slow}`).exec(`${name}/dev/${name}`)).toBeUndefined()
    expect(envMatcher(`**{env}**b`).exec(name)).toBeUndefined()
    expect(performance.now() - start).toBeLessThan(2000)
  })
})
