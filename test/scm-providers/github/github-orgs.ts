/**
 * The organizations the fake GitHub (test/support/github-server.ts) serves to the ApplicationSet `scmProvider.github`
 * generator: `GET /orgs/{org}/repos`, `GET /repos/{owner}/{repo}/branches[/{branch}]` and
 * `GET …/contents/{path}?ref=` for their repositories, paginated as GitHub paginates (per_page, page, a Link header
 * with rel="next"/"last"). Bodies are GitHub's published examples with the fixture's facts written over them; the
 * server validates every one.
 */
import type {GitHubSpec} from '../../support/github-openapi.js'

type Json = Record<string, any>

export interface FakeOrgRepository {
  name: string
  id?: number
  topics?: string[]
  /** Default: the first branch, else main. */
  defaultBranch?: string
  archived?: boolean
  /** Branch name → commit sha, in listing order. */
  branches: Record<string, string>
  /** Branch → the paths (files and folders) that exist on it. */
  paths?: Record<string, string[]>
}

export interface FakeAnswer {
  status: number
  body?: unknown
  headers?: Record<string, string>
}

const notFound = (): FakeAnswer => ({
  status: 404,
  body: {message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404'},
})

/** The answer for an organization operation, or undefined when the request is not about a served organization. */
export function organizationAnswer(
  spec: GitHubSpec,
  base: string,
  orgs: Record<string, FakeOrgRepository[]>,
  operationId: string,
  params: Record<string, string>,
  query: Record<string, string>,
): FakeAnswer | undefined {
  const org = Object.keys(orgs).find((o) => o.toLowerCase() === (params.org ?? params.owner ?? '').toLowerCase())
  if (operationId === 'repos/list-for-org') {
    if (org === undefined) return notFound()
    return page(base, `/orgs/${org}/repos`, orgs[org], query, (r, i) => repositoryJson(spec, org, r, i))
  }
  if (org === undefined) return undefined
  const repo = orgs[org].find((r) => r.name.toLowerCase() === params.repo?.toLowerCase())
  if (!repo) return notFound()
  const path = `/repos/${org}/${repo.name}`
  switch (operationId) {
    case 'repos/list-branches':
      return page(base, `${path}/branches`, Object.entries(repo.branches), query, ([name, sha]) => ({
        name,
        commit: {sha, url: `${base}${path}/commits/${sha}`},
        protected: false,
      }))
    case 'repos/get-branch': {
      const sha = repo.branches[params.branch]
      if (sha === undefined) return notFound()
      const ex = spec.example('branch-with-protection')
      // An unprotected branch, as GitHub answers it (the published example's protection predates `checks`).
      const protection = {enabled: false, required_status_checks: {enforcement_level: 'off', contexts: [], checks: []}}
      return {
        status: 200,
        body: {...ex, name: params.branch, commit: {...ex.commit, sha}, protected: false, protection},
      }
    }
    case 'repos/get-content': {
      const ref = query.ref ?? defaultBranch(repo)
      const wanted = params.path.replace(/\/+$/, '')
      const exists = (repo.paths?.[ref] ?? []).some((p) => p === wanted || p.startsWith(`${wanted}/`))
      if (!exists) return notFound()
      const ex = spec.example('content-file-response-if-content-is-a-file')
      const url = `${base}${path}/contents/${wanted}?ref=${ref}`
      return {
        status: 200,
        body: {...ex, name: wanted.split('/').pop(), path: wanted, content: '', size: 0, url},
      }
    }
    default:
      return undefined
  }
}

function defaultBranch(r: FakeOrgRepository): string {
  return r.defaultBranch ?? Object.keys(r.branches)[0] ?? 'main'
}

/** `minimal-repository` for one repository of the organization. */
function repositoryJson(spec: GitHubSpec, org: string, r: FakeOrgRepository, i: number): Json {
  const ex = spec.example('minimal-repository')
  return {
    ...ex,
    id: r.id ?? 1_296_269 + i,
    name: r.name,
    full_name: `${org}/${r.name}`,
    owner: {...ex.owner, login: org},
    html_url: `https://github.com/${org}/${r.name}`,
    ssh_url: `git@github.com:${org}/${r.name}.git`,
    clone_url: `https://github.com/${org}/${r.name}.git`,
    default_branch: defaultBranch(r),
    archived: r.archived === true,
    topics: r.topics ?? [],
  }
}

/** One page (per_page default 30, at most 100; page from 1) and GitHub's Link header. */
function page<T>(
  base: string,
  path: string,
  all: readonly T[],
  query: Record<string, string>,
  json: (item: T, index: number) => Json,
): FakeAnswer {
  const perPage = Math.min(Number(query.per_page ?? 30), 100)
  const n = Number(query.page ?? 1)
  const last = Math.max(1, Math.ceil(all.length / perPage))
  const items = all.slice((n - 1) * perPage, n * perPage).map((item, k) => json(item, (n - 1) * perPage + k))
  const link = (p: number, rel: string) => `<${base}${path}?per_page=${perPage}&page=${p}>; rel="${rel}"`
  const links = n < last ? [link(n + 1, 'next'), link(last, 'last')] : []
  return {status: 200, body: items, headers: links.length > 0 ? {link: links.join(', ')} : {}}
}
