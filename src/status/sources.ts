import type {GitHubClient, RepoRef} from '../effects/github/index.js'
import type {ArgoCdClient} from '../effects/argocd/argocd.js'
import type {PullRequestRef} from './types.js'
import type {ArgoReader, GitOpsReader, VerifyVerdict} from './status.js'

/** Open pull requests listed per run: at most this many pages of 100 (the count is stated in the docs). */
export const MAX_PULL_PAGES = 10

/**
 * The GitOps repository at `ref` through the GitHub client: the contents API (404 → null) and one listing of the
 * open pull requests (paginated, at most MAX_PULL_PAGES pages), shared by every primitive of the run. `requests`
 * counts the API calls.
 */
export function gitopsReader(client: GitHubClient, repo: RepoRef, ref: string): GitOpsReader & {requests: number} {
  const reader = {
    requests: 0,
    readFile(path: string): Promise<string | null> {
      reader.requests++
      return client.readFileIfExists(repo, path, ref)
    },
    async openPullRequests(): Promise<PullRequestRef[]> {
      const {pulls, pages} = await client.listAllPullRequests(repo, 'open', MAX_PULL_PAGES)
      reader.requests += pages
      return pulls.map((p) => ({number: p.number, url: p.htmlUrl, branch: p.branch}))
    },
  }
  return reader
}

export function argoReader(client: ArgoCdClient): ArgoReader {
  return {getApplication: (name) => client.getApplication(name)}
}

/** `primitive verify`'s verdict of one primitive, all checks, as status reports it. */
export async function verifyVerdict(
  repoRoot: string,
  p: {kind: import('../primitives/kinds.js').Kind; name: string},
  baseBranch: string,
): Promise<VerifyVerdict> {
  const [{verifyPrimitives}, {CHECK_IDS}] = await Promise.all([
    import('../verify/verify.js'),
    import('../verify/types.js'),
  ])
  const result = await verifyPrimitives({
    selection: {mode: 'one', kind: p.kind, name: p.name},
    checks: [...CHECK_IDS],
    repoRoot,
    baseBranch,
  })
  const checks = result.primitives.flatMap((r) => r.checks)
  const failed = checks.filter((c) => c.status === 'fail')
  const missing = checks.flatMap((c) => c.findings).find((f) => f.rule === 'tool-missing')
  return {
    summary: result.summary,
    failedChecks: failed.map((c) => c.id),
    findings: failed.reduce((n, c) => n + c.findings.filter((f) => f.severity === 'error').length, 0),
    ...(missing ? {missingTool: missing.message} : {}),
  }
}
