/**
 * The field table's rows of `scmProvider.bitbucket` (Bitbucket Cloud, docs/gitops-fields.md): evaluated as
 * services/scm_provider/bitbucket_cloud.go does over Bitbucket's API 2.0 through go-bitbucket (`--scm-provider
 * bitbucket`, BITBUCKET_TOKEN), each field proven by a case ported from bitbucket_cloud_test.go. Its `user` and
 * `appPasswordRef` are how Argo CD authenticates (scmConnection).
 */
import {providerFields} from '../provider-fields.js'

export const bitbucketFields = providerFields(
  'scm-providers/bitbucket/bitbucket.test.ts',
  "with --scm-provider bitbucket (the API base at --api-url, else https://api.bitbucket.org/2.0, as BITBUCKET_API_BASE_URL sets Argo CD's; BITBUCKET_TOKEN, with BITBUCKET_USER as basic auth); without it the generator is not rendered, named",
  [
    [
      'owner',
      'every page of repositories (12: two pages of 10, the second by its next link)',
      "the workspace's repositories the caller is a member of (GET /repositories/{owner}?role=member, every page by its next link); url the clone link of cloneProtocol (ssh by default), repository_id the {uuid}, no labels; the main branch by GetBranch, a failure when Bitbucket has no such branch",
    ],
    [
      'allBranches',
      'allBranches reads the first page of branches only (10 of 12), one request, as go-bitbucket does',
      'the first page of the branches alone (GET …/refs/branches, one request: go-bitbucket reads no further page)',
    ],
  ],
)
