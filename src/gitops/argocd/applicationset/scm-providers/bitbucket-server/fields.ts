/** The field table's rows of `scmProvider.bitbucketServer` (docs/gitops-fields.md). */
import {exact, type Rules} from '../../../../fields/model.js'

const SCM_BITBUCKET_SERVER = 'scm-providers/bitbucket-server/bitbucket-server.test.ts'

/** The `bitbucketServer` provider's fields (services/scm_provider/bitbucket_server.go over go-bitbucket-v1). */
export function bitbucketServerFields(at: string): Rules {
  const api =
    'with --scm-provider bitbucketServer (the API at --api-url, a bearer token from BITBUCKET_TOKEN); without it the generator is not rendered, named'
  const row = (title: string, note: string) => exact(SCM_BITBUCKET_SERVER, title, `${api}; ${note}`)
  return {
    [`${at}.project`]: row(
      'TestListReposBearerAuth (verifyDefaultRepo): the default branch, its sha, no labels; the bearer token and no-check',
      "the project's repositories (every page of 100), each at its default branch (GET …/branches/default; none: skipped); the url the ssh or http clone link; labels none",
    ),
    [`${at}.api`]: row(
      'TestAllowedSCMProvider: an API of another host is never asked: the generator is not rendered, named',
      "Argo CD's base path (/rest appended unless there) must be the run's, else never asked: not rendered, named",
    ),
    [`${at}.allBranches`]: row(
      'TestGetBranchesBranchPagination: every branch, every page',
      'every branch (every page of 100); without it the default branch asked again, none without one',
    ),
  }
}
