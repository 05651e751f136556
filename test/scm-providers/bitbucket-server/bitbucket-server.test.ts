/**
 * The ApplicationSet `scmProvider` generator with `bitbucketServer`, evaluated over Bitbucket Server / Data Center's
 * API (`--scm-provider bitbucketServer`): the real client against the fake Bitbucket that validates every request and
 * response against Atlassian's OpenAPI description
 * (test/scm-providers/bitbucket-server/bitbucket-datacenter-server.ts). The cases are argo-cd v3.5.1's own:
 * services/scm_provider/bitbucket_server_test.go (its PROJECT/REPO, served as its handlers serve it), utils_test.go
 * (the filters over MockProvider's repositories, whose RepoHasPath is "the path is the repository's name") and
 * generators/scm_provider_test.go (values, an API of another host); then the failures (fail closed) and `gitops diff`
 * through the built CLI.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {ScmProviderApi} from '../../../src/gitops/model/types.js'
import {scmOfFlag} from '../../../src/gitops/argocd/applicationset/scm-providers/registry.js'
import {startOracle, type Oracle} from '../../support/argo-oracle.js'
import {runCli} from '../../support/cli.js'
import {FakeBitbucketServer, type FakeBitbucketRepo} from './bitbucket-datacenter-server.js'
import {
  branchPairs,
  diffFleet,
  expandScm,
  fleetAppSet,
  scmAppSet,
  scmFailure,
  scmGenerator,
  scmParams,
  expectArgoScm,
  expectArgoScmFailure,
  TOKEN_REF,
} from '../scm-appset.js'
import {toolEnv} from '../../support/toolchain.js'

const TOKEN = 'bitbucket-scm-token-c41e9a'
const FAST = JSON.stringify({retryAttempts: 2, retryDelayMs: 1})
const SHA = '8d51122def5632836d1cb1026e879069e10a1e13'
/** MockProvider's RepoHasPath: a repository has the path of its own name, on every branch. */
const mock = (name: string, branches: string[]): FakeBitbucketRepo => ({
  name,
  defaultBranch: branches[0],
  branches: Object.fromEntries(branches.map((b, i) => [b, `${name}${i}`.padEnd(40, '0')])),
  files: Object.fromEntries(branches.map((b) => [b, [name]])),
})
const PROJECTS: Record<string, FakeBitbucketRepo[]> = {
  // bitbucket_server_test.go's defaultHandler and TestBitbucketServerHasPath.
  PROJECT: [{name: 'REPO', id: 1, branches: {main: SHA}, files: {main: ['pkg/main.go', 'anotherpkg/file.txt']}}],
  MANY: Array.from({length: 150}, (_, i) => mock(`R${String(i).padStart(3, '0')}`, ['main'])),
  BRANCHY: [
    {
      name: 'REPO',
      id: 1,
      defaultBranch: 'b0',
      branches: Object.fromEntries(Array.from({length: 150}, (_, i) => [`b${i}`, SHA])),
    },
  ],
  DEFAULTS: [
    {name: 'MISSING', id: 2, defaultBranch: null, branches: {}},
    {name: 'EMPTY', id: 3, defaultBranch: 'unset', branches: {}},
    {name: 'REPO', id: 1, branches: {main: SHA, other: SHA}},
  ],
  NAMES: ['one', 'two', 'three', 'four'].map((n) => mock(n, ['main'])),
  BRANCHES: [mock('one', ['one', 'two']), mock('two', ['one']), mock('three', ['one', 'two'])],
  EXAMPLE: [{name: 'web', id: 7, branches: {main: SHA}}],
}

let server: FakeBitbucketServer
let oracle: Oracle
beforeAll(async () => {
  oracle = await startOracle()
  server = await new FakeBitbucketServer({token: TOKEN, projects: PROJECTS}).start()
}, 1_800_000)
afterAll(async () => {
  oracle?.stop()
  expect(server.violations).toEqual([])
  await server.close()
})

const env = (extra: Record<string, string> = {}) => ({BITBUCKET_TOKEN: TOKEN, AMEIDE_TEST_TIMINGS: FAST, ...extra})
const api = async (extra: Record<string, string> = {}) => (await scmOfFlag('bitbucketServer', server.url, env(extra)))!

const expand = expandScm
const generator = scmGenerator
const appSet = scmAppSet
const bbs = (project: string, more: Record<string, unknown> = {}) => ({
  bitbucketServer: {project, api: server.url, ...more},
})

const paramsOf = async (spec: Record<string, unknown>, goTemplate = false, scm?: ScmProviderApi) =>
  scmParams(spec, scm ?? (await api()), goTemplate)
const pairs = branchPairs

const failure = async (spec: Record<string, unknown>, scm?: ScmProviderApi) => scmFailure(spec, scm ?? (await api()))

describe("Argo CD v3.5.1's own Bitbucket Server provider (the oracle) over the same fake server: the same parameter sets", () => {
  const same = async (project: string, more: Record<string, unknown> = {}, goTemplate = false) =>
    expectArgoScm(
      oracle,
      bbs(project, {bearerToken: {tokenRef: TOKEN_REF}, ...more}),
      await api(),
      {token: TOKEN},
      goTemplate,
    )

  it.each([
    ['the default branch, ssh', 'PROJECT', {}],
    ['https clone URLs, every branch', 'PROJECT', {cloneProtocol: 'https', allBranches: true}],
    ['150 repositories over pages', 'MANY', {}],
    ['150 branches over pages', 'BRANCHY', {allBranches: true}],
    ['no default branch, an unset one, and a repository with two branches', 'DEFAULTS', {}],
    ['no default branch, an unset one, and every branch', 'DEFAULTS', {allBranches: true}],
  ] as const)('%s', async (_, project, more) => {
    await same(project, more)
  })

  it('the filters: repositoryMatch, pathsExist, pathsDoNotExist, branchMatch, and their AND and OR', async () => {
    await same('NAMES', {filters: [{repositoryMatch: 'n|hr'}]})
    await same('NAMES', {filters: [{pathsExist: ['two']}]})
    await same('NAMES', {filters: [{pathsDoNotExist: ['two/']}]})
    await same('BRANCHES', {allBranches: true, filters: [{branchMatch: 'w'}]})
    await same('PROJECT', {filters: [{pathsExist: ['pkg/main.go']}, {pathsExist: ['nowhere']}]})
  })

  it('values: values.<key> in fasttemplate, a `values` map in goTemplate', async () => {
    await same('PROJECT', {values: {foo: 'bar', at: '{{ branch }}?'}})
    await same('BRANCHES', {allBranches: true, values: {at: '{{ .short_sha_7 }}'}}, true)
  })

  it("a pattern Go cannot compile, an unknown clone protocol: the generator fails in Argo CD's words", async () => {
    const fails = async (more: Record<string, unknown>) =>
      expectArgoScmFailure(oracle, bbs('NAMES', {bearerToken: {tokenRef: TOKEN_REF}, ...more}), await api(), {
        token: TOKEN,
      })
    await fails({filters: [{repositoryMatch: '('}]})
    await fails({cloneProtocol: 'other'})
  })
})

describe('bitbucket_server_test.go, over the fake Bitbucket', () => {
  const repo = {
    organization: 'PROJECT',
    repository: 'REPO',
    url: 'ssh://git@bitbucket.example.com:7999/project/repo.git',
    branch: 'main',
    sha: SHA,
    labels: '',
    repository_id: 1,
  }
  it('TestListReposBearerAuth (verifyDefaultRepo): the default branch, its sha, no labels; the bearer token and no-check', async () => {
    expect(await paramsOf(bbs('PROJECT'))).toEqual([expect.objectContaining(repo)])
    const asked = server.requestsFor('getRepositories').at(-1)!
    expect([asked.path, asked.query]).toEqual(['/rest/api/1.0/projects/PROJECT/repos', {limit: '100'}])
  })
  it('TestListReposCloneProtocol: https is the http clone link; TestListReposUnknownProtocol fails', async () => {
    const [set] = await paramsOf({...bbs('PROJECT'), cloneProtocol: 'https'})
    expect(set.url).toBe('https://bitbucket.example.com/scm/project/repo.git')
    expect(await failure({...bbs('PROJECT'), cloneProtocol: 'other'})).toBe(
      'error generating params: error listing repos: unknown clone protocol for Bitbucket Server other',
    )
  })
  it('TestListReposPagination: every page (start from nextPageStart)', async () => {
    expect(await paramsOf(bbs('MANY'))).toHaveLength(150)
    expect(
      server
        .requestsFor('getRepositories')
        .slice(-2)
        .map((r) => r.query),
    ).toEqual([{limit: '100'}, {limit: '100', start: '100'}])
  })
  it('TestGetBranchesBranchPagination: every branch, every page', async () => {
    expect(await paramsOf(bbs('BRANCHY', {allBranches: true}))).toHaveLength(150)
  })
  it('TestListReposMissingDefaultBranch, TestGetBranchesEmptyRepo: a repository without a default branch is skipped; TestGetBranchesDefaultOnly', async () => {
    expect(pairs(await paramsOf(bbs('DEFAULTS')))).toEqual(['REPO@main'])
    expect(pairs(await paramsOf(bbs('DEFAULTS', {allBranches: true})))).toEqual(['REPO@main', 'REPO@other'])
  })
  it('TestListReposErrorDefaultBranch, TestGetBranchesErrorDefaultBranch: its failure fails the generator', async () => {
    server.respondNext('getDefaultBranch_1', ...Array.from({length: 2}, () => ({status: 500, body: {errors: []}})))
    expect(await failure(bbs('PROJECT'), await api())).toMatch(
      /^error generating params: error listing repos: GET .*\/branches\/default: HTTP 500 \(gave up after 2 attempts\)$/,
    )
  })
  it('TestBitbucketServerHasPath: a directory, a file, a missing path (404 is false)', async () => {
    const has = async (path: string) => (await paramsOf({...bbs('PROJECT'), filters: [{pathsExist: [path]}]})).length
    expect([await has('pkg'), await has('pkg/'), await has('anotherpkg/file.txt')]).toEqual([1, 1, 1])
    expect([await has('anotherpkg/missing.txt'), await has('notathing')]).toEqual([0, 0])
    expect(server.requestsFor('getContent_1').at(-1)!.query).toEqual({at: 'main', limit: '100', type: 'true'})
    server.respondNext('getContent_1', {status: 401, body: {errors: [{message: 'Authentication failed'}]}})
    expect(await failure({...bbs('PROJECT'), filters: [{pathsExist: ['unauthorized-response']}]})).toMatch(
      /^error generating params: error listing repos: Status: 401 Unauthorized, Body: .*Authentication failed/,
    )
  })
})

describe('utils_test.go and scm_provider_test.go over Bitbucket Server', () => {
  const names = async (project: string, filters: unknown[], allBranches = false) =>
    pairs(await paramsOf({...bbs(project, {allBranches}), filters}))
  it('TestFilterRepoMatch, TestFilterPathExists, TestFilterPathDoesntExists', async () => {
    expect(await names('NAMES', [{repositoryMatch: 'n|hr'}])).toEqual(['one@main', 'three@main'])
    expect(await names('NAMES', [{pathsExist: ['two']}])).toEqual(['two@main'])
    expect(await names('NAMES', [{pathsDoNotExist: ['two']}])).toEqual(['one@main', 'three@main', 'four@main'])
  })
  it('TestFilterBranchMatch: branchMatch "w" over every branch; labelMatch matches nothing (no labels)', async () => {
    expect(await names('BRANCHES', [{branchMatch: 'w'}], true)).toEqual(['one@two', 'three@two'])
    expect(await names('NAMES', [{labelMatch: '.*'}])).toEqual([])
  })
  it('value interpolation: values.<key> rendered with the set', async () => {
    const [set] = await paramsOf({...bbs('PROJECT'), values: {at: '{{ repository }}@{{ short_sha }}'}})
    expect(set).toMatchObject({'values.at': 'REPO@8d51122d'})
  })
  it('TestAllowedSCMProvider: an API of another host is never asked: the generator is not rendered, named', async () => {
    const before = server.requests.length
    const spec = {bitbucketServer: {project: 'PROJECT', api: 'https://bitbucket.other.example'}}
    const out = await expand(appSet(generator(spec), true, '{{ .repository }}'), await api())
    expect(out.notRendered).toEqual([
      expect.objectContaining({
        why: expect.stringMatching(/^bitbucketServer.api asks https:\/\/bitbucket.other.example\/rest, not/),
      }),
    ])
    expect(server.requests.length).toBe(before)
    // NormalizeBitbucketBasePath: /rest appended, or kept.
    expect(await paramsOf({bitbucketServer: {project: 'PROJECT', api: `${server.url}/rest/`}})).toHaveLength(1)
    expect(await failure({bitbucketServer: {project: 'PROJECT'}})).toBe(
      'error generating params: error listing repos: error listing repositories for PROJECT: Get "/rest/api/1.0/projects/PROJECT/repos?limit=100": unsupported protocol scheme ""',
    )
  })
})

describe('Bitbucket Server failures fail closed', () => {
  it('an unknown project, a refused token, no token, a server that keeps failing', async () => {
    const prefix = 'error generating params: error listing repos: error listing repositories for '
    expect(await failure(bbs('NOBODY'))).toMatch(
      new RegExp(`^${prefix}NOBODY: Status: 404 Not Found, Body: .*does not exist`),
    )
    const refused = await failure(bbs('PROJECT'), await api({BITBUCKET_TOKEN: 'refused-7a1c'}))
    expect(refused).toMatch(new RegExp(`^${prefix}PROJECT: Status: 401 Unauthorized`))
    const none = await failure(bbs('PROJECT'), (await scmOfFlag('bitbucketServer', server.url, {}))!)
    expect(none).toBe(`${prefix}PROJECT: no Bitbucket Server token (BITBUCKET_TOKEN): ${server.url} was not asked`)
    server.respondNext('getRepositories', ...Array.from({length: 2}, () => ({status: 503, body: {errors: []}})))
    expect(await failure(bbs('PROJECT'))).toMatch(/HTTP 503 \(gave up after 2 attempts\)$/)
    for (const m of [refused, none]) expect(m).not.toContain(TOKEN)
    await expect(scmOfFlag('bitbucketServer', undefined, env())).rejects.toMatchObject({code: 'INVALID_API_URL'})
  })
})

describe('gitops diff --scm-provider bitbucketServer (the built CLI)', () => {
  const repos = (url: string) => fleetAppSet(`- scmProvider: {bitbucketServer: {project: EXAMPLE, api: '${url}'}}`)

  it("renders the generated Application's change, Bitbucket asked once for both revisions; without --api-url, exit 2", async () => {
    const e = toolEnv(env())
    const before = server.requestsFor('getRepositories').length
    const {repo, run} = await diffFleet(repos(server.url), env(), [
      '--scm-provider',
      'bitbucketServer',
      '--api-url',
      server.url,
    ])
    expect(server.requestsFor('getRepositories').length - before).toBe(1)
    expect(run.stderr + JSON.stringify(run.result)).not.toContain(TOKEN)
    const bad = await runCli(['gitops', 'diff', '--json', '--scm-provider', 'bitbucketServer'], {cwd: repo, env: e})
    expect(bad.exitCode).toBe(2)
    expect(bad.json<{error: {code: string}}>().error.code).toBe('INVALID_API_URL')
  })
})
