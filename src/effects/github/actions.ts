/** GitHub Actions verbs: dispatch a workflow, list its runs, read one run (conditionally, by ETag). */
import type {GitHubTransport} from './transport.js'
import type {DispatchBody, DispatchOutcome, RepoRef, RunFilter, WorkflowRun} from './types.js'

export interface ActionsVerbs {
  /** POST …/dispatches. `details` when GitHub returned the run (200), `accepted` on 204. */
  dispatchWorkflow(repo: RepoRef, workflow: string, body: DispatchBody): Promise<DispatchOutcome>
  /** Newest first, up to 50. */
  listWorkflowRuns(repo: RepoRef, workflow: string, filter: RunFilter): Promise<WorkflowRun[]>
  /** A conditional GET: `null` when the run is unchanged since `etag` (304). */
  getWorkflowRun(repo: RepoRef, runId: number, etag?: string): Promise<{run: WorkflowRun; etag?: string} | null>
}

/** A signal that never aborts: the dispatch request is sent whole even when the call is cancelled meanwhile. */
const UNCANCELLED = new AbortController().signal

export function actionsVerbs({octokit, call}: GitHubTransport): ActionsVerbs {
  return {
    async dispatchWorkflow(repo, workflow, body) {
      const response = await call('workflow dispatch', () =>
        octokit.request('POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', {
          ...repo,
          workflow_id: workflow,
          ...body,
          // Never cut off by the client's signal: once sent, its answer says whether a run started.
          request: {signal: UNCANCELLED},
        }),
      )
      if ((response.status as number) === 200 && response.data && typeof response.data === 'object') {
        const data = response.data as {workflow_run_id: number; run_url: string; html_url: string}
        return {kind: 'details', runId: data.workflow_run_id, runUrl: data.run_url, htmlUrl: data.html_url}
      }
      return {kind: 'accepted'}
    },

    // No `created` filter: GitHub's description types it date-time while its docs use search syntax (>=…); the
    // caller filters created_at itself.
    async listWorkflowRuns(repo, workflow, filter) {
      const {data} = await call('list workflow runs', () =>
        octokit.rest.actions.listWorkflowRuns({
          ...repo,
          workflow_id: workflow,
          event: filter.event,
          branch: filter.branch,
          ...(filter.actor ? {actor: filter.actor} : {}),
          per_page: 50,
        }),
      )
      return data.workflow_runs.map(toRun)
    },

    async getWorkflowRun(repo, runId, etag) {
      try {
        const response = await call('get workflow run', () =>
          octokit.rest.actions.getWorkflowRun({
            ...repo,
            run_id: runId,
            ...(etag ? {headers: {'if-none-match': etag}} : {}),
          }),
        )
        return {run: toRun(response.data), etag: response.headers.etag}
      } catch (error) {
        if ((error as {status?: number}).status === 304) return null
        throw error
      }
    },
  }
}

type RawRun = {
  id: number
  url: string
  html_url: string
  status: string | null
  conclusion: string | null
  display_title: string
  created_at: string
  actor?: {login: string} | null
  triggering_actor?: {login: string} | null
  head_branch: string | null
}

function toRun(raw: RawRun): WorkflowRun {
  return {
    id: raw.id,
    url: raw.url,
    htmlUrl: raw.html_url,
    status: raw.status,
    conclusion: raw.conclusion,
    displayTitle: raw.display_title,
    createdAt: raw.created_at,
    actor: raw.triggering_actor?.login ?? raw.actor?.login ?? null,
    headBranch: raw.head_branch,
  }
}
