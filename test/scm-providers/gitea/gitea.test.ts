/**
 * The ApplicationSet `scmProvider` generator with `gitea`, evaluated over Gitea's API (`--scm-provider gitea`): the
 * real client against the fake Gitea that validates every request and response against Gitea's own Swagger 2.0
 * description (test/scm-providers/gitea/gitea-server.ts). The cases are argo-cd v3.5.1's own:
 * services/scm_provider/gitea_test.go (TestGiteaListRepos, TestGiteaHasPath: its canned answers served as its mock
 * serves them), utils_test.go (the filters over MockProvider's repositories, whose RepoHasPath is "the path is the
 * repository's name"), and generators/scm_provider_test.go (the parameters, values, an API of another host). Then the
 * SDK's quirks (the version asked first, one page of each listing, the labels of archived repositories asked, the
 * default branch's 404), the failures (fail closed), and `gitops diff` through the built CLI.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {ScmProviderApi} from '../../../src/gitops/model/types.js'
import {scmOfFlag} from '../../../src/gitops/argocd/applicationset/scm-providers/registry.js'
import {startOracle, type Oracle} from '../../support/argo-oracle.js'
import {runCli} from '../../support/cli.js'
import {diffLast} from '../../support/diff-repo.js'
import {FakeGitea, type FakeGiteaRepo} from './gitea-server.js'
import {
  branchPairs,
  diffFleet,
  expandScm,
  expectArgoScm,
  expectArgoScmFailure,
  filterCases,
  fleetAppSet,
  scmAppSet,
  type ScmDiff,
  scmFailure,
  scmGenerator,
  scmParams,
  TOKEN_REF,
} from '../scm-appset.js'
import {toolEnv} from '../../support/toolchain.js'

const TOKEN = 'gitea-scm-token-5be07c'
const FAST = JSON.stringify({retryAttempts: 2, retryDelayMs: 1})
const SHA = {
  prMain: '75f6fceff80f6aaf12b65a2cf6a89190b866625b',
  prTest: '28c3b329933f6fefd9b55225535123bbffec5a46',
  anotherMain: '1fa33898cf84e89836863e3a5e76eee45777b4b0',
  anotherTest: '32cdcf613b259a9439ceabd4d1745d43f163ea70',
}
/** MockProvider's RepoHasPath: a repository has the path of its own name, on every branch. */
const mock = (name: string, branches: string[], labels: string[] = []): FakeGiteaRepo => ({
  name,
  labels,
  defaultBranch: branches[0],
  branches: Object.fromEntries(branches.map((b, i) => [b, `${name}${i}`.padEnd(40, '0')])),
  files: Object.fromEntries(branches.map((b) => [b, [name]])),
})
const OWNERS: Record<string, FakeGiteaRepo[]> = {
  // gitea_test.go's giteaMockHandler: its repositories and branches are the canned answers; labels its default `[]`.
  'test-argocd': [
    {name: 'pr-test', branches: {}},
    {name: 'another-repo', branches: {}, archived: true},
  ],
  gitea: [{name: 'go-sdk', id: 1, defaultBranch: 'master', branches: {master: SHA.prMain}}],
  names: ['one', 'two', 'three', 'four'].map((n) => mock(n, ['main'])),
  labels: [
    mock('one', ['main'], ['prod-one', 'prod-two', 'staging']),
    mock('two', ['main'], ['prod-two']),
    mock('three', ['main'], ['staging']),
  ],
  branches: [mock('one', ['one', 'two']), mock('two', ['one']), mock('three', ['one', 'two'])],
  myorg: [
    {name: 'repo1', id: 190320251, labels: ['prod', 'staging'], branches: {main: SHA.prMain}},
    {name: 'repo2', id: 190320252, branches: {main: '59d0'}},
  ],
  big: Array.from({length: 40}, (_, i) => mock(`r${String(i).padStart(3, '0')}`, ['main'])),
  missing: [{name: 'gone', defaultBranch: 'master', branches: {main: SHA.prMain}}],
  example: [{name: 'web', id: 7, labels: ['gitops'], branches: {main: SHA.prMain}}],
}

let gitea: FakeGitea
let oracle: Oracle
beforeAll(async () => {
  oracle = await startOracle()
  gitea = await new FakeGitea({token: TOKEN, owners: OWNERS}).start()
}, 1_800_000)
afterAll(async () => {
  oracle?.stop()
  expect(gitea.violations).toEqual([])
  await gitea.close()
})

const env = (extra: Record<string, string> = {}) => ({GITEA_TOKEN: TOKEN, AMEIDE_TEST_TIMINGS: FAST, ...extra})
const api = async (extra: Record<string, string> = {}) => (await scmOfFlag('gitea', gitea.url, env(extra)))!

const expand = expandScm
const generator = scmGenerator
const appSet = scmAppSet
const giteaSpec = (owner: string, more: Record<string, unknown> = {}) => ({gitea: {owner, api: gitea.url, ...more}})

const paramsOf = async (spec: Record<string, unknown>, goTemplate = false, scm?: ScmProviderApi) =>
  scmParams(spec, scm ?? (await api()), goTemplate)
const pairs = branchPairs

const failure = async (spec: Record<string, unknown>, scm?: ScmProviderApi) => scmFailure(spec, scm ?? (await api()))

describe("Argo CD v3.5.1's own Gitea provider (the oracle) over the same fake Gitea: the same parameter sets", () => {
  const same = async (owner: string, more: Record<string, unknown> = {}, goTemplate = false) =>
    expectArgoScm(oracle, giteaSpec(owner, {tokenRef: TOKEN_REF, ...more}), await api(), {token: TOKEN}, goTemplate)

  it.each([
    ['each repository at its default branch, ssh', 'test-argocd', {}],
    ['https clone URLs', 'test-argocd', {cloneProtocol: 'https'}],
    ['every branch, archived repositories too', 'test-argocd', {allBranches: true}],
    ['every branch, archived repositories left out', 'test-argocd', {allBranches: true, excludeArchivedRepos: true}],
    ['labels and ids', 'myorg', {}],
    ['one page of 40 repositories', 'big', {}],
  ] as const)('%s', async (_, owner, more) => {
    await same(owner, more)
  })

  it('the filters: repositoryMatch, labelMatch, pathsExist, pathsDoNotExist, branchMatch, and their AND and OR', async () => {
    await filterCases(same)
    await same('gitea', {filters: [{pathsExist: ['gitea']}]})
  })

  it('values: values.<key> in fasttemplate, a `values` map in goTemplate', async () => {
    await same('myorg', {values: {foo: 'bar', at: '{{ branch }}?'}})
    await same('branches', {allBranches: true, values: {at: '{{ .short_sha_7 }}'}}, true)
  })

  it("a pattern Go cannot compile, an unknown clone protocol: the generator fails in Argo CD's words", async () => {
    const fails = async (more: Record<string, unknown>) =>
      expectArgoScmFailure(oracle, giteaSpec('names', {tokenRef: TOKEN_REF, ...more}), await api(), {token: TOKEN})
    await fails({filters: [{repositoryMatch: '('}]})
    await fails({cloneProtocol: 'other'})
  })
})

describe('gitea_test.go TestGiteaListRepos, over the fake Gitea (its canned answers)', () => {
  const set = (repository: 'pr-test' | 'another-repo', branch: string, sha: string, url: string) => ({
    organization: 'test-argocd',
    repository,
    repository_id: repository === 'pr-test' ? 21618 : 21619,
    branch,
    sha,
    url,
    labels: '',
  })
  const ssh = (r: string) => `git@gitea.com:test-argocd/${r}.git`
  const https = (r: string) => `https://gitea.com/test-argocd/${r}`
  for (const c of [
    {name: 'blank protocol', proto: undefined, url: ssh},
    {name: 'ssh protocol', proto: 'ssh', url: ssh},
    {name: 'https protocol', proto: 'https', url: https},
  ]) {
    it(`${c.name}: each repository at its default branch (https is the HTML URL)`, async () => {
      const sets = await paramsOf({...giteaSpec('test-argocd'), ...(c.proto ? {cloneProtocol: c.proto} : {})})
      expect(sets).toEqual([
        expect.objectContaining(set('pr-test', 'main', SHA.prMain, c.url('pr-test'))),
        expect.objectContaining(set('another-repo', 'main', SHA.anotherMain, c.url('another-repo'))),
      ])
    })
  }

  it('other protocol: the generator fails (in Argo CD words, which name GitHub)', async () => {
    expect(await failure({...giteaSpec('test-argocd'), cloneProtocol: 'other'})).toBe(
      'error generating params: error listing repos: unknown clone protocol for GitHub other',
    )
  })

  it('all branches including archived repos: every branch of both', async () => {
    expect(pairs(await paramsOf(giteaSpec('test-argocd', {allBranches: true})))).toEqual([
      'pr-test@main',
      'pr-test@test',
      'another-repo@main',
      'another-repo@test',
    ])
    const sets = await paramsOf(giteaSpec('test-argocd', {allBranches: true}))
    expect(sets[3]).toMatchObject({sha: SHA.anotherTest, repository_id: 21619})
    expect(sets[1]).toMatchObject({sha: SHA.prTest})
  })

  it('all branches with no archived repos: excludeArchivedRepos drops another-repo, whose labels are still asked', async () => {
    const before = gitea.requestsFor('issueListLabels').length
    const sets = await paramsOf(
      giteaSpec('test-argocd', {allBranches: true, excludeArchivedRepos: true}),
      false,
      await api(),
    )
    expect(pairs(sets)).toEqual(['pr-test@main', 'pr-test@test'])
    const asked = gitea.requestsFor('issueListLabels').slice(before)
    expect(asked.map((r) => r.path)).toEqual([
      '/api/v1/repos/test-argocd/pr-test/labels',
      '/api/v1/repos/test-argocd/another-repo/labels',
    ])
    expect(asked[0].query).toEqual({limit: '0', page: '1'})
  })
})

describe('gitea_test.go TestGiteaHasPath (gitea/go-sdk at master)', () => {
  const has = async (path: string) => (await paramsOf({...giteaSpec('gitea'), filters: [{pathsExist: [path]}]})).length
  it('file exists: README.md', async () => {
    expect(await has('README.md')).toBe(1)
  })
  it('directory exists: gitea (the SDK cannot read a listing as a file: "expect file, got directory" is true)', async () => {
    expect(await has('gitea')).toBe(1)
  })
  it('does not exists: notathing (404 is false)', async () => {
    expect(await has('notathing')).toBe(0)
    const asked = gitea.requestsFor('repoGetContents').map((r) => `${r.path}?ref=${r.query.ref}`)
    expect(asked).toContain('/api/v1/repos/gitea/go-sdk/contents/notathing?ref=master')
  })
})

describe('utils_test.go: the filters over Gitea (each an AND of its fields, the filters an OR)', () => {
  const names = async (owner: string, filters: unknown[], allBranches = false) =>
    pairs(await paramsOf({...giteaSpec(owner, {allBranches}), filters}))

  it('TestFilterRepoMatch: repositoryMatch "n|hr"', async () => {
    expect(await names('names', [{repositoryMatch: 'n|hr'}])).toEqual(['one@main', 'three@main'])
  })
  it('TestFilterLabelMatch: labelMatch "^prod-.*$" on any issue label', async () => {
    expect(await names('labels', [{labelMatch: '^prod-.*$'}])).toEqual(['one@main', 'two@main'])
  })
  it('TestFilterPathExists, TestFilterPathDoesntExists: pathsExist, pathsDoNotExist', async () => {
    expect(await names('names', [{pathsExist: ['two']}])).toEqual(['two@main'])
    expect(await names('names', [{pathsDoNotExist: ['two/']}])).toEqual(['one@main', 'three@main', 'four@main'])
  })
  it('TestFilterBranchMatch: branchMatch "w" over every branch', async () => {
    expect(await names('branches', [{branchMatch: 'w'}], true)).toEqual(['one@two', 'three@two'])
  })
  it('TestMultiFilterAnd, TestMultiFilterOr, TestNoFilters', async () => {
    expect(await names('labels', [{repositoryMatch: 'w', labelMatch: '^prod-.*$'}])).toEqual(['two@main'])
    expect(await names('labels', [{repositoryMatch: 'e'}, {labelMatch: '^prod-.*$'}])).toEqual([
      'one@main',
      'two@main',
      'three@main',
    ])
    expect(await names('labels', [])).toEqual(['one@main', 'two@main', 'three@main'])
  })
  it('TestFilterRepoMatchBadRegexp: a pattern Go cannot compile fails the generator (after the SDK asked the version)', async () => {
    expect(await failure({...giteaSpec('names'), filters: [{repositoryMatch: '('}]})).toMatch(
      /^error generating params: error listing repos: error compiling RepositoryMatch regexp "\(": error parsing regexp/,
    )
  })
})

describe('scm_provider_test.go TestSCMProviderGenerateParams over Gitea', () => {
  it('multiple repos with labels: every parameter, short_sha of a short sha', async () => {
    expect(await paramsOf(giteaSpec('myorg'))).toEqual([
      {
        organization: 'myorg',
        repository: 'repo1',
        repository_id: 190320251,
        url: 'git@gitea.example.com:myorg/repo1.git',
        branch: 'main',
        branchNormalized: 'main',
        sha: SHA.prMain,
        short_sha: SHA.prMain.slice(0, 8),
        short_sha_7: SHA.prMain.slice(0, 7),
        labels: 'prod,staging',
      },
      {
        organization: 'myorg',
        repository: 'repo2',
        repository_id: 190320252,
        url: 'git@gitea.example.com:myorg/repo2.git',
        branch: 'main',
        branchNormalized: 'main',
        sha: '59d0',
        short_sha: '59d0',
        short_sha_7: '59d0',
        labels: '',
      },
    ])
  })

  it('value interpolation: values.<key> (fasttemplate), a `values` map (goTemplate)', async () => {
    const sets = await paramsOf({...giteaSpec('myorg'), values: {foo: 'bar', at: '{{ branch }}?'}})
    expect(sets[0]).toMatchObject({'values.foo': 'bar', 'values.at': 'main?'})
    const go = await paramsOf({...giteaSpec('branches', {allBranches: true}), values: {at: '{{ .short_sha_7 }}'}}, true)
    expect(go[0]).toMatchObject({repository: 'one', branch: 'one', values: {at: 'one0000'}})
  })

  it('TestAllowedSCMProvider: an API of another host is never asked: the generator is not rendered, named', async () => {
    const before = gitea.requests.length
    const out = await expand(
      appSet(generator({gitea: {owner: 'names', api: 'https://gitea.other.example'}}), true, '{{ .repository }}'),
      await api(),
    )
    expect(out.applications).toEqual([])
    expect(out.notRendered).toEqual([
      expect.objectContaining({
        generator: 'scmProvider',
        why: expect.stringMatching(/^gitea.api asks https:\/\/gitea.other.example, not this run's API/),
      }),
    ])
    expect(gitea.requests.length).toBe(before)
    // The SDK trims one trailing slash: the run's API with a slash is the run's API.
    expect(pairs(await paramsOf({gitea: {owner: 'names', api: `${gitea.url}/`}}))).toHaveLength(4)
    // No API: the SDK's version request has no scheme; nothing is asked.
    expect(await failure({gitea: {owner: 'names'}})).toBe(
      'error generating params: error initializing Gitea service: error creating a new gitea client: Get "/api/v1/version": unsupported protocol scheme ""',
    )
    const github = await expand(
      appSet(generator({github: {organization: 'x'}}), true, '{{ .repository }}'),
      await api(),
    )
    expect(github.notRendered).toEqual([expect.objectContaining({why: expect.stringMatching(/this run asks gitea/)})])
  })
})

describe("the Gitea SDK's own behaviour", () => {
  it("one page of each listing: limit=0&page=1, 30 of 40 repositories (Gitea's default page size)", async () => {
    const before = gitea.requestsFor('orgListRepos').length
    const sets = await paramsOf(giteaSpec('big'))
    expect(sets).toHaveLength(30)
    const asked = gitea.requestsFor('orgListRepos').slice(before)
    expect(asked.map((r) => r.query)).toEqual([{limit: '0', page: '1'}])
  })

  it('the version asked first: older than 1.11.0, or none, fails the generator; one it cannot parse is 1.11.0', async () => {
    const versions = gitea.requestsFor('getVersion').length
    gitea.version = '1.10.2'
    expect(await failure(giteaSpec('names'))).toBe(
      `error generating params: error initializing Gitea service: error creating a new gitea client: gitea server at ${gitea.url} is older than 1.11.0`,
    )
    gitea.version = ''
    expect(await failure(giteaSpec('names'))).toMatch(/error creating a new gitea client: malformed version: $/)
    gitea.version = 'development'
    expect(await paramsOf(giteaSpec('names'))).toHaveLength(4)
    gitea.version = undefined
    expect(gitea.requestsFor('getVersion').length - versions).toBe(3)
  })

  it("the default branch's 404 fails the generator; no owner fails before any listing", async () => {
    expect(await failure(giteaSpec('missing'))).toBe(
      'error generating params: error listing repos: got 404 while getting default branch "master" for repo "gone" - check your repo config: branch does not exist [name: master]',
    )
    const before = gitea.requestsFor('orgListRepos').length
    expect(await failure(giteaSpec(''))).toBe('error generating params: error listing repos: path segment [0] is empty')
    expect(gitea.requestsFor('orgListRepos').length).toBe(before)
  })
})

describe('Gitea failures fail closed: the generator fails, nothing generated, no token printed', () => {
  it('a server that keeps failing, an unknown owner, a refused token, no token', async () => {
    gitea.respondNext(
      'orgListRepos',
      ...Array.from({length: 2}, () => ({status: 502, body: {message: 'Bad Gateway', url: ''}})),
    )
    const failing = await failure(giteaSpec('names'))
    const unknown = await failure(giteaSpec('nobody'))
    const refused = await failure(giteaSpec('names'), await api({GITEA_TOKEN: 'refused-token-71ad'}))
    const noToken = await failure(
      giteaSpec('names'),
      (await scmOfFlag('gitea', gitea.url, {AMEIDE_TEST_TIMINGS: FAST}))!,
    )
    expect(failing).toMatch(
      /^error generating params: error listing repos: GET .*\/orgs\/names\/repos\?limit=0&page=1: .*502.*gave up after 2 attempts/,
    )
    expect(unknown).toBe('error generating params: error listing repos: GetOrgByName')
    expect(refused).toBe(
      'error generating params: error initializing Gitea service: error creating a new gitea client: invalid username, password or token',
    )
    expect(noToken).toBe(
      `error generating params: error initializing Gitea service: error creating a new gitea client: no Gitea token (GITEA_TOKEN): ${gitea.url} was not asked`,
    )
    for (const m of [failing, unknown, refused]) expect(m).not.toContain(TOKEN)
  })

  it('labels, a branch or a path that cannot be read fails the generator', async () => {
    gitea.respondNext('issueListLabels', {status: 404, body: {message: 'GetRepositoryByName', url: ''}})
    expect(await failure(giteaSpec('labels'))).toBe('error generating params: error listing repos: GetRepositoryByName')
    gitea.respondNext('repoListBranches', {status: 401, body: {message: 'token is required', url: ''}})
    expect(await failure(giteaSpec('branches', {allBranches: true}))).toBe(
      'error generating params: error listing repos: token is required',
    )
    gitea.respondNext('repoGetContents', {status: 401, body: {message: 'token is required', url: ''}})
    expect(await failure({...giteaSpec('names'), filters: [{pathsExist: ['one']}]})).toBe(
      'error generating params: error listing repos: token is required',
    )
  })

  it('--scm-provider gitea needs --api-url (exit 2 INVALID_API_URL)', async () => {
    await expect(scmOfFlag('gitea', undefined, env())).rejects.toMatchObject({code: 'INVALID_API_URL'})
    await expect(scmOfFlag('gitea', 'ftp://x', env())).rejects.toMatchObject({code: 'INVALID_API_URL'})
  })
})

describe('gitops diff --scm-provider gitea (the built CLI)', () => {
  const repos = (url: string) =>
    fleetAppSet(`- scmProvider: {gitea: {owner: example, api: '${url}'}, filters: [{labelMatch: gitops}]}`)

  it("renders an scmProvider-generated Application's change, Gitea asked once for both revisions; without the flag, incomplete; without --api-url, exit 2", async () => {
    const e = toolEnv(env())
    const before = gitea.requestsFor('orgListRepos').length
    const {repo, run} = await diffFleet(repos(gitea.url), env(), ['--scm-provider', 'gitea', '--api-url', gitea.url])
    expect(gitea.requestsFor('orgListRepos').length - before).toBe(1)
    expect(run.stderr + JSON.stringify(run.result)).not.toContain(TOKEN)

    const without = await diffLast<ScmDiff>(repo, e)
    expect(without.exitCode).toBe(1)
    expect(without.result.summary).toBe('incomplete')

    const bad = await runCli(['gitops', 'diff', '--json', '--scm-provider', 'gitea'], {cwd: repo, env: e})
    expect(bad.exitCode).toBe(2)
    expect(bad.json<{error: {code: string}}>().error.code).toBe('INVALID_API_URL')
  })
})
