/**
 * The field table's rows of `scmProvider.github` (docs/gitops-fields.md): evaluated as services/scm_provider/github.go
 * does over GitHub's API (`--scm-provider github`, the run's --api-url and token), each field proven by a case ported
 * from argo-cd v3.5.1's github_test.go, utils_test.go or scm_provider_test.go. The generator's own fields (filters,
 * cloneProtocol, values) are proven by the same cases: `githubRow` is their row too.
 */
import {GITHUB_API_HOST} from '../../../../../core/github-api.js'
import {providerFields, providerRow} from '../provider-fields.js'

const SCM = 'scm-providers/github/github.test.ts'
const API = `with --scm-provider github (GitHub's API at --api-url, else GITHUB_API_URL, else ${GITHUB_API_HOST}); without it the generator is not rendered, named`

/** A row proven by a case of the GitHub provider's tests. */
export const githubRow = providerRow(SCM, API)

export const githubFields = providerFields(SCM, API, [
  [
    'organization',
    'multiple repos with labels: every parameter, short_sha of a short sha',
    "the organization's repositories (GET /orgs/{org}/repos, every page); organization, repository, repository_id, url, branch, branchNormalized, sha, short_sha, short_sha_7, labels (its topics)",
  ],
  [
    'api',
    'TestAllowedSCMProvider: an API of another host is never asked: the generator is not rendered, named',
    "an api that is not the run's API URL (go-github adds /api/v3/ to a GitHub Enterprise host) is never asked: the generator is not rendered, named",
  ],
  [
    'allBranches',
    'TestFilterBranchMatch: branchMatch "w" over every branch',
    'every branch (GET …/branches, every page); without it the default branch alone, none when GitHub has no such branch',
  ],
  ['excludeArchivedRepos', 'all branches without archived repos: excludeArchivedRepos drops another-repo'],
])
