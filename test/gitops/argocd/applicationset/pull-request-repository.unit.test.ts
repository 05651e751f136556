/**
 * Which repository's pull requests a pull-request generator lists, against the web URL of the pull request's
 * repository (src/gitops/argocd/applicationset/pull-request-repository.ts). Each provider as Argo CD v3.5.1
 * makes its client (applicationset/services/pull_request/*.go): go-github's API base (api.github.com, or an
 * enterprise server at the host of its web pages), GitLab's (gitlab.com; a project by path or by ID), Gitea's and
 * Bitbucket Server's (the API URL the generator gives), Bitbucket Cloud's (api.bitbucket.org), Azure DevOps's
 * (dev.azure.com, or an organization's legacy visualstudio.com host). `gitops preview` drops the pull request from
 * a generator that lists another repository's (gitops-preview.test.ts).
 */
import {describe, expect, it} from 'vitest'

import {
  listedRepository,
  parseRepositoryUrl,
  soleListedRepository,
} from '../../../../src/gitops/argocd/applicationset/pull-request-repository.js'

interface Case {
  name: string
  spec: Record<string, unknown>
  lists: string[]
  not: string[]
  unknown?: string[]
  /** The web URL its fields name offline (what gitops preview infers the pull request's repository from). */
  url: string | undefined
}

const CASES: Case[] = [
  {
    name: 'github owner and repo: its repository on github.com, whatever the case or a clone URL',
    spec: {github: {owner: 'ameideio', repo: 'ameide'}},
    url: 'https://github.com/ameideio/ameide',
    lists: [
      'https://github.com/ameideio/ameide',
      'https://github.com/AmeideIO/Ameide.git',
      'http://github.com/ameideio/ameide/',
    ],
    not: [
      'https://github.com/ameideio/other',
      'https://github.com/other/ameide',
      'https://ghe.example.com/ameideio/ameide',
    ],
  },
  {
    name: 'github api: an enterprise server lists the repositories at its host',
    spec: {github: {api: 'https://ghe.example.com/api/v3/', owner: 'ameideio', repo: 'ameide'}},
    url: 'https://ghe.example.com/ameideio/ameide',
    lists: ['https://ghe.example.com/ameideio/ameide'],
    not: ['https://github.com/ameideio/ameide', 'https://ghe.other.com/ameideio/ameide'],
  },
  {
    name: 'github api: api.github.com is github.com',
    spec: {github: {api: 'https://api.github.com/', owner: 'ameideio', repo: 'ameide'}},
    url: 'https://github.com/ameideio/ameide',
    lists: ['https://github.com/ameideio/ameide'],
    not: [],
  },
  {
    name: 'gitlab project and api: a project by its path, nested groups included; by its ID, not known',
    spec: {gitlab: {project: 'ameideio/apps/ameide'}},
    url: 'https://gitlab.com/ameideio/apps/ameide',
    lists: ['https://gitlab.com/ameideio/apps/ameide', 'https://gitlab.com/AmeideIO/apps/ameide.git'],
    not: ['https://gitlab.com/ameideio/ameide', 'https://gitlab.example.com/ameideio/apps/ameide'],
  },
  {
    name: 'gitlab api: a self-managed instance',
    spec: {gitlab: {api: 'https://gitlab.example.com/', project: '42'}},
    url: undefined,
    lists: [],
    not: ['https://gitlab.com/ameideio/ameide'],
    unknown: ['https://gitlab.example.com/ameideio/ameide'],
  },
  {
    name: 'gitea api, owner and repo',
    spec: {gitea: {api: 'https://gitea.example.com/', owner: 'ameideio', repo: 'ameide'}},
    url: 'https://gitea.example.com/ameideio/ameide',
    lists: ['https://gitea.example.com/ameideio/ameide'],
    not: ['https://github.com/ameideio/ameide', 'https://gitea.example.com/ameideio/other'],
  },
  {
    name: 'bitbucketServer api, project and repo: its web pages and its clone URLs',
    spec: {bitbucketServer: {api: 'https://bitbucket.example.com/rest', project: 'AME', repo: 'ameide'}},
    url: 'https://bitbucket.example.com/projects/AME/repos/ameide',
    lists: [
      'https://bitbucket.example.com/projects/AME/repos/ameide/browse',
      'https://bitbucket.example.com/scm/ame/ameide.git',
    ],
    not: ['https://bitbucket.example.com/projects/OTHER/repos/ameide/browse', 'https://bitbucket.org/ame/ameide'],
  },
  {
    name: 'bitbucket owner and repo: Bitbucket Cloud',
    spec: {bitbucket: {owner: 'ameideio', repo: 'ameide'}},
    url: 'https://bitbucket.org/ameideio/ameide',
    lists: ['https://bitbucket.org/ameideio/ameide'],
    not: ['https://bitbucket.org/ameideio/other', 'https://github.com/ameideio/ameide'],
  },
  {
    name: 'azuredevops organization, project and repo: dev.azure.com and the legacy host',
    spec: {azuredevops: {organization: 'ameideio', project: 'ameide', repo: 'web'}},
    url: 'https://dev.azure.com/ameideio/ameide/_git/web',
    lists: ['https://dev.azure.com/ameideio/ameide/_git/web', 'https://ameideio.visualstudio.com/ameide/_git/web'],
    not: ['https://dev.azure.com/ameideio/other/_git/web', 'https://dev.azure.com/ameideio/ameide/_git/api'],
  },
  {
    name: 'bitbucket api: api.bitbucket.org is bitbucket.org',
    spec: {bitbucket: {api: 'https://api.bitbucket.org/2.0', owner: 'ameideio', repo: 'ameide'}},
    url: 'https://bitbucket.org/ameideio/ameide',
    lists: ['https://bitbucket.org/ameideio/ameide'],
    not: ['https://bitbucket.example.com/ameideio/ameide'],
  },
  {
    name: 'azuredevops api: a server, the organization (collection) under its path',
    spec: {azuredevops: {api: 'https://ado.example.com/tfs', organization: 'main', project: 'ameide', repo: 'web'}},
    url: 'https://ado.example.com/tfs/main/ameide/_git/web',
    lists: ['https://ado.example.com/tfs/main/ameide/_git/web'],
    not: ['https://dev.azure.com/main/ameide/_git/web', 'https://ado.example.com/main/ameide/_git/web'],
  },
  {
    name: 'the first provider set decides, in the order Argo CD tries them',
    spec: {azuredevops: {organization: 'a', project: 'b', repo: 'c'}, github: {owner: 'ameideio', repo: 'ameide'}},
    url: 'https://github.com/ameideio/ameide',
    lists: ['https://github.com/ameideio/ameide'],
    not: ['https://dev.azure.com/a/b/_git/c'],
  },
]

describe('which repository a pull-request generator lists', () => {
  it.each(CASES)('$name', (c) => {
    const listed = listedRepository(c.spec as never)!
    const lists = (url: string) => listed.lists(parseRepositoryUrl(url)!)
    for (const url of c.lists) expect(lists(url), url).toBe(true)
    for (const url of c.not) expect(lists(url), url).toBe(false)
    for (const url of c.unknown ?? []) expect(lists(url), url).toBe('unknown')
    expect(listed.url).toBe(c.url)
  })

  it('one repository every generator names, once normalised; none where they differ or one cannot be told', () => {
    const of = (...specs: Array<Record<string, unknown>>) =>
      soleListedRepository(specs.map((s) => listedRepository(s as never)!))
    const github = {github: {owner: 'ameideio', repo: 'ameide'}}
    expect(of(github, {github: {owner: 'AmeideIO', repo: 'Ameide', api: 'https://api.github.com/'}})).toBe(
      'https://github.com/ameideio/ameide',
    )
    expect(of(github, {github: {owner: 'ameideio', repo: 'other'}})).toBeUndefined()
    expect(of(github, {gitlab: {project: 'ameideio/ameide'}})).toBeUndefined()
    expect(of({gitlab: {project: '42'}})).toBeUndefined()
    expect(of({gitlab: {project: '42'}}, {gitlab: {project: '42'}})).toBeUndefined()
    // A field a template fills, or none: which repository is not known offline.
    expect(of(github, {github: {owner: '{{ .org }}', repo: 'ameide'}})).toBeUndefined()
    expect(of({gitea: {owner: 'ameideio', repo: 'ameide'}})).toBeUndefined()
    expect(of()).toBeUndefined()
  })

  it('a repository is an http(s) URL with a path', () => {
    expect(parseRepositoryUrl('git@github.com:acme/web.git')).toBeUndefined()
    expect(parseRepositoryUrl('https://github.com/')).toBeUndefined()
    expect(parseRepositoryUrl('acme/web')).toBeUndefined()
    expect(parseRepositoryUrl('https://GitHub.com/Acme/Web.git')).toEqual({host: 'github.com', path: ['acme', 'web']})
    expect(listedRepository({list: {elements: []}} as never)).toBeUndefined()
  })
})
