/**
 * The ApplicationSet `scmProvider` generator with `gitlab`, evaluated over GitLab's API (`--scm-provider gitlab`): the
 * real client against the fake GitLab (test/scm-providers/gitlab/gitlab-server.ts), which holds every request and
 * response to GitLab's published description and serves Argo CD v3.5.1's own canned answers (gitlab_test.go's mock
 * handler, by request URI). The cases are argo-cd v3.5.1's: gitlab_test.go (TestGitlabListRepos, TestGitlabHasPath,
 * TestGitlabGetBranches, with Argo CD's expected values), utils_test.go (the filters, over groups whose files are the
 * MockProvider's "the path is the repository's name") and scm_provider_test.go (the parameters, values). Then what the
 * port adds: pagination, includeSharedProjects unset, the API of another host, the failures (fail closed), and
 * `gitops diff` through the built CLI.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {ScmProviderApi} from '../../../src/gitops/model/types.js'
import {ScmListing} from '../../../src/gitops/argocd/applicationset/scm-providers/listing.js'
import {scmOfFlag} from '../../../src/gitops/argocd/applicationset/scm-providers/registry.js'
import {startOracle, type Oracle} from '../../support/argo-oracle.js'
import {runCli} from '../../support/cli.js'
import {FakeGitLab, projectJson, type FakeGitLabProject} from './gitlab-server.js'
import {
  branchPairs,
  diffFleet,
  expandScm,
  expectArgoScm,
  expectArgoScmFailure,
  filterCases,
  fleetAppSet,
  scmAppSet,
  scmFailure,
  scmGenerator,
  scmParams,
  TOKEN_REF,
} from '../scm-appset.js'
import {toolEnv} from '../../support/toolchain.js'

const TOKEN = 'gitlab-scm-token-51c7e2'
const FAST = JSON.stringify({retryAttempts: 2, retryDelayMs: 1})
const SHA = {
  argocd: '8898d7999fc99dd0fd578650b58b244fc63f6b53',
  pipeline: '0f92540e5f396ba960adea4ed0aa905baf3f73d1',
  subgroup: '8898d7999fc99dd0fd578650b58b244fc63f6b58',
  another: '8898d8889fc99dd0fd578650b58b244fc63f6b58',
}
/** MockProvider's RepoHasPath: a repository has the file of its own name, on every branch. */
let nextId = 500
const mock = (name: string, branches: string[], topics: string[] = [], namespace = 'names'): FakeGitLabProject => ({
  id: nextId++,
  path: name,
  namespace,
  topics,
  defaultBranch: branches[0],
  branches: Object.fromEntries(branches.map((b, i) => [b, `${name}${i}`.padEnd(40, '0')])),
  files: Object.fromEntries(branches.map((b) => [b, [name]])),
})
const argocdAt = (namespace: string, defaultBranch: string): FakeGitLabProject => ({
  id: 27_084_533,
  path: 'argocd',
  namespace,
  sharedWith: namespace === 'test-argocd-proton' ? 'proton-paths' : undefined,
  defaultBranch,
  branches: {master: SHA.argocd},
})
const GROUPS: Record<string, FakeGitLabProject[]> = {
  // TestGitlabHasPath's repository: test-argocd-proton/argocd at master, listed as a project shared with the group.
  'proton-paths': [argocdAt('test-argocd-proton', 'master')],
  // TestGitlabGetBranches' "unknown branch": the default branch foo, which GitLab answers 404.
  'proton-foo': [argocdAt('proton-foo', 'foo')],
  names: ['one', 'two', 'three', 'four'].map((n) => mock(n, ['main'])),
  labels: [
    mock('one', ['main'], ['prod-one', 'prod-two', 'staging'], 'labels'),
    mock('two', ['main'], ['prod-two'], 'labels'),
    mock('three', ['main'], ['staging'], 'labels'),
  ],
  branches: [mock('one', ['one', 'two'], [], 'branches'), mock('two', ['one'], [], 'branches')],
  // GitLab before 14.5: the labels are the tag_list.
  legacy: [{...mock('old', ['main'], [], 'legacy'), tagList: ['prod', 'legacy']}],
  // scm_provider_test.go's "Multiple repos with labels".
  myorg: [
    {
      ...mock('repo1', ['main'], ['prod', 'staging'], 'myorg'),
      id: 190_320_251,
      branches: {main: '0bc5721'.padEnd(40, 'b')},
    },
    {...mock('repo2', ['main'], [], 'myorg'), id: 190_320_252, branches: {main: '59d0'}},
  ],
  nested: [
    mock('top', ['main'], [], 'nested'),
    mock('deep', ['main'], [], 'nested/sub'),
    {...mock('old', ['main'], [], 'nested'), archived: true},
  ],
  big: Array.from({length: 150}, (_, i) => mock(`r${String(i).padStart(3, '0')}`, ['main'], [], 'big')),
  example: [mock('web', ['main'], ['gitops'], 'example')],
}

let gl: FakeGitLab
let oracle: Oracle
beforeAll(async () => {
  oracle = await startOracle()
  gl = await new FakeGitLab(TOKEN, GROUPS).start()
}, 1_800_000)
afterAll(async () => {
  oracle?.stop()
  expect(gl.violations).toEqual([])
  // The gap, named: the group listing is in no published GitLab description; three response schemas are not in the extract.
  expect([...gl.undescribed]).toEqual(['GET /api/v4/groups/{id}/projects'])
  expect([...gl.description.unresolved].sort()).toEqual([
    'APIEntitiesBranch',
    'APIEntitiesProjectsWithAccessAndCatalogSetting',
    'APIEntitiesTreeObject',
  ])
  await gl.close()
})

const env = (extra: Record<string, string> = {}) => ({GITLAB_TOKEN: TOKEN, AMEIDE_TEST_TIMINGS: FAST, ...extra})
const api = async () => (await scmOfFlag('gitlab', gl.url, env()))!

const expand = expandScm
const generator = scmGenerator
const appSet = (generators: string[], name: string) => scmAppSet(generators, true, name)
const gitlab = (group: string, more: Record<string, unknown> = {}) => ({gitlab: {group, api: gl.url, ...more}})
/** Argo CD's test cases pass includeSharedProjects false unless they name it. */
const proton = (more: Record<string, unknown> = {}) =>
  gitlab('test-argocd-proton', {includeSharedProjects: false, ...more})

const paramsOf = async (spec: Record<string, unknown>, scm?: ScmProviderApi) =>
  scmParams(spec, scm ?? (await api()), true)
const pairs = branchPairs

const failure = async (spec: Record<string, unknown>, scm?: ScmProviderApi) => scmFailure(spec, scm ?? (await api()))
const uris = (from: number) => gl.requests.slice(from).map((r) => r.uri)

describe("Argo CD v3.5.1's own GitLab provider (the oracle) over the same fake GitLab: the same parameter sets", () => {
  const same = async (group: string, more: Record<string, unknown> = {}, goTemplate = true) =>
    expectArgoScm(oracle, gitlab(group, {tokenRef: TOKEN_REF, ...more}), await api(), {token: TOKEN}, goTemplate)

  it.each([
    ['a shared project at its default branch', 'proton-paths', {}],
    ['https clone URLs, every branch', 'proton-paths', {cloneProtocol: 'https', allBranches: true}],
    ['topics and ids', 'myorg', {}],
    ['the tag_list of GitLab before 14.5', 'legacy', {}],
    ['subgroups included, archived projects too', 'nested', {includeSubgroups: true, includeArchivedRepos: true}],
    ['subgroups left out, archived projects left out', 'nested', {}],
    ['150 projects over pages', 'big', {}],
    ['projects of a topic', 'labels', {topic: 'staging'}],
  ] as const)('%s', async (_, group, more) => {
    await same(group, more)
  })

  it('the filters: repositoryMatch, labelMatch, pathsExist, pathsDoNotExist, branchMatch, and their AND and OR', async () => {
    await filterCases(same)
  })

  it('values: values.<key> in fasttemplate, a `values` map in goTemplate', async () => {
    await same('myorg', {values: {foo: 'bar', at: '{{ branch }}?'}}, false)
    await same('branches', {allBranches: true, values: {at: '{{ .short_sha_7 }}'}})
  })

  it("a pattern Go cannot compile, an unknown clone protocol: the generator fails in Argo CD's words", async () => {
    const fails = async (more: Record<string, unknown>) =>
      expectArgoScmFailure(oracle, gitlab('names', {tokenRef: TOKEN_REF, ...more}), await api(), {token: TOKEN})
    await fails({filters: [{repositoryMatch: '('}]})
    await fails({cloneProtocol: 'other'})
  })
})

describe("gitlab_test.go TestGitlabListRepos, over Argo CD's canned answers", () => {
  // The canned namespace's key is "full_path " (a stray space): client-go reads no full path, Argo CD expects "".
  const repo = (repository: string, id: number, branch: string, sha: string, url: string, labels: string) => ({
    organization: '',
    repository,
    repository_id: id,
    branch,
    sha,
    url,
    labels,
  })
  const ssh = (r: string, ns = 'test-argocd-proton') => `git@gitlab.com:${ns}/${r}.git`
  for (const [name, proto, url] of [
    ['blank protocol', undefined, ssh('argocd')],
    ['ssh protocol', 'ssh', ssh('argocd')],
    ['https protocol', 'https', 'https://gitlab.com/test-argocd-proton/argocd.git'],
  ] as const) {
    it(`${name}: the default branch of the group's one project`, async () => {
      const sets = await paramsOf({...proton(), ...(proto ? {cloneProtocol: proto} : {})})
      expect(sets).toEqual([
        expect.objectContaining(repo('argocd', 27_084_533, 'master', SHA.argocd, url, 'test-topic')),
      ])
    })
  }

  it('labelmatch: labelMatch "test-topic"', async () => {
    expect(pairs(await paramsOf({...proton(), filters: [{labelMatch: 'test-topic'}]}))).toEqual(['argocd@master'])
  })

  it('other protocol: the generator fails', async () => {
    expect(await failure({...proton(), cloneProtocol: 'other'})).toBe(
      'error generating params: error listing repos: unknown clone protocol for Gitlab other',
    )
  })

  it('all branches: every branch, one page (no X-Next-Page)', async () => {
    const from = gl.requests.length
    expect(await paramsOf(proton({allBranches: true}))).toEqual([
      expect.objectContaining(repo('argocd', 27_084_533, 'master', SHA.argocd, ssh('argocd'), 'test-topic')),
      expect.objectContaining(
        repo('argocd', 27_084_533, 'pipeline-1310077506', SHA.pipeline, ssh('argocd'), 'test-topic'),
      ),
    ])
    expect(uris(from)).toEqual([
      '/api/v4/groups/test-argocd-proton/projects?include_subgroups=false&per_page=100&topic=&with_shared=false',
      '/api/v4/projects/27084533/repository/branches?per_page=100',
    ])
  })

  it('all subgroups: includeSubgroups lists the subgroup project', async () => {
    const sets = await paramsOf(proton({allBranches: true, includeSubgroups: true}))
    expect(pairs(sets)).toEqual([
      'argocd@master',
      'argocd@pipeline-1310077506',
      'argocd-subgroup@master',
      'argocd-subgroup@pipeline-2310077506',
    ])
    expect(sets[0]).toMatchObject({labels: 'test-topic,specific-topic'})
    expect(sets[2]).toMatchObject(
      repo(
        'argocd-subgroup',
        27_084_538,
        'master',
        SHA.subgroup,
        ssh('argocd-subgroup', 'test-argocd-proton/subgroup'),
        'test-topic',
      ),
    )
  })

  it('all subgroups and shared projects: includeSharedProjects true, and unset (WillIncludeSharedProjects)', async () => {
    for (const shared of [{includeSharedProjects: true}, {includeSharedProjects: null}]) {
      const sets = await paramsOf(gitlab('test-argocd-proton', {allBranches: true, includeSubgroups: true, ...shared}))
      expect(pairs(sets).filter((p) => p.endsWith('@master'))).toEqual(['argocd@master', 'shared-argocd@master'])
      expect(sets[2]).toMatchObject(
        repo(
          'shared-argocd',
          27_084_534,
          'master',
          SHA.argocd,
          ssh('shared-argocd', 'test-shared-argocd-proton'),
          'test-topic',
        ),
      )
    }
  })

  it('specific topic: topic is the listing query', async () => {
    const sets = await paramsOf(proton({allBranches: true, topic: 'specific-topic'}))
    expect(pairs(sets)).toEqual(['argocd@master', 'argocd@pipeline-1310077506'])
    expect(sets[0]).toMatchObject({labels: 'test-topic,specific-topic'})
  })

  it('all branches with archived repos: includeArchivedRepos asks archived=true', async () => {
    const sets = await paramsOf(proton({allBranches: true, includeArchivedRepos: true}))
    expect(pairs(sets)).toEqual([
      'argocd@master',
      'argocd@pipeline-1310077506',
      'another-repo@master',
      'another-repo@pipeline-2310077506',
    ])
    expect(sets[0]).toMatchObject({labels: ''})
    expect(sets[2]).toMatchObject(
      repo('another-repo', 56_522_142, 'master', SHA.another, ssh('another-repo'), 'test-topic'),
    )
  })
})

describe('gitlab_test.go TestGitlabHasPath and TestGitlabGetBranches', () => {
  const paths: Array<[string, boolean]> = [
    ['argocd', true],
    ['argocd/install.yaml', true],
    ['notathing', false],
    ['argocd/notathing.yaml', false],
    ['notathing/notathing.yaml', false],
    ['notathing/notathing/notathing.yaml', false],
  ]
  for (const [path, exists] of paths) {
    it(`${exists ? 'exists' : 'does not exist'}: ${path} (the files API, then the tree API)`, async () => {
      const from = gl.requests.length
      const sets = await paramsOf({...gitlab('proton-paths'), filters: [{pathsExist: [path]}]})
      expect(pairs(sets)).toEqual(exists ? ['argocd@master'] : [])
      const asked = uris(from).filter((u) => !u.includes('/groups/') && !u.includes('/branches/'))
      const file = path.replaceAll('/', '%2F').replaceAll('.', '%2E')
      const tree = encodeURIComponent(path)
      expect(asked).toEqual([
        '/api/v4/projects/test-argocd-proton%2Fargocd',
        `/api/v4/projects/27084533/repository/files/${file}?ref=master`,
        ...(path === 'argocd/install.yaml'
          ? []
          : [`/api/v4/projects/27084533/repository/tree?path=${tree}&ref=master`]),
      ])
    })
  }

  it('unknown branch: a default branch GitLab answers 404 is no branch, no error', async () => {
    expect(await paramsOf(gitlab('proton-foo'))).toEqual([])
    expect(gl.requests.at(-1)!.uri).toBe('/api/v4/projects/27084533/repository/branches/foo')
  })
})

describe('utils_test.go: the filters over GitLab', () => {
  const names = async (group: string, filters: unknown[], allBranches = false) =>
    pairs(await paramsOf({...gitlab(group, {allBranches}), filters}))

  it('TestFilterRepoMatch, TestFilterLabelMatch, TestFilterBranchMatch', async () => {
    expect(await names('names', [{repositoryMatch: 'n|hr'}])).toEqual(['one@main', 'three@main'])
    expect(await names('labels', [{labelMatch: '^prod-.*$'}])).toEqual(['one@main', 'two@main'])
    expect(await names('branches', [{branchMatch: 'w'}], true)).toEqual(['one@two'])
  })
  it('TestFilterPathExists, TestFilterPathDoesntExists', async () => {
    expect(await names('names', [{pathsExist: ['two']}])).toEqual(['two@main'])
    expect(await names('names', [{pathsDoNotExist: ['two']}])).toEqual(['one@main', 'three@main', 'four@main'])
  })
  it('labels of a GitLab before 14.5: no topics, the tag_list', async () => {
    expect(await paramsOf(gitlab('legacy'))).toEqual([
      expect.objectContaining({repository: 'old', labels: 'prod,legacy'}),
    ])
  })
})

describe('scm_provider_test.go TestSCMProviderGenerateParams over GitLab', () => {
  it('multiple repos with labels: every parameter, short_sha of a short sha', async () => {
    const [one, two] = await paramsOf(gitlab('myorg'))
    expect(one).toEqual({
      organization: 'myorg',
      repository: 'repo1',
      repository_id: 190_320_251,
      url: 'git@gitlab.example.com:myorg/repo1.git',
      branch: 'main',
      branchNormalized: 'main',
      sha: '0bc5721'.padEnd(40, 'b'),
      short_sha: '0bc5721b',
      short_sha_7: '0bc5721',
      labels: 'prod,staging',
    })
    expect(two).toMatchObject({repository: 'repo2', sha: '59d0', short_sha: '59d0', short_sha_7: '59d0', labels: ''})
  })
  it('values: rendered with each set', async () => {
    const sets = await paramsOf({...gitlab('myorg'), values: {at: '{{ .organization }}/{{ .repository }}'}})
    expect(sets.map((s) => s.values)).toEqual([{at: 'myorg/repo1'}, {at: 'myorg/repo2'}])
  })
})

describe('the gitlab generator beyond the controller tests', () => {
  it('includeSubgroups and includeArchivedRepos over a group of subgroups', async () => {
    expect(pairs(await paramsOf(gitlab('nested')))).toEqual(['top@main'])
    expect(pairs(await paramsOf(gitlab('nested', {includeSubgroups: true, includeArchivedRepos: true})))).toEqual([
      'top@main',
      'deep@main',
      'old@main',
    ])
  })

  it('every page is read (150 projects: two pages of 100, X-Next-Page), each listing once per run', async () => {
    const scm = await api()
    const from = gl.requests.length
    expect(await paramsOf({...gitlab('big'), filters: [{repositoryMatch: '^r1[0-4]9$'}]}, scm)).toHaveLength(5)
    await paramsOf({...gitlab('big'), filters: [{repositoryMatch: '^r1[0-4]9$'}]}, scm)
    expect(uris(from).filter((u) => u.includes('/groups/big/'))).toEqual([
      '/api/v4/groups/big/projects?include_subgroups=false&per_page=100&topic=&with_shared=true',
      '/api/v4/groups/big/projects?include_subgroups=false&page=2&per_page=100&topic=&with_shared=true',
    ])
  })

  it('the API of another host is never asked: not rendered, named; the same API with /api/v4 is this one', async () => {
    const from = gl.requests.length
    for (const other of ['https://gitlab.internal.example', undefined]) {
      const out = await expand(
        appSet(generator({gitlab: {group: 'names', ...(other ? {api: other} : {})}}), 'x'),
        await api(),
      )
      expect(out.applications).toEqual([])
      expect(out.notRendered).toEqual([
        expect.objectContaining({
          generator: 'scmProvider',
          why: expect.stringMatching(/^gitlab.api asks .*\/api\/v4\/, not this run's API/),
        }),
      ])
    }
    expect(gl.requests.length).toBe(from)
    expect(pairs(await paramsOf(gitlab('names', {api: `${gl.url}/api/v4`})))).toHaveLength(4)
  })
})

describe('GitLab failures fail closed: the generator fails, nothing generated, no token printed', () => {
  const GROUP = 'getApiV4GroupsIdProjects (undescribed)'
  it('a server that keeps failing, an unknown group, a refused token, no token', async () => {
    gl.respondNext(GROUP, ...Array.from({length: 2}, () => ({status: 502, body: {message: 'Bad Gateway'}})))
    const failing = await failure(gitlab('names'))
    const unknown = await failure(gitlab('nobody'))
    const refused = await failure(
      gitlab('names'),
      (await scmOfFlag('gitlab', gl.url, env({GITLAB_TOKEN: 'refused-token-8a3c'})))!,
    )
    const noToken = await failure(gitlab('names'), (await scmOfFlag('gitlab', gl.url, {AMEIDE_TEST_TIMINGS: FAST}))!)
    const prefix = 'error generating params: error listing repos: error listing projects for '
    expect(failing).toMatch(
      new RegExp(`^${prefix}names: GET .*/api/v4/groups/names/projects\\?.*502.*gave up after 2 attempts`),
    )
    expect(unknown).toBe(`${prefix}nobody: 404 Not Found`)
    expect(refused).toBe(`${prefix}names: GET ${gl.url}/api/v4/groups/names/projects: 401 {message: 401 Unauthorized}`)
    expect(noToken).toBe(`${prefix}names: no GitLab token (GITLAB_TOKEN): ${gl.url} was not asked`)
    for (const m of [failing, unknown, refused]) expect(m).not.toContain(TOKEN)
  })

  it('a branch or a path that cannot be read fails the generator with Argo CD words', async () => {
    gl.respondNext('getApiV4ProjectsIdRepositoryBranchesBranch', {status: 400, body: {message: '400 Bad request'}})
    expect(await failure(gitlab('labels'))).toMatch(
      /^error generating params: error listing repos: error listing branches for labels\/one: GET .*: 400 \{message: 400 Bad request\}$/,
    )
    gl.respondNext('getApiV4ProjectsId', {status: 404, body: {message: '404 Project Not Found'}})
    expect(await failure({...gitlab('labels'), filters: [{pathsExist: ['one']}]})).toBe(
      'error generating params: error listing repos: error getting Project Info: 404 Not Found',
    )
    expect(await failure(gitlab('labels'), new ScmListing({provider: 'gitlab', apiUrl: gl.url}))).toMatch(
      /no gitlab client/,
    )
  })
})

describe("the bounds and client-go's pagination", () => {
  const GROUP = 'getApiV4GroupsIdProjects (undescribed)'
  it('a listing of more pages, a run of more requests, fail the generator (never a partial list)', async () => {
    const pages = (await scmOfFlag('gitlab', gl.url, env(), {maxPages: 1}))!
    expect(await failure(gitlab('big'), pages)).toMatch(/the listing has more than 1 pages: not read whole/)
    const budget = (await scmOfFlag('gitlab', gl.url, env(), {maxRequests: 2}))!
    expect(await failure({...gitlab('names'), filters: [{pathsExist: ['x']}]}, budget)).toMatch(
      /budget of 2 GitLab API requests is spent/,
    )
    expect(budget.requests).toBe(2)
  })

  it("a page without X-Total-Pages (GitLab past 10,000 results) ends the listing, as ListRepos' loop reads it", async () => {
    const [first] = GROUPS.names
    gl.respondNext(GROUP, {status: 200, body: [projectJson(first)], headers: {'x-page': '1', 'x-next-page': '2'}})
    const from = gl.requests.length
    expect(pairs(await paramsOf(gitlab('names')))).toEqual(['one@main'])
    expect(uris(from).filter((u) => u.includes('/groups/'))).toHaveLength(1)
  })
})

describe('gitops diff --scm-provider gitlab (the built CLI)', () => {
  const repos = (url: string) =>
    fleetAppSet(`- scmProvider: {gitlab: {group: example, api: '${url}'}, filters: [{labelMatch: gitops}]}`)

  it("renders a gitlab-generated Application's change, GitLab asked once for both revisions; a bad --api-url is exit 2", async () => {
    const e = toolEnv(env())
    const from = gl.requests.length
    const {repo, run} = await diffFleet(repos(gl.url), env(), ['--scm-provider', 'gitlab', '--api-url', gl.url])
    expect(uris(from).filter((u) => u.includes('/groups/example/'))).toHaveLength(1)
    expect(run.stderr + JSON.stringify(run.result)).not.toContain(TOKEN)
    const bad = await runCli(['gitops', 'diff', '--json', '--scm-provider', 'gitlab', '--api-url', 'ftp://x'], {
      cwd: repo,
      env: e,
    })
    expect(bad.exitCode).toBe(2)
    expect(bad.json<{error: {code: string}}>().error.code).toBe('INVALID_API_URL')
  })
})
