import type {GitHubSpec} from './github-openapi.js'

/**
 * Response objects for the fake GitHub, built from the spec's own examples (so every field GitHub
 * documents is present) with the scenario's values put in. The server validates them before sending.
 */
type Json = Record<string, any>

export interface RunRecord {
  id: number
  workflowId: number
  workflowFile: string
  workflowName: string
  displayTitle: string
  headBranch: string
  event: string
  status: string
  conclusion: string | null
  actor: string
  createdAt: Date
  runNumber: number
}

export interface PullRecord {
  number: number
  branch: string
  base: string
  state: 'open' | 'closed'
  title: string
  createdAt: Date
  /** The head commit (default: the published example's). */
  headSha?: string
}

export function iso(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z')
}

export function workflowRunJson(spec: GitHubSpec, apiBase: string, owner: string, repo: string, run: RunRecord): Json {
  const ex = spec.example('workflow-run')
  const api = `${apiBase}/repos/${owner}/${repo}`
  const html = `https://github.com/${owner}/${repo}`
  const user = {...ex.actor, login: run.actor}
  return {
    ...ex,
    id: run.id,
    name: run.workflowName,
    display_title: run.displayTitle,
    head_branch: run.headBranch,
    event: run.event,
    status: run.status,
    conclusion: run.conclusion,
    workflow_id: run.workflowId,
    run_number: run.runNumber,
    run_attempt: 1,
    path: `.github/workflows/${run.workflowFile}`,
    url: `${api}/actions/runs/${run.id}`,
    html_url: `${html}/actions/runs/${run.id}`,
    jobs_url: `${api}/actions/runs/${run.id}/jobs`,
    logs_url: `${api}/actions/runs/${run.id}/logs`,
    check_suite_url: `${api}/check-suites/${run.id}`,
    artifacts_url: `${api}/actions/runs/${run.id}/artifacts`,
    cancel_url: `${api}/actions/runs/${run.id}/cancel`,
    rerun_url: `${api}/actions/runs/${run.id}/rerun`,
    workflow_url: `${api}/actions/workflows/${run.workflowId}`,
    pull_requests: [],
    created_at: iso(run.createdAt),
    updated_at: iso(new Date()),
    run_started_at: iso(run.createdAt),
    actor: user,
    triggering_actor: user,
  }
}

export function pullRequestJson(spec: GitHubSpec, apiBase: string, owner: string, repo: string, pr: PullRecord): Json {
  const ex = spec.example('pull-request-simple-items')[0] as Json
  return {
    ...ex,
    number: pr.number,
    id: 1000 + pr.number,
    url: `${apiBase}/repos/${owner}/${repo}/pulls/${pr.number}`,
    html_url: `https://github.com/${owner}/${repo}/pull/${pr.number}`,
    state: pr.state,
    title: pr.title,
    created_at: iso(pr.createdAt),
    updated_at: iso(pr.createdAt),
    closed_at: null,
    merged_at: null,
    // The published example lacks `type` on its team, which its own schema requires.
    requested_teams: [],
    head: {...ex.head, ref: pr.branch, label: `${owner}:${pr.branch}`, ...(pr.headSha ? {sha: pr.headSha} : {})},
    base: {...ex.base, ref: pr.base, label: `${owner}:${pr.base}`},
  }
}

export function contentFileJson(
  spec: GitHubSpec,
  apiBase: string,
  owner: string,
  repo: string,
  path: string,
  ref: string,
  text: string,
): Json {
  const ex = spec.example('content-file-response-if-content-is-a-file')
  const name = path.split('/').pop()!
  return {
    ...ex,
    type: 'file',
    encoding: 'base64',
    size: Buffer.byteLength(text),
    name,
    path,
    // GitHub wraps base64 content at 60 characters.
    content: Buffer.from(text)
      .toString('base64')
      .replace(/(.{60})/g, '$1\n'),
    url: `${apiBase}/repos/${owner}/${repo}/contents/${path}?ref=${ref}`,
    html_url: `https://github.com/${owner}/${repo}/blob/${ref}/${path}`,
    download_url: `https://raw.githubusercontent.com/${owner}/${repo}/${ref}/${path}`,
    _links: {
      self: `${apiBase}/repos/${owner}/${repo}/contents/${path}?ref=${ref}`,
      git: ex._links.git,
      html: `https://github.com/${owner}/${repo}/blob/${ref}/${path}`,
    },
  }
}

export function privateUserJson(spec: GitHubSpec, login: string): Json {
  return {...spec.example('private-user'), login}
}

/** `GET /repos/{owner}/{repo}` for the authenticated caller: the published example with the caller's permissions. */
export function fullRepositoryJson(
  spec: GitHubSpec,
  owner: string,
  repo: string,
  permissions: {admin: boolean; maintain: boolean; push: boolean; triage: boolean; pull: boolean},
): Json {
  const ex = spec.example('full-repository')
  return {
    ...ex,
    name: repo,
    full_name: `${owner}/${repo}`,
    owner: {...ex.owner, login: owner},
    html_url: `https://github.com/${owner}/${repo}`,
    // The published example predates `has_discussions`, which its own schema requires.
    has_discussions: false,
    permissions,
  }
}
