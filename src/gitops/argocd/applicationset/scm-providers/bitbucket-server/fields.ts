/**
 * The field table's rows of `scmProvider.bitbucketServer` (docs/gitops-fields.md): the provider's fields as
 * services/scm_provider/bitbucket_server.go evaluates them over go-bitbucket-v1.
 */
import {providerFields} from '../provider-fields.js'

export const bitbucketServerFields = providerFields(
  'scm-providers/bitbucket-server/bitbucket-server.test.ts',
  'with --scm-provider bitbucketServer (the API at --api-url, a bearer token from BITBUCKET_TOKEN); without it the generator is not rendered, named',
  [
    [
      'project',
      'TestListReposBearerAuth (verifyDefaultRepo): the default branch, its sha, no labels; the bearer token and no-check',
      "the project's repositories (every page of 100), each at its default branch (GET …/branches/default; none: skipped); the url the ssh or http clone link; labels none",
    ],
    [
      'api',
      'TestAllowedSCMProvider: an API of another host is never asked: the generator is not rendered, named',
      "Argo CD's base path (/rest appended unless there) must be the run's, else never asked: not rendered, named",
    ],
    [
      'allBranches',
      'TestGetBranchesBranchPagination: every branch, every page',
      'every branch (every page of 100); without it the default branch asked again, none without one',
    ],
  ],
)
