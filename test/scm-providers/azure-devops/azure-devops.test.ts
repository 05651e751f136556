/**
 * The ApplicationSet `scmProvider` generator with `azureDevOps`, evaluated over Azure DevOps' Git API
 * (`--scm-provider azureDevOps`): the real client against the fake Azure DevOps that validates every request and
 * response against the service's published Swagger description
 * (test/scm-providers/azure-devops/azure-devops-server.ts). The cases are argo-cd v3.5.1's
 * services/scm_provider/azure_devops_test.go (its mocks' answers served by the fake as the service sends them), the
 * organization `fabrikam` the description's own recorded examples; then what the port adds: the filters, values,
 * cloneProtocol, the API of another host, the failures (fail closed), and `gitops diff` through the built CLI.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {ScmProviderApi} from '../../../src/gitops/model/types.js'
import {ScmListing} from '../../../src/gitops/argocd/applicationset/scm-providers/listing.js'
import {scmOfFlag} from '../../../src/gitops/argocd/applicationset/scm-providers/registry.js'
import {example, FakeAzureDevOps, guid, repository, wrapped, type FakeAzureRepository} from './azure-devops-server.js'
import {startOracle, type Oracle} from '../../support/argo-oracle.js'
import {runCli} from '../../support/cli.js'
import {diffLast} from '../../support/diff-repo.js'
import {
  branchPairs,
  diffFleet,
  expandScm,
  fleetAppSet,
  scmAppSet,
  scmFailure,
  scmGenerator,
  scmParams,
  type ScmDiff,
  expectArgoScm,
  expectArgoScmFailure,
  TOKEN_REF,
} from '../scm-appset.js'
import {toolEnv} from '../../support/toolchain.js'

const TOKEN = 'azure-devops-pat-51c2e9'
const FAST = JSON.stringify({retryAttempts: 2, retryDelayMs: 1})
const REPOS = example('GET__git_repositories.json').value as Array<Record<string, any>>
const STATS = example('GET__git_repositories__repositoryId__stats_branches.json').value as Array<Record<string, any>>
const ID = {fiber: '278d5cd2-584d-4b63-824a-2ba458937249', testGit: '66efb083-777a-4cac-a350-a24b046be6be'}

const P = 'myorg_project'
const R = 'myorg_project_repo'
/** azure_devops_test.go's repository: default branch somebranch, a feature branch with dir/subdir/item.yaml. */
const myRepo = repository('myorg', P, R, {
  defaultBranch: 'refs/heads/somebranch',
  branches: {somebranch: 'abc123233223', 'my/featurebranch': '53863052ADF24229AB72154B4D83DAB7'},
  paths: {'my/featurebranch': ['dir/subdir/item.yaml']},
})
const withBranches = (name: string, branches: Array<[string, string]>): FakeAzureRepository => {
  const r = repository('myorg', P, name)
  return {...r, branches: branches.map(([n, sha]) => ({...r.branches[0], name: n, commit: {commitId: sha}}))}
}
const without = (name: string, field: string): FakeAzureRepository => {
  const r = repository('myorg', 'listing', name)
  const entry = {...r.entry}
  delete entry[field]
  return {...r, entry}
}
const named = (n: string) => repository('myorg', 'names', n, {paths: {main: [n]}})

const ORGS: Record<string, Record<string, FakeAzureRepository[]>> = {
  // The description's recorded examples: the repository list, the branch statistics of Fabrikam-Fiber-Git.
  fabrikam: {
    'Fabrikam-Fiber-Git': [
      {entry: REPOS[0], branches: []},
      {entry: REPOS[1], branches: STATS, paths: {master: ['MyWebSite/MyWebSite/Views/Home/_Home.cshtml']}},
      {
        entry: REPOS[2],
        branches: repository('fabrikam', 'TestGit', 'TestGit', {branches: {master: 'fe17a84c'}}).branches,
      },
    ],
  },
  myorg: {
    [P]: [myRepo],
    // TestGetAzureDevopsRepositories "multiple repos returned": only the eligible one.
    listing: [
      repository('myorg', 'listing', 'returned1'),
      without('missing_default_branch', 'defaultBranch'),
      without('missing_name', 'name'),
      without('missing_remote_url', 'remoteUrl'),
      without('missing_id', 'id'),
    ],
    // TestAzureDevopsGetBranches "multiple branches returned".
    multiple: [
      withBranches('multi', [
        ['feature-feat1', 'abc123233223'],
        ['feature/feat2', '4334'],
        ['feature/feat2', '53863052ADF24229AB72154B4D83DAB7'],
      ]),
    ],
    disabled: [{...repository('myorg', 'disabled', 'off'), disabled: true}],
    empty: [withBranches('bare', [])],
    names: ['one', 'two', 'three', 'four'].map(named),
    web: [repository('myorg', 'web', 'web', {branches: {main: '19b016818bc0e0a44ddeaab345838a2a6c97fa67'}})],
  },
}

let az: FakeAzureDevOps
let oracle: Oracle
beforeAll(async () => {
  oracle = await startOracle()
  az = await new FakeAzureDevOps({token: TOKEN, organizations: ORGS}).start()
}, 1_800_000)
afterAll(async () => {
  oracle?.stop()
  expect(az.violations).toEqual([])
  await az.close()
})

const env = (extra: Record<string, string> = {}) => ({AZURE_DEVOPS_TOKEN: TOKEN, AMEIDE_TEST_TIMINGS: FAST, ...extra})
const api = async () => (await scmOfFlag('azureDevOps', az.url, env()))!

const expand = expandScm
const generator = scmGenerator
const appSet = scmAppSet
const azure = (organization: string, teamProject: string, more: Record<string, unknown> = {}) => ({
  azureDevOps: {organization, teamProject, api: az.url, ...more},
})

const paramsOf = async (spec: Record<string, unknown>, goTemplate = true, scm?: ScmProviderApi, suffix = '') =>
  scmParams(spec, scm ?? (await api()), goTemplate, suffix)
const pairs = branchPairs

const failure = async (spec: Record<string, unknown>, scm?: ScmProviderApi) => scmFailure(spec, scm ?? (await api()))
const PREFIX = 'error generating params: error listing repos: '

describe("Argo CD v3.5.1's own Azure DevOps provider (the oracle) over the same fake server: the same parameter sets", () => {
  const same = async (org: string, project: string, more: Record<string, unknown> = {}, goTemplate = true) =>
    expectArgoScm(
      oracle,
      azure(org, project, {accessTokenRef: TOKEN_REF, ...more}),
      await api(),
      {token: TOKEN},
      goTemplate,
    )

  it.each([
    ["the description's recorded repositories at their default branches", 'fabrikam', 'Fabrikam-Fiber-Git', {}],
    [
      "the description's recorded branch statistics, every branch",
      'fabrikam',
      'Fabrikam-Fiber-Git',
      {allBranches: true},
    ],
    ['the default branch of a repository with a feature branch', 'myorg', P, {}],
    ['every branch of it', 'myorg', P, {allBranches: true}],
    ['only the eligible repository of a listing missing fields', 'myorg', 'listing', {}],
    // (A branch name listed twice makes two Applications of one name: gitops diff refuses the set, as Argo CD does.)
  ] as const)('%s', async (_, org, project, more) => {
    await same(org, project, more)
  })

  it('the filters: repositoryMatch, pathsExist, pathsDoNotExist, branchMatch', async () => {
    await same('myorg', 'names', {filters: [{repositoryMatch: 'n|hr'}]})
    await same('myorg', 'names', {filters: [{pathsExist: ['two']}]})
    await same('myorg', 'names', {filters: [{pathsDoNotExist: ['two/']}]})
    await same('myorg', P, {allBranches: true, filters: [{branchMatch: 'feat'}]})
    await same('myorg', P, {allBranches: true, filters: [{pathsExist: ['dir/subdir/item.yaml']}]})
  })

  it('values: values.<key> in fasttemplate, a `values` map in goTemplate', async () => {
    await same('myorg', P, {values: {foo: 'bar', at: '{{ branch }}?'}}, false)
    await same('myorg', P, {allBranches: true, values: {at: '{{ .short_sha_7 }}'}})
  })

  it("a pattern Go cannot compile: the generator fails in Argo CD's words (cloneProtocol is ignored)", async () => {
    const fails = async (more: Record<string, unknown>) =>
      expectArgoScmFailure(oracle, azure('myorg', 'names', {accessTokenRef: TOKEN_REF, ...more}), await api(), {
        token: TOKEN,
      })
    await fails({filters: [{repositoryMatch: '('}]})
  })
})

describe("the description's recorded examples (organization fabrikam), over the fake Azure DevOps", () => {
  const fiber = (branch: string, sha: string) => ({
    organization: 'fabrikam',
    repository: 'Fabrikam-Fiber-Git',
    repository_id: ID.fiber,
    url: 'https://dev.azure.com/fabrikam/_git/Fabrikam-Fiber-Git',
    branch,
    sha,
    short_sha: sha.slice(0, 8),
    short_sha_7: sha.slice(0, 7),
    labels: '',
  })

  it('the default branch of each repository (refs/heads/ stripped for GetBranch); one without a default branch left out', async () => {
    const before = az.requestsFor('Stats_Get').length
    expect(await paramsOf(azure('fabrikam', 'Fabrikam-Fiber-Git'))).toEqual([
      {...fiber('master', '23d0bc5b128a10056dc68afece360d8a0fabb014'), branchNormalized: 'master'},
      expect.objectContaining({repository: 'TestGit', repository_id: ID.testGit, branch: 'master', sha: 'fe17a84c'}),
    ])
    const asked = az.requestsFor('Stats_Get').slice(before)
    expect(asked.map((r) => [r.path, r.query])).toEqual([
      [
        '/fabrikam/Fabrikam-Fiber-Git/_apis/git/repositories/Fabrikam-Fiber-Git/stats/branches',
        {name: 'master', 'api-version': '7.1-preview.1'},
      ],
      [
        '/fabrikam/Fabrikam-Fiber-Git/_apis/git/repositories/TestGit/stats/branches',
        expect.objectContaining({name: 'master'}),
      ],
    ])
  })

  it('allBranches: every branch statistic, branchNormalized of a branch with a slash', async () => {
    const sets = await paramsOf(azure('fabrikam', 'Fabrikam-Fiber-Git', {allBranches: true}))
    expect(pairs(sets)).toEqual([
      'Fabrikam-Fiber-Git@develop',
      'Fabrikam-Fiber-Git@master',
      'Fabrikam-Fiber-Git@npaulk/feature',
      'TestGit@master',
    ])
    expect(sets[0]).toMatchObject(fiber('develop', '67cae2b029dff7eb3dc062b49403aaedca5bad8d'))
    expect(sets[2].branchNormalized).toBe('npaulk-feature')
  })

  it('the organization is lower-cased into its URL, as NewPatConnection normalizes it', async () => {
    expect(pairs(await paramsOf(azure('Fabrikam', 'Fabrikam-Fiber-Git')))).toHaveLength(2)
    expect(az.requestsFor('Repositories_List').at(-1)!.path).toBe('/fabrikam/Fabrikam-Fiber-Git/_apis/git/repositories')
  })
})

describe('azure_devops_test.go, over the fake Azure DevOps', () => {
  it('TestGetAzureDevopsRepositories: of repositories missing a name, default branch, remote URL or id, only the eligible one', async () => {
    expect(pairs(await paramsOf(azure('myorg', 'listing')))).toEqual(['returned1@main'])
  })

  it('TestAzureDevOpsGetDefaultBranchStripsRefsName: GetBranch asks somebranch, the set is its branch', async () => {
    const [set] = await paramsOf(azure('myorg', P))
    expect(set).toMatchObject({
      branch: 'somebranch',
      sha: 'abc123233223',
      short_sha: 'abc12323',
      repository_id: guid(`myorg/${P}/${R}`),
    })
    expect(az.requestsFor('Stats_Get').at(-1)!.query.name).toBe('somebranch')
  })

  it("TestAzureDevopsGetBranches: one set per branch statistic (a long commit id, duplicate names kept), the repository id of each the repository's", async () => {
    // Two branches of one name: the Applications named by their commit too (Argo CD refuses duplicate names).
    const sets = await paramsOf(azure('myorg', 'multiple', {allBranches: true}), true, undefined, '-{{ .short_sha_7 }}')
    expect(sets.map((s) => [s.branch, s.sha, s.short_sha])).toEqual([
      ['feature-feat1', 'abc123233223', 'abc12323'],
      ['feature/feat2', '4334', '4334'],
      ['feature/feat2', '53863052ADF24229AB72154B4D83DAB7', '53863052'],
    ])
    for (const s of sets) expect(s.repository_id).toBe(guid('myorg/myorg_project/multi'))
    // The mock's nil result ("empty branch result") cannot come over HTTP: an empty collection is no branch.
    expect(await paramsOf(azure('myorg', 'empty', {allBranches: true}))).toEqual([])
  })

  it('TestAzureDevopsRepoHasPath: found is true, GitItemNotFoundException false, GetItem asked by the repository id at the branch', async () => {
    const has = (path: string) =>
      paramsOf({...azure('myorg', P, {allBranches: true}), filters: [{branchMatch: '^my/', pathsExist: [path]}]})
    expect(pairs(await has('dir/subdir/item.yaml'))).toEqual([`${R}@my/featurebranch`])
    expect(pairs(await has('dir/subdir/'))).toEqual([`${R}@my/featurebranch`])
    expect(await has('dir/subdir/other.yaml')).toEqual([])
    expect(az.requestsFor('Items_Get').at(-1)).toEqual({
      operationId: 'Items_Get',
      path: `/myorg/${P}/_apis/git/repositories/${guid(`myorg/${P}/${R}`)}/items`,
      query: {
        path: 'dir/subdir/other.yaml',
        'versionDescriptor.version': 'my/featurebranch',
        'api-version': '7.1-preview.1',
      },
    })
  })

  it('TestAzureDevopsRepoHasPath: another typeKey, a plain-text error, a JSON error without typeKey fail the generator', async () => {
    const spec = {...azure('myorg', P), filters: [{pathsExist: ['dir']}]}
    az.respondNext('Items_Get', {status: 404, body: wrapped('OtherAzureDevopsException', 'other')})
    expect(await failure(spec)).toBe(`${PREFIX}failed to check for path existence in Azure DevOps: other`)
    az.respondNext('Items_Get', {status: 400, body: 'Undefined error from Azure Devops'})
    expect(await failure(spec)).toBe(
      `${PREFIX}failed to check for path existence in Azure DevOps: Undefined error from Azure Devops`,
    )
    az.respondNext('Items_Get', {status: 400, body: {message: 'no type key'}})
    expect(await failure(spec)).toMatch(/failed to check for path existence in Azure DevOps: no type key$/)
  })

  it('TestGetDefaultBranchOnDisabledRepo, TestGetAllBranchesOnDisabledRepo: GitRepositoryNotFoundException is no branch; another failure fails', async () => {
    expect(await paramsOf(azure('myorg', 'disabled'))).toEqual([])
    expect(await paramsOf(azure('myorg', 'disabled', {allBranches: true}))).toEqual([])
    az.respondNext('Stats_Get', {status: 404, body: wrapped('OtherError', 'TF000000: other')})
    expect(await failure(azure('myorg', 'web'))).toBe(
      `${PREFIX}could not get default branch main (refs/heads/main) from repository web: TF000000: other`,
    )
    az.respondNext('Stats_List', {status: 404, body: wrapped('OtherError', 'TF000000: other')})
    expect(await failure(azure('myorg', 'web', {allBranches: true}))).toBe(
      `${PREFIX}failed getting branches from repository web, project web: TF000000: other`,
    )
  })

  it('TestAzureDevOpsGetBranchesDefultBranchOnly: a default branch the repository does not have fails the generator', async () => {
    const r = repository('myorg', 'web', 'web')
    expect(r.entry.defaultBranch).toBe('refs/heads/main')
    az.respondNext('Stats_Get', {
      status: 404,
      body: wrapped('GitUnresolvableToCommitException', 'TF401175: unresolvable'),
    })
    expect(await failure(azure('myorg', 'web'))).toMatch(
      /could not get default branch main .*: TF401175: unresolvable$/,
    )
  })
})

describe('utils_test.go filters over Azure DevOps, values, cloneProtocol', () => {
  const names = async (filters: unknown[]) => pairs(await paramsOf({...azure('myorg', 'names'), filters}))
  it('repositoryMatch, pathsExist, pathsDoNotExist, branchMatch; labelMatch matches nothing (no labels)', async () => {
    expect(await names([{repositoryMatch: 'n|hr'}])).toEqual(['one@main', 'three@main'])
    expect(await names([{pathsExist: ['two']}])).toEqual(['two@main'])
    expect(await names([{pathsDoNotExist: ['two']}])).toEqual(['one@main', 'three@main', 'four@main'])
    expect(await names([{branchMatch: '^main$', repositoryMatch: '^f'}])).toEqual(['four@main'])
    expect(await names([{labelMatch: '.*'}])).toEqual([])
  })

  it('values (fasttemplate): values.<key> rendered with the set', async () => {
    const sets = await paramsOf({...azure('myorg', 'web'), values: {at: '{{ branch }}@{{ organization }}'}}, false)
    expect(sets[0]).toMatchObject({'values.at': 'main@myorg'})
  })

  it('cloneProtocol is ignored: ssh, https and any other give the remote URL', async () => {
    for (const cloneProtocol of ['ssh', 'https', 'other']) {
      const [set] = await paramsOf({...azure('myorg', 'web'), cloneProtocol})
      expect(set.url).toBe('https://dev.azure.com/myorg/web/_git/web')
    }
  })
})

describe('the API and failures: another host never asked, failures fail closed', () => {
  it("an api that is not the run's (or the default https://dev.azure.com) is never asked: not rendered, named", async () => {
    const before = az.requests.length
    for (const other of ['https://dev.azure.com', undefined]) {
      const spec = {azureDevOps: {organization: 'myorg', teamProject: 'web', ...(other ? {api: other} : {})}}
      const out = await expand(appSet(generator(spec), true, '{{ .repository }}'), await api())
      expect(out.notRendered).toEqual([
        expect.objectContaining({
          generator: 'scmProvider',
          why: expect.stringMatching(/^azureDevOps.api asks https:\/\/dev.azure.com, not this run's API/),
        }),
      ])
    }
    expect(az.requests.length).toBe(before)
    // The run's API written with a trailing slash, upper-cased: the same API.
    expect(
      await paramsOf({azureDevOps: {organization: 'myorg', teamProject: 'web', api: `${az.url.toUpperCase()}/`}}),
    ).toHaveLength(1)
  })

  it('a server that keeps failing, an unknown project, a refused token, no token', async () => {
    az.respondNext(
      'Repositories_List',
      ...Array.from({length: 2}, () => ({status: 503, body: {message: 'unavailable'}})),
    )
    const before = az.requestsFor('Repositories_List').length
    expect(await failure(azure('myorg', 'web'))).toMatch(
      new RegExp(
        `^${PREFIX}GET .*/myorg/web/_apis/git/repositories\\?api-version=7.1-preview.1: .*503.*gave up after 2 attempts`,
      ),
    )
    expect(az.requestsFor('Repositories_List').length - before).toBe(2)
    expect(await failure(azure('myorg', 'nowhere'))).toBe(
      `${PREFIX}TF200016: The following project does not exist: nowhere.`,
    )
    const refused = (await scmOfFlag('azureDevOps', az.url, env({AZURE_DEVOPS_TOKEN: 'refused-pat-0d8e'})))!
    expect(await failure(azure('myorg', 'web'), refused)).toBe(`${PREFIX}Request returned status: 401 Unauthorized`)
    const none = (await scmOfFlag('azureDevOps', az.url, {}))!
    expect(none).toBeInstanceOf(ScmListing)
    expect(await failure(azure('myorg', 'web'), none)).toBe(
      `${PREFIX}no Azure DevOps token (AZURE_DEVOPS_TOKEN): ${az.url} was not asked`,
    )
  })

  it('the budget: one request a question; past it the generator fails (never a partial list)', async () => {
    const budget = (await scmOfFlag('azureDevOps', az.url, env(), {maxRequests: 3}))!
    expect(await failure({...azure('myorg', 'names'), filters: [{pathsExist: ['x']}]}, budget)).toMatch(
      /budget of 3 Azure DevOps API requests is spent/,
    )
    expect(budget.requests).toBe(3)
  })
})

describe('gitops diff --scm-provider azureDevOps (the built CLI)', () => {
  const repos = (url: string) =>
    fleetAppSet(`- scmProvider: {azureDevOps: {organization: myorg, teamProject: web, api: '${url}'}}`)

  it("renders an scmProvider-generated Application's change; without the flag, incomplete; a bad --api-url exit 2", async () => {
    const e = toolEnv(env())
    const before = az.requestsFor('Repositories_List').length
    const {repo, run} = await diffFleet(repos(az.url), env(), ['--scm-provider', 'azureDevOps', '--api-url', az.url])
    expect(az.requestsFor('Repositories_List').length - before).toBe(1)
    expect(run.stderr + JSON.stringify(run.result)).not.toContain(TOKEN)

    const without = await diffLast<ScmDiff>(repo, e)
    expect(without.result.summary).toBe('incomplete')
    const bad = await runCli(['gitops', 'diff', '--json', '--scm-provider', 'azureDevOps', '--api-url', 'ftp://x'], {
      cwd: repo,
      env: e,
    })
    expect(bad.exitCode).toBe(2)
    expect(bad.json<{error: {code: string}}>().error.code).toBe('INVALID_API_URL')
  })
})
