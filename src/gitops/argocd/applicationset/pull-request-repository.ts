/**
 * Which repository's pull requests a pull-request generator lists, as Argo CD v3.5.1 reaches its provider:
 * `applicationset/generators/pull_request.go` selectServiceProvider takes the first provider set (github, gitlab,
 * gitea, bitbucketServer, bitbucket, azuredevops), and `services/pull_request/<provider>.go` makes its client with the
 * generator's API base (the provider's own when none: api.github.com, gitlab.com, api.bitbucket.org, dev.azure.com)
 * and lists the repository its fields name. Compared with the repository of the pull request under review, given as
 * its web URL: a generator of another repository, host or provider does not list it. Where the generator's fields name
 * one repository offline (not a GitLab project by its ID, nor a field left to a template), its web URL too: every
 * generator naming the same one tells `gitops preview` which repository the pull request is in.
 */
import {GITHUB_API_HOST} from '../../../core/github-api.js'
import {isObject, type JsonObject} from './merge.js'

/** A repository's web URL: its host (with its port) and path, lower-cased (the providers' names are not). */
export interface RepositoryUrl {
  host: string
  path: string[]
}

/** `https://github.com/acme/web(.git)` → its host and path; undefined when it is not an http(s) URL with a path. */
export function parseRepositoryUrl(url: string): RepositoryUrl | undefined {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return undefined
  }
  if (!/^https?:$/.test(parsed.protocol)) return undefined
  const path = decodeURIComponent(parsed.pathname)
    .replace(/\.git\/?$/, '')
    .split('/')
    .filter((s) => s !== '')
    .map((s) => s.toLowerCase())
  return path.length === 0 ? undefined : {host: parsed.host.toLowerCase(), path}
}

/** What a generator lists: its provider, in words, and whether a repository is the one (unknown: cannot be told). */
export interface ListedRepository {
  provider: string
  describe: string
  lists(repository: RepositoryUrl): boolean | 'unknown'
  /** The web URL of the repository it lists, where its fields name one offline (lists() holds it). */
  url?: string
}

const text = (v: unknown): string => (typeof v === 'string' ? v : '')
const lower = (v: unknown): string => text(v).toLowerCase()
const hostOf = (api: string, fallback: string): string => {
  try {
    return new URL(api).host.toLowerCase()
  } catch {
    return fallback
  }
}
const pathOf = (api: string): string[] => {
  try {
    return new URL(api).pathname
      .toLowerCase()
      .split('/')
      .filter((s) => s !== '')
  } catch {
    return []
  }
}
/** A name the URL can carry as it is: set, no template, no slash (the providers' names have none). */
const name = (v: unknown): string | undefined => {
  const t = text(v)
  return t !== '' && !/[{}/\\\s?#%]/.test(t) ? t : undefined
}
/** The web origin of an API URL (its scheme and host; github.com for api.github.com as go-github has it). */
const originOf = (api: string): string | undefined => {
  try {
    const u = new URL(api)
    return /^https?:$/.test(u.protocol) ? `${u.protocol}//${u.host}` : undefined
  } catch {
    return undefined
  }
}
/** `origin/a/b/…` when every name is set, else undefined. */
const webUrl = (origin: string | undefined, names: ReadonlyArray<string | undefined>): string | undefined =>
  origin !== undefined && names.every((n) => n !== undefined) ? [origin, ...names].join('/') : undefined
const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((s, i) => s === b[i])

type Provider = (config: JsonObject) => ListedRepository

const PROVIDERS: ReadonlyArray<readonly [string, Provider]> = [
  [
    'github',
    (c) => {
      // go-github: no API base, api.github.com; else an enterprise server at the same host as its web pages.
      const api = text(c.api) ? hostOf(text(c.api), '') : GITHUB_API_HOST
      return {
        provider: 'github',
        describe: `github ${text(c.owner)}/${text(c.repo)}${text(c.api) ? ` at ${text(c.api)}` : ''}`,
        lists: (r) =>
          (r.host === 'github.com' ? GITHUB_API_HOST : r.host) === api && same(r.path, [lower(c.owner), lower(c.repo)]),
        url: webUrl(api === GITHUB_API_HOST ? 'https://github.com' : originOf(text(c.api)), [
          name(c.owner),
          name(c.repo),
        ]),
      }
    },
  ],
  [
    'gitlab',
    (c) => {
      const project = text(c.project)
      return {
        provider: 'gitlab',
        describe: `gitlab project ${project}${text(c.api) ? ` at ${text(c.api)}` : ''}`,
        lists: (r) => {
          if (r.host !== (text(c.api) ? hostOf(text(c.api), '') : 'gitlab.com')) return false
          // A numeric project is its ID: which path it has is the provider's to say.
          return /^\d+$/.test(project) ? 'unknown' : same(r.path, project.toLowerCase().split('/'))
        },
        url: /^\d+$/.test(project)
          ? undefined
          : webUrl(text(c.api) ? originOf(text(c.api)) : 'https://gitlab.com', project.split('/').map(name)),
      }
    },
  ],
  [
    'gitea',
    (c) => ({
      provider: 'gitea',
      describe: `gitea ${text(c.owner)}/${text(c.repo)} at ${text(c.api) || '(no api)'}`,
      lists: (r) => r.host === hostOf(text(c.api), '') && same(r.path, [lower(c.owner), lower(c.repo)]),
      url: webUrl(originOf(text(c.api)), [name(c.owner), name(c.repo)]),
    }),
  ],
  [
    'bitbucketServer',
    (c) => ({
      provider: 'bitbucketServer',
      describe: `bitbucketServer ${text(c.project)}/${text(c.repo)} at ${text(c.api) || '(no api)'}`,
      lists: (r) => {
        if (r.host !== hostOf(text(c.api), '')) return false
        // Its web pages: /projects/KEY/repos/slug/…; its clone URLs: /scm/key/slug.
        const at = r.path[0] === 'projects' && r.path[2] === 'repos' ? [r.path[1], r.path[3]] : r.path.slice(1, 3)
        return (r.path[0] === 'projects' || r.path[0] === 'scm') && same(at, [lower(c.project), lower(c.repo)])
      },
      url: webUrl(originOf(text(c.api)), ['projects', name(c.project), 'repos', name(c.repo)]),
    }),
  ],
  [
    'bitbucket',
    (c) => ({
      provider: 'bitbucket',
      describe: `bitbucket ${text(c.owner)}/${text(c.repo)}`,
      lists: (r) =>
        (r.host === 'bitbucket.org' ? 'api.bitbucket.org' : r.host) ===
          (text(c.api) ? hostOf(text(c.api), '') : 'api.bitbucket.org') &&
        same(r.path, [lower(c.owner), lower(c.repo)]),
      url: webUrl(
        !text(c.api) || hostOf(text(c.api), '') === 'api.bitbucket.org'
          ? 'https://bitbucket.org'
          : originOf(text(c.api)),
        [name(c.owner), name(c.repo)],
      ),
    }),
  ],
  [
    'azuredevops',
    (c) => ({
      provider: 'azuredevops',
      describe: `azuredevops ${text(c.organization)}/${text(c.project)}/${text(c.repo)}`,
      lists: (r) => {
        // Its client is made for `<api>/<organization>`: dev.azure.com/{organization}/{project}/_git/{repo}, an
        // organization's legacy {organization}.visualstudio.com/{project}/_git/{repo}, or a server's collection.
        const legacy = /^([^.]+)\.visualstudio\.com$/.exec(r.host)
        const api = text(c.api) ? hostOf(text(c.api), '') : 'dev.azure.com'
        const prefix = text(c.api) ? pathOf(text(c.api)) : []
        const host = legacy ? 'dev.azure.com' : r.host
        const under = same(r.path.slice(0, prefix.length), prefix) ? r.path.slice(prefix.length) : []
        const path = legacy ? [legacy[1], ...r.path] : under
        return (
          host === api &&
          path[2] === '_git' &&
          same([path[0], path[1], path[3]], [lower(c.organization), lower(c.project), lower(c.repo)])
        )
      },
      url: webUrl(text(c.api) ? originOf(text(c.api)) : 'https://dev.azure.com', [
        ...(text(c.api) ? pathOf(text(c.api)) : []),
        name(c.organization),
        name(c.project),
        '_git',
        name(c.repo),
      ]),
    }),
  ],
]

/** The repository the generator lists pull requests of (its first provider set), or undefined when none is set. */
export function listedRepository(spec: JsonObject): ListedRepository | undefined {
  for (const [key, provider] of PROVIDERS) if (isObject(spec[key])) return withCheckedUrl(provider(spec[key]))
  return undefined
}

/** Its URL only where the generator lists it: a URL the matching would not take is no answer. */
function withCheckedUrl(listed: ListedRepository): ListedRepository {
  const url = listed.url === undefined ? undefined : parseRepositoryUrl(listed.url)
  if (url && listed.lists(url) === true) return listed
  const {url: _, ...rest} = listed
  return rest
}

/** The repository that every generator lists, where all name the same one offline; undefined otherwise. */
export function soleListedRepository(listed: readonly ListedRepository[]): string | undefined {
  const key = (l: ListedRepository) => {
    const u = l.url === undefined ? undefined : parseRepositoryUrl(l.url)
    return u ? [u.host, ...u.path].join('/') : undefined
  }
  const keys = new Set(listed.map(key))
  return listed.length > 0 && keys.size === 1 && !keys.has(undefined) ? listed[0].url : undefined
}
