/**
 * The ApplicationSet `scmProvider` generator with `github`, evaluated over GitHub's API (`--scm-provider github`): the
 * real client against the fake GitHub that validates every request and response against GitHub's published OpenAPI
 * description (test/support/github-server.ts, its organizations in test/scm-providers/github/github-orgs.ts). The cases
 * are argo-cd v3.5.1's own: services/scm_provider/github_test.go (TestGithubListRepos, TestGithubHasPath,
 * TestGithubGetBranches: its organization served as its mock handler serves it), utils_test.go (the filters over
 * MockProvider's repositories, whose RepoHasPath is "the path is the repository's name") and
 * generators/scm_provider_test.go (the parameters, values, and TestAllowedSCMProvider's API of another host). Then what
 * the port adds: goTemplate, matrix, template override, the bounds, the failures (fail closed), and `gitops diff`
 * through the built CLI.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {ScmProviderApi} from '../../../src/gitops/model/types.js'
import {ScmListing} from '../../../src/gitops/argocd/applicationset/scm-providers/listing.js'
import {scmOfFlag} from '../../../src/gitops/argocd/applicationset/scm-providers/registry.js'
import {startOracle, type Oracle} from '../../support/argo-oracle.js'
import {runCli} from '../../support/cli.js'
import {diffLast, history} from '../../support/diff-repo.js'
import {FakeGitHub} from '../../support/github-server.js'
import type {FakeOrgRepository} from './github-orgs.js'
import {
  branchPairs,
  diffFleet,
  expandScm,
  expectArgoScm,
  expectArgoScmFailure,
  filterCases,
  fleetAppSet,
  fleetConfigMap,
  prefixProxy,
  scmAppSet,
  type ScmDiff,
  scmFailure,
  scmGenerator,
  scmParams,
  TOKEN_REF,
} from '../scm-appset.js'
import {requireTool, toolEnv} from '../../support/toolchain.js'

const TOKEN = 'scm-provider-token-3f9a61'
const FAST = JSON.stringify({retryAttempts: 2, retryDelayMs: 1})
const TOPICS = ['argoproj', 'atom', 'electron', 'api']
const SHA = {
  master: 'c5b97d5ae6c19d5c5df71a34c7fbeeda2479ccbc',
  test: '80a6e93f16e8093e24091b03c614362df3fb9b92',
  main: '19b016818bc0e0a44ddeaab345838a2a6c97fa67',
}
/** MockProvider's RepoHasPath: a repository has the path of its own name, on every branch. */
const mock = (name: string, branches: string[], topics: string[] = []): FakeOrgRepository => ({
  name,
  topics,
  branches: Object.fromEntries(branches.map((b, i) => [b, `${name}${i}`.padEnd(40, '0')])),
  paths: Object.fromEntries(branches.map((b) => [b, [name]])),
})
const ORGS: Record<string, FakeOrgRepository[]> = {
  // github_test.go's githubMockHandler.
  argoproj: [
    {
      name: 'argo-cd',
      id: 1296269,
      topics: TOPICS,
      defaultBranch: 'master',
      branches: {master: SHA.master, test: SHA.test},
      paths: {master: ['pkg/main.go']},
    },
    {
      name: 'another-repo',
      id: 1296270,
      topics: TOPICS,
      defaultBranch: 'master',
      archived: true,
      branches: {main: SHA.main},
    },
  ],
  names: ['one', 'two', 'three', 'four'].map((n) => mock(n, ['main'])),
  labels: [
    mock('one', ['main'], ['prod-one', 'prod-two', 'staging']),
    mock('two', ['main'], ['prod-two']),
    mock('three', ['main'], ['staging']),
  ],
  branches: [mock('one', ['one', 'two']), mock('two', ['one']), mock('three', ['one', 'two'])],
  // scm_provider_test.go's "Multiple repos with labels".
  myorg: [
    {
      name: 'repo1',
      id: 190320251,
      topics: ['prod', 'staging'],
      branches: {main: '0bc57212c3cbbec69d20b34c507284bd300def5b'},
    },
    {name: 'repo2', id: 190320252, branches: {main: '59d0'}},
  ],
  big: Array.from({length: 150}, (_, i) => mock(`r${String(i).padStart(3, '0')}`, ['main'])),
  example: [{name: 'web', id: 7, topics: ['gitops'], branches: {main: SHA.main}}],
}

let gh: FakeGitHub
let oracle: Oracle
let enterprise: Awaited<ReturnType<typeof prefixProxy>>
beforeAll(async () => {
  oracle = await startOracle()
  gh = await new FakeGitHub({token: TOKEN, organizations: ORGS}).start()
  enterprise = await prefixProxy(gh.url, '/api/v3')
}, 1_800_000)
afterAll(async () => {
  oracle?.stop()
  await enterprise?.close()
  expect(gh.violations).toEqual([])
  await gh.close()
})

const env = (extra: Record<string, string> = {}) => ({GH_TOKEN: TOKEN, AMEIDE_TEST_TIMINGS: FAST, ...extra})
const api = async () => (await scmOfFlag('github', gh.url, env()))!

const expand = expandScm
const generator = scmGenerator
const appSet = scmAppSet
const github = (organization: string, more: Record<string, unknown> = {}) => ({
  github: {organization, api: gh.url, ...more},
})

/** The parameter sets generated, in Argo CD's order (repositories as listed, then branches). */
const paramsOf = async (spec: Record<string, unknown>, goTemplate = false, scm?: ScmProviderApi) =>
  scmParams(spec, scm ?? (await api()), goTemplate)
const pairs = branchPairs
const failure = async (spec: Record<string, unknown>, scm?: ScmProviderApi) => scmFailure(spec, scm ?? (await api()))

describe("Argo CD v3.5.1's own GitHub provider (the oracle) over the same fake GitHub: the same parameter sets", () => {
  // Argo CD asks the fake GitHub as a GitHub Enterprise host (under /api/v3/, the proxy drops it); `gitops diff`, given
  // that host's API as --api-url, asks the same paths at its root.
  const same = async (owner: string, more: Record<string, unknown> = {}, goTemplate = false) => {
    const spec = github(owner, {tokenRef: TOKEN_REF, ...more})
    const argo = {github: {...spec.github, api: enterprise.url}}
    return expectArgoScm(oracle, spec, await api(), {token: TOKEN}, goTemplate, argo)
  }

  it.each([
    ['each repository at its default branch, ssh', 'argoproj', {}],
    ['https clone URLs', 'argoproj', {cloneProtocol: 'https'}],
    ['every branch, archived repositories too', 'argoproj', {allBranches: true}],
    ['every branch, archived repositories left out', 'argoproj', {allBranches: true, excludeArchivedRepos: true}],
    ['topics and ids', 'myorg', {}],
    ['150 repositories over pages', 'big', {}],
  ] as const)('%s', async (_, owner, more) => {
    await same(owner, more)
  })

  it('the filters: repositoryMatch, labelMatch, pathsExist, pathsDoNotExist, branchMatch, and their AND and OR', async () => {
    await filterCases(same)
    await same('argoproj', {filters: [{pathsExist: ['pkg/main.go']}]})
  })

  it('values: values.<key> in fasttemplate, a `values` map in goTemplate', async () => {
    await same('myorg', {values: {foo: 'bar', at: '{{ branch }}?'}})
    await same('branches', {allBranches: true, values: {at: '{{ .short_sha_7 }}'}}, true)
  })

  it("a pattern Go cannot compile, an unknown clone protocol: the generator fails in Argo CD's words", async () => {
    const fails = async (more: Record<string, unknown>) =>
      expectArgoScmFailure(
        oracle,
        github('names', {tokenRef: TOKEN_REF, ...more}),
        await api(),
        {token: TOKEN},
        {github: {...github('names', {tokenRef: TOKEN_REF, ...more}).github, api: enterprise.url}},
      )
    await fails({filters: [{repositoryMatch: '('}]})
    await fails({cloneProtocol: 'other'})
  })
})

describe('github_test.go TestGithubListRepos, over the fake GitHub', () => {
  const argoCd = (branch: 'master' | 'test', url: string) => ({
    organization: 'argoproj',
    repository: 'argo-cd',
    repository_id: 1296269,
    branch,
    sha: SHA[branch],
    url,
    labels: TOPICS.join(','),
  })
  const another = (url: string) => ({
    organization: 'argoproj',
    repository: 'another-repo',
    repository_id: 1296270,
    branch: 'main',
    sha: SHA.main,
    url,
    labels: TOPICS.join(','),
  })
  const ssh = (r: string) => `git@github.com:argoproj/${r}.git`
  const https = (r: string) => `https://github.com/argoproj/${r}.git`
  const cases = [
    {name: 'blank protocol', proto: undefined, url: ssh},
    {name: 'ssh protocol', proto: 'ssh', url: ssh},
    {name: 'https protocol', proto: 'https', url: https},
  ]
  for (const c of cases) {
    it(`${c.name}: every branch of every repository (an empty filter is ignored)`, async () => {
      const sets = await paramsOf({
        ...github('argoproj', {allBranches: true}),
        ...(c.proto ? {cloneProtocol: c.proto} : {}),
        filters: [{}],
      })
      expect(sets).toEqual([
        expect.objectContaining(argoCd('master', c.url('argo-cd'))),
        expect.objectContaining(argoCd('test', c.url('argo-cd'))),
        expect.objectContaining(another(c.url('another-repo'))),
      ])
    })
  }

  it('other protocol: the generator fails', async () => {
    expect(await failure({...github('argoproj', {allBranches: true}), cloneProtocol: 'other'})).toBe(
      'error generating params: error listing repos: unknown clone protocol for GitHub other',
    )
  })

  it('all branches without archived repos: excludeArchivedRepos drops another-repo', async () => {
    const sets = await paramsOf(github('argoproj', {allBranches: true, excludeArchivedRepos: true}))
    expect(pairs(sets)).toEqual(['argo-cd@master', 'argo-cd@test'])
  })

  it('TestGithubGetBranches: the default branch alone; a default branch GitHub does not have is an empty repository', async () => {
    // another-repo's default branch (master) is not among its branches: no set, no error.
    expect(pairs(await paramsOf(github('argoproj')))).toEqual(['argo-cd@master'])
    const asked = gh.requestsFor('repos/get-branch').map((r) => r.path)
    expect(asked).toContain('/repos/argoproj/another-repo/branches/master')
  })

  it('TestGithubHasPath: pkg/ exists on master (the trailing slash trimmed), notathing/ does not', async () => {
    const scm = await api()
    expect(pairs(await paramsOf({...github('argoproj'), filters: [{pathsExist: ['pkg/']}]}, false, scm))).toEqual([
      'argo-cd@master',
    ])
    expect(await paramsOf({...github('argoproj'), filters: [{pathsExist: ['notathing/']}]}, false, scm)).toEqual([])
    const contents = gh.requestsFor('repos/get-content').map((r) => `${r.path}?ref=${r.query.ref}`)
    expect(contents).toEqual(
      expect.arrayContaining([
        '/repos/argoproj/argo-cd/contents/pkg?ref=master',
        '/repos/argoproj/argo-cd/contents/notathing?ref=master',
      ]),
    )
  })
})

describe('utils_test.go: the filters (each an AND of its fields, the filters an OR)', () => {
  const names = async (org: string, filters: unknown[], allBranches = false) =>
    pairs(await paramsOf({...github(org, {allBranches}), filters}))

  it('TestFilterRepoMatch: repositoryMatch "n|hr"', async () => {
    expect(await names('names', [{repositoryMatch: 'n|hr'}])).toEqual(['one@main', 'three@main'])
  })
  it('TestFilterLabelMatch: labelMatch "^prod-.*$" on any topic', async () => {
    expect(await names('labels', [{labelMatch: '^prod-.*$'}])).toEqual(['one@main', 'two@main'])
  })
  it('TestFilterPathExists: pathsExist', async () => {
    expect(await names('names', [{pathsExist: ['two']}])).toEqual(['two@main'])
  })
  it('TestFilterPathDoesntExists: pathsDoNotExist', async () => {
    expect(await names('names', [{pathsDoNotExist: ['two']}])).toEqual(['one@main', 'three@main', 'four@main'])
  })
  it('TestFilterRepoMatchBadRegexp, TestFilterLabelMatchBadRegexp: a pattern Go cannot compile fails the generator before any request', async () => {
    const before = gh.requests.length
    expect(await failure({...github('names'), filters: [{repositoryMatch: '('}]})).toMatch(
      /^error generating params: error listing repos: error compiling RepositoryMatch regexp "\(": error parsing regexp: missing closing \)/,
    )
    expect(await failure({...github('names'), filters: [{labelMatch: '('}]})).toMatch(
      /error compiling LabelMatch regexp "\("/,
    )
    expect(gh.requests.length).toBe(before)
  })
  it('TestFilterBranchMatch: branchMatch "w" over every branch', async () => {
    expect(await names('branches', [{branchMatch: 'w'}], true)).toEqual(['one@two', 'three@two'])
  })
  it('TestApplicableFilterMap: a filter with no field is neither kind, ignored beside a branch filter', async () => {
    expect(await names('branches', [{branchMatch: 'w'}, {}], true)).toEqual(['one@two', 'three@two'])
  })
  it('TestMultiFilterAnd: repositoryMatch and labelMatch in one filter', async () => {
    expect(await names('labels', [{repositoryMatch: 'w', labelMatch: '^prod-.*$'}])).toEqual(['two@main'])
  })
  it('TestMultiFilterOr: two filters', async () => {
    expect(await names('labels', [{repositoryMatch: 'e'}, {labelMatch: '^prod-.*$'}])).toEqual([
      'one@main',
      'two@main',
      'three@main',
    ])
  })
  it('TestNoFilters', async () => {
    expect(await names('labels', [])).toEqual(['one@main', 'two@main', 'three@main'])
  })
  it('a repository filter with a branch field is a branch filter: all its fields hold per branch', async () => {
    expect(await names('branches', [{repositoryMatch: '^t', branchMatch: 'o'}], true)).toEqual([
      'two@one',
      'three@one',
      'three@two',
    ])
    // pathsExist with repositoryMatch: the path asked only of the repositories that match.
    const before = gh.requestsFor('repos/get-content').length
    expect(await names('names', [{repositoryMatch: '^f', pathsExist: ['four']}])).toEqual(['four@main'])
    expect(gh.requestsFor('repos/get-content').length - before).toBe(1)
  })
})

describe('scm_provider_test.go TestSCMProviderGenerateParams', () => {
  it('multiple repos with labels: every parameter, short_sha of a short sha', async () => {
    expect(await paramsOf(github('myorg'))).toEqual([
      {
        organization: 'myorg',
        repository: 'repo1',
        repository_id: 190320251,
        url: 'git@github.com:myorg/repo1.git',
        branch: 'main',
        branchNormalized: 'main',
        sha: '0bc57212c3cbbec69d20b34c507284bd300def5b',
        short_sha: '0bc57212',
        short_sha_7: '0bc5721',
        labels: 'prod,staging',
      },
      {
        organization: 'myorg',
        repository: 'repo2',
        repository_id: 190320252,
        url: 'git@github.com:myorg/repo2.git',
        branch: 'main',
        branchNormalized: 'main',
        sha: '59d0',
        short_sha: '59d0',
        short_sha_7: '59d0',
        labels: '',
      },
    ])
  })

  it('value interpolation (fasttemplate): values.<key>, rendered with the set', async () => {
    const sets = await paramsOf({...github('myorg'), values: {foo: 'bar', should_i_force_push_to: '{{ branch }}?'}})
    expect(sets[0]).toMatchObject({'values.foo': 'bar', 'values.should_i_force_push_to': 'main?'})
  })

  it('goTemplate: `values` a map; branchNormalized is SanitizeName', async () => {
    const sets = await paramsOf(
      {...github('branches', {allBranches: true}), values: {at: '{{ .repository }}/{{ .short_sha_7 }}'}},
      true,
    )
    expect(sets[0]).toMatchObject({repository: 'one', branch: 'one', values: {at: 'one/one0000'}})
  })
})

describe('the scmProvider generator beyond the controller tests', () => {
  it('inside a matrix with a list: the organization interpolated from the list', async () => {
    const text = appSet(
      [
        '- matrix:',
        '    generators:',
        '      - list: {elements: [{org: names, env: dev}]}',
        `      - scmProvider: {github: {organization: '{{ .org }}', api: '${gh.url}'}, filters: [{repositoryMatch: '^t'}]}`,
      ],
      true,
      '{{ .repository }}-{{ .env }}',
    )
    const out = await expand(text, await api())
    expect(out.errors).toEqual([])
    expect(out.applications.map((a) => a.name)).toEqual(['two-dev', 'three-dev'])
  })

  it("the generator's template is merged over spec.template", async () => {
    const text = appSet(
      [
        `- scmProvider: {github: {organization: labels, api: '${gh.url}'}, filters: [{labelMatch: staging}], template: {metadata: {}, spec: {project: '{{ .labels }}', destination: {}}}}`,
      ],
      true,
      '{{ .repository }}',
    )
    const out = await expand(text, await api())
    expect(out.applications.map((a) => [a.name, a.spec.project])).toEqual([
      ['one', 'prod-one,prod-two,staging'],
      ['three', 'staging'],
    ])
  })

  it('every page is read (150 repositories: two pages of 100), each listing once per run', async () => {
    const scm = await api()
    const before = gh.requestsFor('repos/list-for-org').length
    expect(await paramsOf({...github('big'), filters: [{repositoryMatch: '^r1[0-4]9$'}]}, false, scm)).toHaveLength(5)
    await paramsOf({...github('big'), filters: [{repositoryMatch: '^r1[0-4]9$'}]}, false, scm)
    expect(gh.requestsFor('repos/list-for-org').length - before).toBe(2)
    expect(gh.requestsFor('repos/list-for-org').at(-1)!.query).toEqual({per_page: '100', page: '2'})
  })

  it('TestAllowedSCMProvider: an API of another host is never asked: the generator is not rendered, named', async () => {
    const before = gh.requests.length
    for (const other of ['https://myservice.mynamespace.svc.cluster.local', undefined]) {
      const spec = {github: {organization: 'argoproj', ...(other ? {api: other} : {})}}
      const out = await expand(appSet(generator(spec), true, '{{ .repository }}'), await api())
      expect(out.applications).toEqual([])
      expect(out.notRendered).toEqual([
        expect.objectContaining({
          generator: 'scmProvider',
          why: expect.stringMatching(/^github.api asks .* is never asked$/),
        }),
      ])
    }
    expect(gh.requests.length).toBe(before)
  })

  it('other providers, and no --scm-provider: not rendered, named', async () => {
    const gitlab = await expand(appSet(generator({gitlab: {group: 'x'}}), true, '{{ .repository }}'), await api())
    expect(gitlab.notRendered).toEqual([
      expect.objectContaining({
        why: expect.stringMatching(/the gitlab provider is not asked: this run asks github \(--scm-provider gitlab/),
      }),
    ])
    const none = await expand(appSet(generator(github('argoproj')), true, '{{ .repository }}'))
    expect(none.notRendered).toEqual([
      expect.objectContaining({generator: 'scmProvider', why: expect.stringMatching(/--scm-provider github/)}),
    ])
    expect(await scmOfFlag(undefined, gh.url, env())).toBeUndefined()
  })
})

describe('GitHub failures fail closed: the generator fails, nothing generated, no token printed', () => {
  it('a server that keeps failing, an unknown organization, a refused token, no token', async () => {
    gh.respondNext(
      'repos/list-for-org',
      ...Array.from({length: 3}, () => ({status: 502, body: {message: 'Bad Gateway'}})),
    )
    const failing = await failure(github('argoproj'))
    const unknown = await failure(github('nobody'))
    const refused = await failure(
      github('argoproj'),
      (await scmOfFlag('github', gh.url, env({GH_TOKEN: 'refused-token-9c2b'})))!,
    )
    const noToken = await failure(
      github('argoproj'),
      new ScmListing({provider: 'github', apiUrl: gh.url, unreadable: 'no GitHub token'}),
    )
    const prefix = 'error generating params: error listing repos: error listing repositories for '
    expect(failing).toMatch(new RegExp(`^${prefix}argoproj: GitHub list repositories failed \\(502\\)`))
    expect(unknown).toMatch(new RegExp(`^${prefix}nobody: GitHub list repositories failed \\(404\\): Not Found`))
    expect(refused).toMatch(/\(401\): Bad credentials/)
    expect(noToken).toBe(`${prefix}argoproj: no GitHub token`)
    for (const m of [failing, unknown, refused]) expect(m).not.toContain(TOKEN)
  })

  it('a branch or path that cannot be read fails the generator with Argo CD words', async () => {
    gh.respondNext('repos/get-branch', {status: 403, body: {message: 'Resource not accessible by integration'}})
    expect(await failure(github('labels'))).toMatch(
      /^error generating params: error listing repos: error listing branches for labels\/one: GitHub get branch failed \(403\)/,
    )
    gh.respondNext('repos/get-content', {status: 403, body: {message: 'Resource not accessible by integration'}})
    expect(await failure({...github('labels'), filters: [{pathsExist: ['one']}]})).toMatch(
      /^error generating params: error listing repos: GitHub get contents failed \(403\)/,
    )
  })

  it('the bounds: a listing of more pages, a run of more requests, fail the generator (never a partial list)', async () => {
    const pages = (await scmOfFlag('github', gh.url, env(), {maxPages: 1}))!
    expect(await failure(github('big'), pages)).toMatch(/the listing has more than 1 pages: not read whole/)
    const budget = (await scmOfFlag('github', gh.url, env(), {maxRequests: 2}))!
    expect(await failure({...github('names'), filters: [{pathsExist: ['x']}]}, budget)).toMatch(
      /budget of 2 GitHub API requests is spent/,
    )
    expect(budget.requests).toBe(2)
  })
})

describe('gitops diff --scm-provider github (the built CLI)', () => {
  const repos = (url: string) =>
    fleetAppSet(`- scmProvider: {github: {organization: example, api: '${url}'}, filters: [{labelMatch: gitops}]}`)
  const configMap = fleetConfigMap

  it("renders an scmProvider-generated Application's change, GitHub asked once for both revisions; without the flag, incomplete", async () => {
    const e = toolEnv(env())
    const before = gh.requestsFor('repos/list-for-org').length
    const {repo, run} = await diffFleet(repos(gh.url), env(), ['--scm-provider', 'github', '--api-url', gh.url])
    expect(gh.requestsFor('repos/list-for-org').length - before).toBe(1)
    expect(run.stderr + JSON.stringify(run.result)).not.toContain(TOKEN)

    const without = await diffLast<ScmDiff>(repo, e)
    expect(without.exitCode).toBe(1)
    expect(without.result.summary).toBe('incomplete')
    expect(without.result.failures.map((f) => f.message)).toEqual([
      expect.stringMatching(/the scmProvider generator is not rendered/),
      expect.stringMatching(/the scmProvider generator is not rendered/),
    ])
  })

  it('gitops verify --print-layout lists the Applications the generator makes; without the flag, not rendered', async () => {
    const repo = await history({'argocd/repos.yaml': repos(gh.url), 'apps/web/configmap.yaml': configMap('one')})
    interface Layout {
      layout: {applicationSets: Array<{applications: Array<{name: string}>; notRendered: Array<{generator: string}>}>}
    }
    const layoutOf = async (args: string[]) => {
      const run = await runCli(['gitops', 'verify', '--print-layout', '--json', ...args], {cwd: repo, env: env()})
      expect(run.exitCode).toBe(0)
      const [set] = run.json<Layout>().layout.applicationSets
      return [set.applications.map((a) => a.name), set.notRendered.map((n) => n.generator)]
    }
    expect(await layoutOf(['--scm-provider', 'github', '--api-url', gh.url])).toEqual([['web-main'], []])
    expect(await layoutOf([])).toEqual([[], ['scmProvider']])
  })

  it('fails closed through the CLI: an API failure is render-failed (exit 1), a bad --api-url exit 2', async () => {
    requireTool('kustomize')
    const repo = await history(
      {'argocd/repos.yaml': repos(gh.url), 'apps/web/configmap.yaml': configMap('one')},
      {'apps/web/configmap.yaml': configMap('two')},
    )
    gh.respondNext('repos/list-for-org', ...Array.from({length: 3}, () => ({status: 500, body: {message: 'boom'}})))
    const run = await diffLast<ScmDiff>(repo, toolEnv(env()), ['--scm-provider', 'github', '--api-url', gh.url])
    expect(run.exitCode).toBe(1)
    expect(run.result.failures).toEqual([
      expect.objectContaining({
        rule: 'render-failed',
        message: expect.stringMatching(/error listing repos: error listing repositories for example: .*\(500\)/),
      }),
      expect.anything(),
    ])
    const bad = await runCli(['gitops', 'diff', '--json', '--scm-provider', 'github', '--api-url', 'ftp://x'], {
      cwd: repo,
      env: toolEnv(env()),
    })
    expect(bad.exitCode).toBe(2)
    expect(bad.json<{error: {code: string}}>().error.code).toBe('INVALID_API_URL')
  })
})
