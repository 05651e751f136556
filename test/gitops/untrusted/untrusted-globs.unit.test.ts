/**
 * What a pull request writes into globs (values files, ameide.yaml's zones) is matched without backtracking. (How a
 * revision is held — in memory, never on the host's disk — is test/core/memory-fs.unit.test.ts.)
 */
import {describe, expect, it} from 'vitest'

import {DEFAULT_GITOPS_POLICY} from '../../../src/core/config.js'
import {envMatcher, globMatcher} from '../../../src/core/glob.js'
import {makeLayout} from '../../../src/gitops/layout/index.js'
import {globToRegExp} from '../../support/glob-reference.js'

describe('a value-file glob a pull request writes ($values/…/*.yaml) is matched without backtracking', () => {
  it('the same answers as the RegExp form on ordinary globs', () => {
    const globs = ['charts/*.yaml', 'charts/**/values*.yaml', '**/v?.yml', 'a/**', 'a/**/b', '**', '*', 'x/*/y/*.yaml']
    const files = ['charts/a.yaml', 'charts/x/values-prod.yaml', 'charts/values.yaml', 'v1.yml', 'd/e/v2.yml', 'a/b']
    const more = ['a/x/y/b', 'a/', 'x/1/y/z.yaml', 'x/1/2/y/z.yaml', 'charts/a.yml', 'vv.yml', 'charts/values-/x']
    for (const glob of globs) {
      for (const file of [...files, ...more]) {
        expect(globMatcher(glob).test(file), `${glob} ${file}`).toBe(globToRegExp(glob).test(file))
      }
    }
  })

  it('*a*a*…b against a long name answers at once', () => {
    const glob = globMatcher(`charts/${'*a'.repeat(16)}*b`)
    expect(glob.test(`charts/${'a'.repeat(200)}.yaml`)).toBe(false)
    expect(glob.test(`charts/${'a'.repeat(200)}b`)).toBe(true)
  })
})

describe('the zone globs of ameide.yaml (a pull request may change it) are matched without backtracking', () => {
  /** The overlay RegExp the layout built before: `before([^/]+)after`. */
  const overlayRegExp = (glob: string) => {
    const [before, after = ''] = glob.split('{env}')
    return new RegExp(`${globToRegExp(before).source.slice(0, -1)}([^/]+)${globToRegExp(after).source.slice(1)}`)
  }

  it('an overlay glob captures the environment the RegExp captured', () => {
    const globs = [
      'sources/values/env/{env}/**',
      'overlays/{env}/**/*.yaml',
      '**/overlays/{env}/*.yaml',
      'clusters/{env}-*/**',
      'env/{env}.yaml',
      '{env}/apps/*.yaml',
      '**/{env}/**',
    ]
    const files = [
      'sources/values/env/dev/web.yaml',
      'sources/values/env/prod/a/b/c.yaml',
      'overlays/staging/x/kustomization.yaml',
      'overlays/staging/kustomization.yaml',
      'apps/overlays/qa/deploy.yaml',
      'clusters/eu-west-1/apps.yaml',
      'env/prod.yaml',
      'env/prod/x.yaml',
      'dev/apps/web.yaml',
      'a/b/c.yaml',
      'overlays/base/kustomization.yaml',
    ]
    for (const glob of globs) {
      for (const file of files) {
        expect(envMatcher(glob).exec(file), `${glob} ${file}`).toBe(overlayRegExp(glob).exec(file)?.[1])
      }
    }
  })

  it('a pathological zone or overlay glob against a long name answers at once, through the layout', () => {
    const slow = `${'*a'.repeat(16)}*b`
    const layout = makeLayout({
      ...DEFAULT_GITOPS_POLICY,
      overlays: [`o/${slow}/{env}/x.yaml`],
      cluster: [`c/${slow}.yaml`],
    })
    expect(layout.zoneOf(`o/${'a'.repeat(200)}/dev/x.yaml`)).toBeUndefined()
    expect(layout.zoneOf(`c/${'a'.repeat(200)}.yaml`)).toBeUndefined()
    expect(layout.zoneOf(`o/${'a'.repeat(20)}b/dev/x.yaml`)).toEqual({kind: 'overlay', env: 'dev'})
  })
})
