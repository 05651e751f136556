/**
 * The ApplicationSet `scmProvider` generator with `bitbucket` (Bitbucket Cloud), evaluated over Bitbucket's API 2.0
 * (`--scm-provider bitbucket`): the real client against the fake Bitbucket that validates every request and response
 * against Bitbucket's published Swagger description (test/scm-providers/bitbucket/bitbucket-cloud-server.ts). The cases are
 * argo-cd v3.5.1's services/scm_provider/bitbucket_cloud_test.go (TestBitbucketListRepos, TestBitbucketHasRepo: its
 * canned answers served as its mock serves them); then what the port adds: go-bitbucket's paging (every repository
 * page, the first branch page only), the filters, values, both credentials, the failures (fail closed), and
 * `gitops diff` through the built CLI.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {ScmProviderApi} from '../../../src/gitops/model/types.js'
import {ScmListing} from '../../../src/gitops/argocd/applicationset/scm-providers/listing.js'
import {scmOfFlag} from '../../../src/gitops/argocd/applicationset/scm-providers/registry.js'
import {argoCd, FakeBitbucket, repository, type FakeBitbucketRepository} from './bitbucket-cloud-server.js'
import {diffLast} from '../../support/diff-repo.js'
import {
  branchPairs,
  diffFleet,
  fleetAppSet,
  scmFailure,
  scmParams,
  type ScmDiff,
  expectArgoScm,
  expectArgoScmFailure,
  TOKEN_REF,
} from '../scm-appset.js'
import {startOracle, type Oracle} from '../../support/argo-oracle.js'
import {toolEnv} from '../../support/toolchain.js'

const TOKEN = 'bitbucket-access-token-7e4a20'
const FAST = JSON.stringify({retryAttempts: 2, retryDelayMs: 1})
const SHA = 'dc1edb6c7d650d8ba67719ddf7b662ad8f8fb798'
const UUID = '{76606e75-8aeb-4a87-9396-4abee652ec63}'
const hash = (n: number) => n.toString(16).padStart(40, 'a')
const named = (n: string) => repository('names', n, {main: hash(n.length)}, {main: [n]})

const WORKSPACES: Record<string, FakeBitbucketRepository[]> = {
  // bitbucket_cloud_test.go's mock: testmike, its main branch, .gitignore at its commit.
  'test-owner': [
    {
      entry: argoCd('repositories').values[0],
      branches: argoCd('branches').values,
      meta: {[`${SHA}/.gitignore`]: argoCd('src-gitignore')},
    },
  ],
  names: ['one', 'two', 'three', 'four'].map(named),
  big: Array.from({length: 12}, (_, i) => repository('big', `r${String(i).padStart(2, '0')}`, {main: hash(i)})),
  wide: [
    repository(
      'wide',
      'many',
      Object.fromEntries(Array.from({length: 12}, (_, i) => [`b${String(i).padStart(2, '0')}`, hash(i)])),
    ),
    repository('wide', 'slashed', {'feature/x': hash(99), main: hash(98)}, {'feature/x': ['deploy/app.yaml']}),
  ],
  gone: [{...repository('gone', 'lost', {main: hash(1)}), branches: []}],
  web: [repository('web', 'web', {main: '19b016818bc0e0a44ddeaab345838a2a6c97fa67'})],
}

let bb: FakeBitbucket
let oracle: Oracle
beforeAll(async () => {
  oracle = await startOracle()
  bb = await new FakeBitbucket({token: TOKEN, workspaces: WORKSPACES}).start()
}, 1_800_000)
afterAll(async () => {
  oracle?.stop()
  expect(bb.violations).toEqual([])
  await bb.close()
})

const env = (extra: Record<string, string> = {}) => ({BITBUCKET_TOKEN: TOKEN, AMEIDE_TEST_TIMINGS: FAST, ...extra})
const api = async () => (await scmOfFlag('bitbucket', bb.api, env()))!

const bitbucket = (owner: string, more: Record<string, unknown> = {}) => ({bitbucket: {owner, user: 'argo', ...more}})

const paramsOf = async (spec: Record<string, unknown>, goTemplate = true, scm?: ScmProviderApi) =>
  scmParams(spec, scm ?? (await api()), goTemplate)
const pairs = branchPairs

const failure = async (spec: Record<string, unknown>, scm?: ScmProviderApi) => scmFailure(spec, scm ?? (await api()))
const PREFIX = 'error generating params: error listing repos: '

describe("Argo CD v3.5.1's own Bitbucket Cloud provider (the oracle) over the same fake Bitbucket: the same parameter sets", () => {
  // Argo CD sends the user and app password (basic auth); go-bitbucket asks BITBUCKET_API_BASE_URL.
  let basic: FakeBitbucket
  beforeAll(async () => {
    basic = await new FakeBitbucket({token: TOKEN, user: 'argo', workspaces: WORKSPACES}).start()
  })
  afterAll(async () => {
    expect(basic.violations).toEqual([])
    await basic.close()
  })
  const same = async (owner: string, more: Record<string, unknown> = {}, goTemplate = true) =>
    expectArgoScm(
      oracle,
      bitbucket(owner, {appPasswordRef: TOKEN_REF, ...more}),
      (await scmOfFlag('bitbucket', basic.api, env({BITBUCKET_USER: 'argo'})))!,
      {token: TOKEN, env: {BITBUCKET_API_BASE_URL: basic.api}},
      goTemplate,
    )

  it.each([
    ["Argo CD's canned repository at its main branch, ssh", 'test-owner', {}],
    ['https clone URLs, every branch', 'test-owner', {cloneProtocol: 'https', allBranches: true}],
    ['12 repositories over pages', 'big', {}],
    ['12 branches over pages, a slashed branch', 'wide', {allBranches: true}],
  ] as const)('%s', async (_, owner, more) => {
    await same(owner, more)
  })

  it('the filters: repositoryMatch, pathsExist, pathsDoNotExist, branchMatch', async () => {
    await same('names', {filters: [{repositoryMatch: 'n|hr'}]})
    await same('names', {filters: [{pathsExist: ['two']}]})
    await same('names', {filters: [{pathsDoNotExist: ['two/']}]})
    await same('wide', {allBranches: true, filters: [{branchMatch: 'b0[1-3]'}]})
    await same('wide', {allBranches: true, filters: [{pathsExist: ['deploy/app.yaml']}]})
    await same('test-owner', {filters: [{pathsExist: ['.gitignore']}]})
  })

  it('values: values.<key> in fasttemplate, a `values` map in goTemplate', async () => {
    await same('names', {values: {foo: 'bar', at: '{{ branch }}?'}}, false)
    await same('wide', {allBranches: true, values: {at: '{{ .short_sha_7 }}'}})
  })

  it("a pattern Go cannot compile, an unknown clone protocol: the generator fails in Argo CD's words", async () => {
    const fails = async (more: Record<string, unknown>) =>
      expectArgoScmFailure(
        oracle,
        bitbucket('names', {appPasswordRef: TOKEN_REF, ...more}),
        (await scmOfFlag('bitbucket', basic.api, env({BITBUCKET_USER: 'argo'})))!,
        {token: TOKEN, env: {BITBUCKET_API_BASE_URL: basic.api}},
      )
    await fails({filters: [{repositoryMatch: '('}]})
    await fails({cloneProtocol: 'other'})
  })
})

describe('bitbucket_cloud_test.go TestBitbucketListRepos, TestBitbucketHasRepo, over the fake Bitbucket', () => {
  const testmike = (url: string) => ({
    organization: 'test-owner',
    repository: 'testmike',
    repository_id: UUID,
    url,
    branch: 'main',
    branchNormalized: 'main',
    sha: SHA,
    short_sha: SHA.slice(0, 8),
    short_sha_7: SHA.slice(0, 7),
    labels: '',
  })
  const ssh = 'git@bitbucket.org:test-owner/testmike.git'
  const cases = [
    {name: 'blank protocol', proto: undefined, url: ssh},
    {name: 'ssh protocol', proto: 'ssh', url: ssh},
    {name: 'https protocol', proto: 'https', url: 'https://test-owner@bitbucket.org/test-owner/testmike.git'},
  ]
  for (const c of cases) {
    it(`${c.name}: the main branch (GetBranch), every parameter`, async () => {
      const sets = await paramsOf({...bitbucket('test-owner'), ...(c.proto ? {cloneProtocol: c.proto} : {})})
      expect(sets).toEqual([testmike(c.url)])
      expect(bb.requestsFor('repositories').at(-1)!.query).toEqual({role: 'member'})
      expect(bb.requestsFor('branch').at(-1)!.path).toBe('/2.0/repositories/test-owner/testmike/refs/branches/main')
    })
  }

  it('other protocol: the generator fails', async () => {
    expect(await failure({...bitbucket('test-owner'), cloneProtocol: 'other'})).toBe(
      `${PREFIX}error fetching clone url for repo testmike: unknown clone protocol for Bitbucket cloud other`,
    )
  })

  it('all branches: ListBranches (refs/branches, no query)', async () => {
    expect(await paramsOf(bitbucket('test-owner', {allBranches: true}))).toEqual([testmike(ssh)])
    expect(bb.requestsFor('branches').at(-1)).toMatchObject({
      path: '/2.0/repositories/test-owner/testmike/refs/branches',
      query: {},
    })
  })

  it('TestBitbucketHasRepo: .gitignore exists at the commit, .gitignore2 does not (404)', async () => {
    const has = (path: string) => paramsOf({...bitbucket('test-owner'), filters: [{pathsExist: [path]}]})
    expect(pairs(await has('.gitignore'))).toEqual(['testmike@main'])
    expect(await has('.gitignore2')).toEqual([])
    expect(
      bb
        .requestsFor('src')
        .slice(-2)
        .map((r) => [r.path, r.query]),
    ).toEqual([
      [`/2.0/repositories/test-owner/testmike/src/${SHA}/.gitignore`, {format: 'meta'}],
      [`/2.0/repositories/test-owner/testmike/src/${SHA}/.gitignore2`, {format: 'meta'}],
    ])
  })
})

describe("go-bitbucket's paging, the filters, values", () => {
  it('every page of repositories (12: two pages of 10, the second by its next link)', async () => {
    const before = bb.requestsFor('repositories').length
    expect(await paramsOf({...bitbucket('big'), filters: [{repositoryMatch: '^r1[01]$'}]})).toHaveLength(2)
    expect(
      bb
        .requestsFor('repositories')
        .slice(before)
        .map((r) => r.query),
    ).toEqual([{role: 'member'}, {role: 'member', page: '2'}])
  })

  it('allBranches reads the first page of branches only (10 of 12), one request, as go-bitbucket does', async () => {
    const before = bb.requestsFor('branches').length
    const sets = await paramsOf({...bitbucket('wide', {allBranches: true}), filters: [{repositoryMatch: 'many'}]})
    expect(sets.map((s) => s.branch)).toEqual(Array.from({length: 10}, (_, i) => `b${String(i).padStart(2, '0')}`))
    expect(bb.requestsFor('branches').length - before).toBe(1)
  })

  it('a main branch with a slash is asked as written; pathsExist at its commit', async () => {
    const sets = await paramsOf({
      ...bitbucket('wide'),
      filters: [{repositoryMatch: 'slashed', pathsExist: ['deploy/']}],
    })
    expect(sets).toEqual([expect.objectContaining({branch: 'feature/x', branchNormalized: 'feature-x', sha: hash(99)})])
    expect(bb.requestsFor('branch').at(-1)!.path).toBe('/2.0/repositories/wide/slashed/refs/branches/feature/x')
  })

  it('repositoryMatch, pathsExist, pathsDoNotExist, branchMatch; labelMatch matches nothing (no labels)', async () => {
    const names = async (filters: unknown[]) => pairs(await paramsOf({...bitbucket('names'), filters}))
    expect(await names([{repositoryMatch: 'n|hr'}])).toEqual(['one@main', 'three@main'])
    expect(await names([{pathsExist: ['two']}])).toEqual(['two@main'])
    expect(await names([{pathsDoNotExist: ['two']}])).toEqual(['one@main', 'three@main', 'four@main'])
    expect(await names([{branchMatch: '^main$', repositoryMatch: '^f'}])).toEqual(['four@main'])
    expect(await names([{labelMatch: '.*'}])).toEqual([])
  })

  it('values (fasttemplate): values.<key> rendered with the set', async () => {
    const sets = await paramsOf({...bitbucket('web'), values: {at: '{{ branch }}@{{ organization }}'}}, false)
    expect(sets[0]).toMatchObject({'values.at': 'main@web', repository_id: expect.stringMatching(/^\{.*\}$/)})
  })
})

describe('credentials and failures: fail closed, the token never printed', () => {
  it('BITBUCKET_USER: basic auth with the token as Argo CD sends user and app password', async () => {
    const basic = await new FakeBitbucket({token: TOKEN, user: 'argo', workspaces: WORKSPACES}).start()
    try {
      const scm = (await scmOfFlag('bitbucket', basic.api, env({BITBUCKET_USER: 'argo'})))!
      expect(pairs(await paramsOf(bitbucket('web'), true, scm))).toEqual(['web@main'])
      const bearer = (await scmOfFlag('bitbucket', basic.api, env()))!
      expect(await failure(bitbucket('web'), bearer)).toBe(
        `${PREFIX}error listing repositories for web: 401 Unauthorized`,
      )
      expect(basic.violations).toEqual([])
    } finally {
      await basic.close()
    }
  })

  it('a server that keeps failing, an unknown workspace, a refused token, no token', async () => {
    bb.respondNext(
      'repositories',
      ...Array.from({length: 2}, () => ({status: 503, body: {type: 'error', error: {message: 'unavailable'}}})),
    )
    expect(await failure(bitbucket('web'))).toMatch(
      new RegExp(`^${PREFIX}error listing repositories for web: GET .*503.*gave up after 2 attempts`),
    )
    expect(await failure(bitbucket('nobody'))).toBe(`${PREFIX}error listing repositories for nobody: 404 Not Found`)
    const refused = (await scmOfFlag('bitbucket', bb.api, env({BITBUCKET_TOKEN: 'refused-token-2b1f'})))!
    expect(await failure(bitbucket('web'), refused)).toBe(
      `${PREFIX}error listing repositories for web: 401 Unauthorized`,
    )
    const none = (await scmOfFlag('bitbucket', bb.api, {}))!
    expect(none).toBeInstanceOf(ScmListing)
    expect(await failure(bitbucket('web'), none)).toBe(
      `${PREFIX}error listing repositories for web: no Bitbucket token (BITBUCKET_TOKEN): ${bb.api} was not asked`,
    )
  })

  it('a main branch Bitbucket does not have, a branch without a hash, a path that cannot be read fail the generator', async () => {
    expect(await failure(bitbucket('gone'))).toBe(`${PREFIX}error listing branches for gone/lost: 404 Not Found`)
    bb.respondNext('branch', {status: 200, body: {type: 'branch', name: 'main', target: {type: 'commit'}}})
    expect(await failure(bitbucket('web'))).toBe(`${PREFIX}error getting SHA for branch for web/web/main: %!w(<nil>)`)
    bb.respondNext('src', {status: 403, body: {type: 'error', error: {message: 'Forbidden'}}})
    expect(await failure({...bitbucket('web'), filters: [{pathsExist: ['x']}]})).toBe(`${PREFIX}403 Forbidden`)
  })

  it('a next link off this API is never followed; the bounds fail the generator (never a partial list)', async () => {
    const page = {
      pagelen: 10,
      size: 11,
      page: 1,
      values: [WORKSPACES.web[0].entry],
      next: 'https://elsewhere.example/2.0/repositories/web?page=2',
    }
    bb.respondNext('repositories', {status: 200, body: page})
    const before = bb.requests.length
    expect(await failure(bitbucket('web'))).toMatch(
      /the next page https:\/\/elsewhere.example\/.* is not on this run's API/,
    )
    expect(bb.requests.length - before).toBe(1)
    const pages = (await scmOfFlag('bitbucket', bb.api, env(), {maxPages: 1}))!
    expect(await failure(bitbucket('big'), pages)).toMatch(/the listing has more than 1 pages: not read whole/)
  })
})

describe('gitops diff --scm-provider bitbucket (the built CLI)', () => {
  const repos = () =>
    fleetAppSet('- scmProvider: {bitbucket: {owner: web, user: argo, appPasswordRef: {secretName: bb, key: password}}}')

  it("renders an scmProvider-generated Application's change, Bitbucket asked once; without the flag, incomplete", async () => {
    const e = toolEnv(env())
    const before = bb.requestsFor('repositories').length
    const {repo, run} = await diffFleet(repos(), env(), ['--scm-provider', 'bitbucket', '--api-url', bb.api])
    expect(bb.requestsFor('repositories').length - before).toBe(1)
    expect(run.stderr + JSON.stringify(run.result)).not.toContain(TOKEN)
    const without = await diffLast<ScmDiff>(repo, e)
    expect(without.result.summary).toBe('incomplete')
  })
})
