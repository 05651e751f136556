/**
 * The field table's rows of `scmProvider.azureDevOps` (docs/gitops-fields.md): evaluated as
 * services/scm_provider/azure_devops.go does over Azure DevOps' Git API (`--scm-provider azureDevOps`,
 * AZURE_DEVOPS_TOKEN), each field proven by a case ported from azure_devops_test.go or the description's recorded
 * examples. One quirk is not reproduced: Argo CD's repository_id is a uuid.UUID, which fasttemplate leaves as
 * `{{repository_id}}` (not a string); here it is the GUID string in both template modes.
 */
import {providerFields} from '../provider-fields.js'

export const azureDevOpsFields = providerFields(
  'scm-providers/azure-devops/azure-devops.test.ts',
  'with --scm-provider azureDevOps (the API at --api-url, else https://dev.azure.com; AZURE_DEVOPS_TOKEN); without it the generator is not rendered, named; in fasttemplate `{{repository_id}}` is the GUID, where Argo CD leaves it unreplaced',
  [
    [
      'organization',
      'the organization is lower-cased into its URL, as NewPatConnection normalizes it',
      'the organization URL <api>/<organization> (lower-cased); organization, repository, repository_id (the GUID), url (the remote URL, whatever cloneProtocol), branch, sha, labels (none)',
    ],
    [
      'teamProject',
      'TestGetAzureDevopsRepositories: of repositories missing a name, default branch, remote URL or id, only the eligible one',
      "the team project's repositories (GET …/{project}/_apis/git/repositories, one request); those without a name, default branch, remote URL or id left out",
    ],
    [
      'api',
      "an api that is not the run's (or the default https://dev.azure.com) is never asked: not rendered, named",
      "an api (default https://dev.azure.com) that is not the run's API URL, compared without a trailing slash and case, is never asked",
    ],
    [
      'allBranches',
      'allBranches: every branch statistic, branchNormalized of a branch with a slash',
      'every branch (GET …/stats/branches); without it the default branch alone (GET …/stats/branches?name=, refs/heads/ stripped); a repository Azure DevOps does not find (GitRepositoryNotFoundException: a disabled one) has none',
    ],
  ],
)
