/** The plain data GitHub's verbs take and return (no octokit types leak past src/effects/github/). */

export interface RepoRef {
  owner: string
  repo: string
}

export interface DispatchBody {
  ref: string
  inputs: Record<string, string>
  return_run_details?: boolean
}

export type DispatchOutcome = {kind: 'details'; runId: number; runUrl: string; htmlUrl: string} | {kind: 'accepted'}

export interface RunFilter {
  event: string
  branch: string
  actor?: string
}

export interface WorkflowRun {
  id: number
  url: string
  htmlUrl: string
  status: string | null
  conclusion: string | null
  displayTitle: string
  createdAt: string
  actor: string | null
  headBranch: string | null
}

export interface PullRequest {
  number: number
  htmlUrl: string
  branch: string
  createdAt: string
}
