/**
 * The ApplicationSet `scmProvider` generator with `awsCodeCommit`, evaluated over CodeCommit and the Resource Groups
 * Tagging API (`--scm-provider awsCodeCommit`): the real client (SigV4-signed awsJson1_1) against the fake AWS that
 * validates every request and response against AWS's Smithy models and verifies every signature
 * (test/scm-providers/aws-codecommit/codecommit-server.ts). The cases are argo-cd v3.5.1's
 * services/scm_provider/aws_codecommit_test.go (TestAWSCodeCommitListRepos, TestAWSCodeCommitRepoHasPath,
 * TestAWSCodeCommitGetBranches: its mocked answers served by the fake as CodeCommit sends them); then what the port
 * adds: every page, the filters, values, another region never asked, the failures (fail closed), and `gitops diff`
 * through the built CLI.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {ScmProviderApi} from '../../../src/gitops/model/types.js'
import {ScmListing} from '../../../src/gitops/argocd/applicationset/scm-providers/listing.js'
import {scmOfFlag} from '../../../src/gitops/argocd/applicationset/scm-providers/registry.js'
import {error, FakeCodeCommit, type FakeAwsKey, type FakeCodeCommitRepository} from './codecommit-server.js'
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
} from '../scm-appset.js'
import {startOracle, type Oracle} from '../../support/argo-oracle.js'
import {toolEnv} from '../../support/toolchain.js'

const KEY: FakeAwsKey = {
  accessKeyId: 'AKIAFAKECODECOMMIT01',
  secretAccessKey: 'codecommit-secret-key-5b2e91',
  sessionToken: 'codecommit-session-token-c47d',
  region: 'us-east-1',
}
const FAST = JSON.stringify({retryAttempts: 2, retryDelayMs: 1})
const ID1 = '8235624d-d248-4df9-a983-2558b01dbe83'
const HOST = 'git-codecommit.us-east-1.amazonaws.com/v1/repos'

const REPOSITORIES: FakeCodeCommitRepository[] = [
  // aws_codecommit_test.go's repositories: repo1 (main), repo2 (no default branch), repo3 (no metadata).
  {
    name: 'repo1',
    id: ID1,
    defaultBranch: 'main',
    tags: {key1: 'value1', key2: 'x'},
    branches: ['main', 'feature/codecommit', 'chore/go-upgrade'],
    files: {main: ['lib/config.yaml', 'lib/config/a.yaml']},
  },
  {name: 'repo2', id: '640d5859-d265-4e27-a9fa-e0731eb13ed7', tags: {key1: 'value2'}},
  {name: 'repo3-nil-metadata', id: '24a6ee96-d3a0-4be6-a595-c5e5b1ab1617', noMetadata: true},
  ...['one', 'two', 'three'].map((n, i) => ({
    name: n,
    id: `0000000${i}-0000-4000-8000-000000000000`,
    accountId: '222222222222',
    defaultBranch: 'main',
    tags: {team: n === 'two' ? 'b' : 'a'},
    files: {main: [`${n}/app.yaml`]},
  })),
]

let aws: FakeCodeCommit
let oracle: Oracle
beforeAll(async () => {
  oracle = await startOracle()
  aws = await new FakeCodeCommit({key: KEY, repositories: REPOSITORIES, pageSize: 2}).start()
}, 1_800_000)
afterAll(async () => {
  oracle?.stop()
  expect(aws.violations).toEqual([])
  await aws.close()
})

const env = (extra: Record<string, string> = {}) => ({
  AWS_ACCESS_KEY_ID: KEY.accessKeyId,
  AWS_SECRET_ACCESS_KEY: KEY.secretAccessKey,
  AWS_SESSION_TOKEN: KEY.sessionToken!,
  AWS_REGION: KEY.region,
  AMEIDE_TEST_TIMINGS: FAST,
  ...extra,
})
const api = async (extra: Record<string, string> = {}) => (await scmOfFlag('awsCodeCommit', aws.url, env(extra)))!

const cc = (more: Record<string, unknown> = {}) => ({awsCodeCommit: {...more}})
const only = (name: string) => ({filters: [{repositoryMatch: `^${name}$`}]})

const paramsOf = async (spec: Record<string, unknown>, goTemplate = true, scm?: ScmProviderApi) =>
  scmParams(spec, scm ?? (await api()), goTemplate)
const pairs = branchPairs
const failure = async (spec: Record<string, unknown>, scm?: ScmProviderApi) => scmFailure(spec, scm ?? (await api()))
const PREFIX = 'error generating params: error listing repos: '
const repo1 = (url: string, branch = 'main') => ({
  organization: '',
  repository: 'repo1',
  repository_id: ID1,
  url,
  branch,
  branchNormalized: branch.replaceAll('/', '-'),
  sha: '',
  short_sha: '',
  short_sha_7: '',
  labels: '',
})

describe("Argo CD v3.5.1's own CodeCommit provider (the oracle) over the same fake AWS: the same parameter sets", () => {
  // The AWS SDK for Go finds the fake by AWS_ENDPOINT_URL and signs with the test's key, as `gitops diff` does.
  const argoEnv = () => ({
    AWS_ENDPOINT_URL: aws.url,
    AWS_ACCESS_KEY_ID: KEY.accessKeyId,
    AWS_SECRET_ACCESS_KEY: KEY.secretAccessKey,
    AWS_SESSION_TOKEN: KEY.sessionToken!,
    AWS_REGION: KEY.region,
    AWS_EC2_METADATA_DISABLED: 'true',
  })
  const same = async (more: Record<string, unknown> = {}, goTemplate = true) =>
    expectArgoScm(oracle, cc(more), await api(), {env: argoEnv()}, goTemplate)

  it.each([
    ['every repository with a default branch, over pages of 2', {}],
    ['every branch', {allBranches: true}],
    ['https clone URLs', {cloneProtocol: 'https'}],
    ['the region named', {region: 'us-east-1'}],
    ['tag filters: a key, a key and value', {tagFilters: [{key: 'team', value: 'a'}]}],
    ['tag filters: a key alone', {tagFilters: [{key: 'key1'}], allBranches: true}],
  ] as const)('%s', async (_, more) => {
    await same(more)
  })

  it('the filters: repositoryMatch, pathsExist, pathsDoNotExist, branchMatch', async () => {
    await same({filters: [{repositoryMatch: 'o$'}]})
    await same({filters: [{pathsExist: ['two/app.yaml']}]})
    await same({filters: [{pathsDoNotExist: ['lib/config.yaml']}]})
    await same({allBranches: true, filters: [{branchMatch: '^feature/'}]})
    await same({allBranches: true, filters: [{pathsExist: ['lib/config/']}]})
  })

  it('values: values.<key> in fasttemplate, a `values` map in goTemplate', async () => {
    await same({values: {foo: 'bar', at: '{{ branch }}?'}}, false)
    await same({allBranches: true, values: {at: '{{ .repository_id }}'}})
  })

  it("a pattern Go cannot compile, an unknown clone protocol: the generator fails in Argo CD's words", async () => {
    const fails = async (more: Record<string, unknown>) =>
      expectArgoScmFailure(oracle, cc(more), await api(), {env: argoEnv()})
    await fails({filters: [{repositoryMatch: '('}]})
    await fails({cloneProtocol: 'other'})
  })
})

describe('aws_codecommit_test.go TestAWSCodeCommitListRepos, over the fake CodeCommit', () => {
  it('ListRepos by tag with https: GetResources with the tag filters as Argo CD builds them, then GetRepository', async () => {
    const tagFilters = [{key: 'key1', value: 'value1'}, {key: 'key1', value: 'value2'}, {key: 'key2'}]
    // key1 of value1 or value2, and key2: repo1 alone (repo2 has no key2).
    const sets = await paramsOf({...cc({tagFilters}), cloneProtocol: 'https'})
    expect(sets).toEqual([repo1(`https://${HOST}/repo1`)])
    expect(aws.requestsFor('GetResources').at(-1)).toEqual({
      ResourceTypeFilters: ['codecommit:repository'],
      TagFilters: [{Key: 'key1', Values: ['value1', 'value2']}, {Key: 'key2'}],
    })
    expect(aws.requestsFor('GetRepository').at(-1)).toEqual({repositoryName: 'repo1'})
  })

  it('ListRepos by tag with https-fips: the clone URL on git-codecommit-fips.', async () => {
    const sets = await paramsOf({...cc({tagFilters: [{key: 'key1'}]}), cloneProtocol: 'https-fips', ...only('repo1')})
    expect(sets).toEqual([repo1(`https://git-codecommit-fips.us-east-1.amazonaws.com/v1/repos/repo1`)])
    expect(aws.requestsFor('GetResources').at(-1)!.TagFilters).toEqual([{Key: 'key1'}])
  })

  it('ListRepos without tag with invalid repo: ssh; no default branch and no metadata skipped', async () => {
    const before = aws.requestsFor('ListRepositories').length
    const sets = await paramsOf({...cc(), cloneProtocol: 'ssh', filters: [{repositoryMatch: '^repo'}]})
    expect(sets).toEqual([repo1(`ssh://${HOST}/repo1`)])
    expect(aws.requestsFor('ListRepositories').slice(before)[0]).toEqual({})
    expect(await paramsOf({...cc(), filters: [{repositoryMatch: '^repo'}]})).toEqual([repo1(`ssh://${HOST}/repo1`)])
  })

  it('ListRepos with invalid protocol: the generator fails', async () => {
    expect(await failure({...cc(), cloneProtocol: 'invalid-protocol'})).toBe(
      `${PREFIX}unknown clone protocol for codecommit invalid-protocol`,
    )
    const elsewhere = {repositoryName: 'repo1', repositoryId: ID1, defaultBranch: 'main', cloneUrlHttp: 'https://x/r'}
    aws.respondNext('GetRepository', {status: 200, body: {repositoryMetadata: elsewhere}})
    expect(await failure({...cc({tagFilters: [{key: 'key2'}]}), cloneProtocol: 'https-fips'})).toBe(
      `${PREFIX}https-fips is provided but repoUrl can't be transformed to FIPS endpoint: the provided https endpoint isn't recognized, cannot be transformed to FIPS endpoint: https://x/r`,
    )
  })

  it('ListRepos error on listRepos, error on getRepo: the generator fails', async () => {
    aws.respondNext('ListRepositories', error('InvalidContinuationTokenException', 'list repo error'))
    expect(await failure(cc())).toMatch(
      new RegExp(
        `^${PREFIX}failed to list codecommit repository: operation error CodeCommit: ListRepositories, https response error StatusCode: 400, RequestID: .*, InvalidContinuationTokenException: list repo error$`,
      ),
    )
    aws.respondNext('GetRepository', error('EncryptionKeyUnavailableException', 'get repo error'))
    expect(await failure(cc())).toMatch(
      /failed to get codecommit repository: .*EncryptionKeyUnavailableException: get repo error$/,
    )
  })
})

describe('aws_codecommit_test.go TestAWSCodeCommitRepoHasPath: GetFolder of the parent at the branch', () => {
  const folder = (lists: Record<string, string[]>) => ({
    status: 200,
    body: {
      commitId: '0123456789abcdef0123456789abcdef01234567',
      folderPath: '/lib',
      ...Object.fromEntries(
        Object.entries(lists).map(([k, names]) => [k, names.map((relativePath) => ({relativePath}))]),
      ),
    },
  })
  const has = async (path: string, answer?: ReturnType<typeof folder> | ReturnType<typeof error>) => {
    if (answer) aws.respondNext('GetFolder', answer)
    const before = aws.requestsFor('GetFolder').length
    const sets = await paramsOf({...cc(), filters: [{repositoryMatch: '^repo1$', pathsExist: [path]}]})
    return {found: sets.length === 1, asked: aws.requestsFor('GetFolder').slice(before)}
  }
  const all = {
    files: ['config.yaml'],
    subFolders: ['config'],
    subModules: ['submodule'],
    symbolicLinks: ['service.json'],
  }
  const cases: Array<
    [string, string, string | undefined, ReturnType<typeof folder> | ReturnType<typeof error> | undefined, boolean]
  > = [
    ['on regular file', 'lib/config.yaml', '/lib', folder({files: ['config.yaml']}), true],
    ['on folder', 'lib/config', '/lib', folder({subFolders: ['config']}), true],
    ['on submodules', '/lib/submodule/', '/lib', folder({subModules: ['submodule']}), true],
    ['on symlink', './lib/service.json', '/lib', folder({symbolicLinks: ['service.json']}), true],
    ['when no match', 'no-match.json', '/', folder(all), false],
    ['when parent folder not found', 'lib/submodule', '/lib', error('FolderDoesNotExistException', 'no folder'), false],
    ["on root folder - './'", './', undefined, undefined, true],
    ["on root folder - '/'", '/', undefined, undefined, true],
  ]
  for (const [name, path, asked, answer, expected] of cases) {
    it(`RepoHasPath ${name}`, async () => {
      const got = await has(path, answer)
      expect(got.found).toBe(expected)
      expect(got.asked).toEqual(
        asked === undefined ? [] : [{commitSpecifier: 'main', folderPath: asked, repositoryName: 'repo1'}],
      )
    })
  }

  it('RepoHasPath when unknown error: the generator fails', async () => {
    aws.respondNext('GetFolder', error('EncryptionKeyAccessDeniedException', 'unknown error'))
    expect(await failure({...cc(), filters: [{repositoryMatch: '^repo1$', pathsExist: ['lib/x']}]})).toMatch(
      /^error generating params: error listing repos: operation error CodeCommit: GetFolder, .*EncryptionKeyAccessDeniedException: unknown error$/,
    )
  })
})

describe('aws_codecommit_test.go TestAWSCodeCommitGetBranches', () => {
  it('GetBranches all branches: ListBranches, every page, no sha', async () => {
    const before = aws.requestsFor('ListBranches').length
    const sets = await paramsOf({...cc({allBranches: true}), ...only('repo1'), cloneProtocol: 'https'})
    const url = `https://${HOST}/repo1`
    expect(sets).toEqual(['main', 'feature/codecommit', 'chore/go-upgrade'].map((b) => repo1(url, b)))
    // Two pages of two: the second by the first page's nextToken.
    expect(aws.requestsFor('ListBranches').slice(before)).toEqual([
      {repositoryName: 'repo1'},
      {repositoryName: 'repo1', nextToken: expect.any(String)},
    ])
  })

  it('GetBranches default branch only: GetRepository again', async () => {
    const before = aws.requestsFor('GetRepository').length
    expect(pairs(await paramsOf({...cc(), ...only('repo1')}))).toEqual(['repo1@main'])
    // one per listed repository (six), then repo1's default branch
    expect(aws.requestsFor('GetRepository').slice(before).at(-1)).toEqual({repositoryName: 'repo1'})
  })

  it('GetBranches all branches on api error, default branch on api error: the generator fails', async () => {
    aws.respondNext('ListBranches', error('EncryptionKeyDisabledException', 'api error'))
    expect(await failure({...cc({allBranches: true}), ...only('repo1')})).toMatch(/ListBranches, .*: api error$/)
    const getRepository = () => aws.requestsFor('GetRepository').length
    // the listing's six GetRepository answered, then the default branch's refused
    aws.respondNext(
      'GetRepository',
      ...Array.from({length: 6}, () => ({
        status: 200,
        body: {
          repositoryMetadata: {
            repositoryName: 'repo1',
            repositoryId: ID1,
            defaultBranch: 'main',
            cloneUrlSsh: `ssh://${HOST}/repo1`,
          },
        },
      })),
      error('RepositoryDoesNotExistException', 'api error'),
    )
    const before = getRepository()
    expect(await failure({...cc(), ...only('repo1')})).toMatch(
      /GetRepository, .*RepositoryDoesNotExistException: api error$/,
    )
    expect(getRepository() - before).toBe(7)
  })
})

describe('every page, the filters, values', () => {
  it('every page of ListRepositories and of GetResources, each by the token the page before sent', async () => {
    const before = aws.requestsFor('ListRepositories').length
    expect(pairs(await paramsOf({...cc(), filters: [{repositoryMatch: '^t'}]}))).toEqual(['two@main', 'three@main'])
    expect(aws.requestsFor('ListRepositories').slice(before)).toEqual([
      {},
      {nextToken: expect.any(String)},
      {nextToken: expect.any(String)},
    ])
    const tagged = aws.requestsFor('GetResources').length
    expect(
      pairs(
        await paramsOf(
          cc({
            tagFilters: [
              {key: 'team', value: 'a'},
              {key: 'team', value: ''},
            ],
          }),
        ),
      ),
    ).toEqual(['one@main', 'three@main'])
    expect(aws.requestsFor('GetResources').slice(tagged)).toEqual([
      {ResourceTypeFilters: ['codecommit:repository'], TagFilters: [{Key: 'team', Values: ['a']}]},
    ])
  })

  it('repositoryMatch, pathsExist, pathsDoNotExist, branchMatch; labelMatch matches nothing (no labels)', async () => {
    const names = async (filters: unknown[]) => pairs(await paramsOf({...cc({tagFilters: [{key: 'team'}]}), filters}))
    expect(await names([{repositoryMatch: 'n|hr'}])).toEqual(['one@main', 'three@main'])
    expect(await names([{pathsExist: ['two/app.yaml']}])).toEqual(['two@main'])
    expect(await names([{pathsDoNotExist: ['two']}])).toEqual(['one@main', 'three@main'])
    expect(await names([{branchMatch: '^main$', repositoryMatch: '^o'}])).toEqual(['one@main'])
    expect(await names([{labelMatch: '.*'}])).toEqual([])
  })

  it('values (fasttemplate): values.<key> rendered with the set; organization the account id', async () => {
    const sets = await paramsOf({...cc(), ...only('one'), values: {at: '{{ branch }}@{{ organization }}'}}, false)
    expect(sets[0]).toMatchObject({'values.at': 'main@222222222222', url: `ssh://${HOST}/one`})
  })
})

describe('regions, credentials and failures: fail closed, the keys never printed', () => {
  it("a region other than the run's is never asked: not rendered, named; the run's own region is", async () => {
    const before = aws.requests.length
    const out = await expandScm(
      scmAppSet(scmGenerator(cc({region: 'eu-west-1'})), true, '{{ .repository }}'),
      await api(),
    )
    expect(out.applications).toEqual([])
    expect(out.errors).toEqual([])
    expect(out.notRendered.map((n) => n.why)).toEqual([
      expect.stringContaining("awsCodeCommit.region asks eu-west-1, not this run's region us-east-1"),
    ])
    expect(aws.requests.length).toBe(before)
    expect(pairs(await paramsOf({...cc({region: 'us-east-1'}), ...only('one')}))).toEqual(['one@main'])
  })

  it('the endpoint: https://codecommit.<AWS_REGION, else AWS_DEFAULT_REGION>.amazonaws.com, else the region of --api-url', async () => {
    const plain = await scmOfFlag('awsCodeCommit', undefined, env({AWS_REGION: 'eu-west-1'}))
    expect(plain!.apiUrl).toBe('https://codecommit.eu-west-1.amazonaws.com')
    const {AWS_REGION: _region, ...noRegion} = env()
    const byDefault = await scmOfFlag('awsCodeCommit', undefined, {...noRegion, AWS_DEFAULT_REGION: 'eu-north-1'})
    expect(byDefault!.apiUrl).toBe('https://codecommit.eu-north-1.amazonaws.com')
    const byUrl = await scmOfFlag('awsCodeCommit', 'https://codecommit.ap-south-1.amazonaws.com/', noRegion)
    expect(byUrl!.apiUrl).toBe('https://codecommit.ap-south-1.amazonaws.com')
    const lost = (await scmOfFlag('awsCodeCommit', aws.url, noRegion))!
    expect(await failure(cc(), lost)).toBe(
      `error generating params: error listing repos: no AWS region (AWS_REGION, AWS_DEFAULT_REGION, or --api-url's): ${aws.url} was not asked`,
    )
  })

  it('a server that keeps failing, a refused key, no credentials: the generator fails, nothing listed', async () => {
    aws.respondNext('ListRepositories', ...Array.from({length: 2}, () => error('InternalFailure', 'down', 500)))
    expect(await failure(cc())).toMatch(
      new RegExp(`^${PREFIX}failed to list codecommit repository: POST .*500.*gave up after 2 attempts`),
    )
    aws.respondNext('GetResources', ...Array.from({length: 2}, () => error('ServiceUnavailable', 'down', 503)))
    expect(await failure(cc({tagFilters: [{key: 'team'}]}))).toMatch(/POST .*503.*gave up after 2 attempts/)
    const refused = await api({AWS_SECRET_ACCESS_KEY: 'refused-secret-9c1d'})
    expect(await failure(cc(), refused)).toMatch(
      /failed to list codecommit repository: operation error CodeCommit: ListRepositories, https response error StatusCode: 403, .*InvalidSignatureException/,
    )
    const unsessioned = await api({AWS_SESSION_TOKEN: ''})
    expect(await failure(cc(), unsessioned)).toMatch(/StatusCode: 403/)
    const none = (await scmOfFlag('awsCodeCommit', aws.url, {AWS_REGION: 'us-east-1'}))!
    expect(none).toBeInstanceOf(ScmListing)
    expect(await failure(cc(), none)).toBe(
      `${PREFIX}no AWS credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY): ${aws.url} was not asked`,
    )
  })

  it('the bounds fail the generator (never a partial list)', async () => {
    const pages = (await scmOfFlag('awsCodeCommit', aws.url, env(), {maxPages: 1}))!
    expect(await failure(cc(), pages)).toMatch(/the listing has more than 1 pages: not read whole/)
    const requests = (await scmOfFlag('awsCodeCommit', aws.url, env(), {maxRequests: 4}))!
    expect(await failure(cc(), requests)).toMatch(/budget of 4 AWS CodeCommit API requests is spent/)
  })
})

describe('gitops diff --scm-provider awsCodeCommit (the built CLI)', () => {
  const repos = () =>
    fleetAppSet(
      "- scmProvider: {awsCodeCommit: {region: us-east-1, role: 'arn:aws:iam::111111111111:role/argo', tagFilters: [{key: team, value: b}]}}",
    )

  it("renders an scmProvider-generated Application's change, AWS asked once; without the flag, incomplete", async () => {
    const e = toolEnv(env())
    const before = aws.requestsFor('GetResources').length
    const {repo, run} = await diffFleet(
      repos(),
      env(),
      ['--scm-provider', 'awsCodeCommit', '--api-url', aws.url],
      'two',
    )
    expect(aws.requestsFor('GetResources').length - before).toBe(1)
    const printed = run.stderr + JSON.stringify(run.result)
    for (const secret of [KEY.secretAccessKey, KEY.sessionToken!, KEY.accessKeyId])
      expect(printed).not.toContain(secret)
    const without = await diffLast<ScmDiff>(repo, e)
    expect(without.result.summary).toBe('incomplete')
  })
})
