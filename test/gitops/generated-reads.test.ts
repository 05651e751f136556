/**
 * What an ApplicationSet's unevaluated generator is keyed by in `gitops diff` (applicationset/generated-reads.ts): a
 * change to a file its Applications could read must make the diff incomplete, never "unchanged" — so anything that
 * may name this repository keys every file of the revision; only repositories that are literally another leave it
 * at the ApplicationSet's own file.
 */
import * as yaml from 'yaml'
import {describe, expect, it} from 'vitest'

import {generatedReads} from '../../src/gitops/deployables/applicationset/generated-reads.js'
import {sameRepository} from '../../src/gitops/repositories.js'

const THIS = 'https://github.com/acme/gitops.git'
const files = new Set(['argocd/fleet.yaml', 'apps/web/cm.yaml', 'base/deploy.yaml'])
const ctx = (named = true) => ({files, named, isThisRepository: (url: string) => sameRepository(THIS, url)})

/** An ApplicationSet with a clusters generator, its template's source as given (YAML flow), and `extra` spec lines. */
const appSet = (source: string, extra: string[] = []) =>
  yaml.parse(
    ['spec:', '  generators: [{clusters: {}}]', ...extra, '  template:', '    spec:', `      source: ${source}`].join(
      '\n',
    ),
  ) as unknown

const reads = (doc: unknown, named = true) => generatedReads('argocd/fleet.yaml', doc, ctx(named))
const everything = ['argocd/fleet.yaml', 'apps/web/cm.yaml', 'base/deploy.yaml']

describe('the files an unevaluated generator is keyed by', () => {
  it('another repository, literally: the ApplicationSet alone', () => {
    expect(reads(appSet('{repoURL: https://github.com/acme/other.git, path: apps/web}'))).toEqual(['argocd/fleet.yaml'])
  })

  it('this repository (another spelling of it too): every file of the revision', () => {
    expect(reads(appSet(`{repoURL: ${THIS}, path: apps/web}`))).toEqual(everything)
    expect(reads(appSet('{repoURL: git@github.com:acme/gitops, path: apps/web}'))).toEqual(everything)
  })

  it('a templated repository, one that is no string, or none: every file', () => {
    expect(reads(appSet("{repoURL: '{{ .metadata.annotations.repo }}', path: x}"))).toEqual(everything)
    expect(reads(appSet('{repoURL: $REPO, path: x}'))).toEqual(everything)
    expect(reads(appSet('{repoURL: [1], path: x}'))).toEqual(everything)
    expect(reads(appSet('{chart: web}'))).toEqual(everything)
  })

  it('a templatePatch can set any source: every file, whatever the template says', () => {
    const patched = appSet('{repoURL: https://github.com/acme/other.git}', ["  templatePatch: '{}'"])
    expect(reads(patched)).toEqual(everything)
  })

  it('a checkout nothing names (no origin, no URL listed): no repository can be told apart, every file', () => {
    expect(reads(appSet('{repoURL: https://github.com/acme/other.git, path: x}'), false)).toEqual(everything)
  })

  it('a repository named anywhere in it counts (a git generator of this repository)', () => {
    const doc = appSet('{repoURL: https://github.com/acme/other.git, path: x}')
    ;(doc as {spec: {generators: unknown[]}}).spec.generators.push({git: {repoURL: THIS, revision: 'HEAD'}})
    expect(reads(doc)).toEqual(everything)
  })
})
