/**
 * The `scmProvider` generator's providers besides github (./applicationset.ts) and awsCodeCommit
 * (../aws-codecommit/fields.ts): each evaluated as Argo CD v3.5.1's services/scm_provider/<provider>.go does over its
 * API (`--scm-provider <provider>`), each field proven by a case ported from that provider's test; without the flag the
 * generator is not rendered, named.
 */
import {exact, type Rules} from '../../../../fields/model.js'

const GITLAB = 'gitops/applicationset-scm-gitlab.test.ts'
const SCM_AZURE = 'gitops/applicationset-scm-azure-devops.test.ts'
const SCM_BITBUCKET = 'gitops/applicationset-scm-bitbucket.test.ts'
const SCM_GITEA = 'gitops/applicationset-scm-gitea.test.ts'
const SCM_BITBUCKET_SERVER = 'gitops/applicationset-scm-bitbucket-server.test.ts'

/** Every provider's rows under `at` (`spec.generators[].scmProvider`). */
export function scmProviders(at: string): Rules {
  return {
    ...scmGitlab(`${at}.gitlab`),
    ...giteaRows(`${at}.gitea`),
    ...bitbucketServerRows(`${at}.bitbucketServer`),
    ...azureDevOps(at),
    ...bitbucket(at),
  }
}

/**
 * `scmProvider.azureDevOps`: evaluated as services/scm_provider/azure_devops.go does over Azure DevOps' Git API
 * (`--scm-provider azureDevOps`, AZURE_DEVOPS_TOKEN), each field proven by a case ported from azure_devops_test.go or
 * the description's recorded examples. One quirk is not reproduced: Argo CD's repository_id is a uuid.UUID, which
 * fasttemplate leaves as `{{repository_id}}` (not a string); here it is the GUID string in both template modes.
 */
function azureDevOps(at: string): Rules {
  const api =
    'with --scm-provider azureDevOps (the API at --api-url, else https://dev.azure.com; AZURE_DEVOPS_TOKEN); without it the generator is not rendered, named; in fasttemplate `{{repository_id}}` is the GUID, where Argo CD leaves it unreplaced'
  const row = (title: string, note: string) => exact(SCM_AZURE, title, `${api}; ${note}`)
  return {
    [`${at}.azureDevOps.organization`]: row(
      'the organization is lower-cased into its URL, as NewPatConnection normalizes it',
      'the organization URL <api>/<organization> (lower-cased); organization, repository, repository_id (the GUID), url (the remote URL, whatever cloneProtocol), branch, sha, labels (none)',
    ),
    [`${at}.azureDevOps.teamProject`]: row(
      'TestGetAzureDevopsRepositories: of repositories missing a name, default branch, remote URL or id, only the eligible one',
      "the team project's repositories (GET …/{project}/_apis/git/repositories, one request); those without a name, default branch, remote URL or id left out",
    ),
    [`${at}.azureDevOps.api`]: row(
      "an api that is not the run's (or the default https://dev.azure.com) is never asked: not rendered, named",
      "an api (default https://dev.azure.com) that is not the run's API URL, compared without a trailing slash and case, is never asked",
    ),
    [`${at}.azureDevOps.allBranches`]: row(
      'allBranches: every branch statistic, branchNormalized of a branch with a slash',
      'every branch (GET …/stats/branches); without it the default branch alone (GET …/stats/branches?name=, refs/heads/ stripped); a repository Azure DevOps does not find (GitRepositoryNotFoundException: a disabled one) has none',
    ),
  }
}

/**
 * `scmProvider.bitbucket` (Bitbucket Cloud): evaluated as services/scm_provider/bitbucket_cloud.go does over Bitbucket's
 * API 2.0 through go-bitbucket (`--scm-provider bitbucket`, BITBUCKET_TOKEN), each field proven by a case ported from
 * bitbucket_cloud_test.go. Its `user` and `appPasswordRef` are how Argo CD authenticates (scmConnection).
 */
function bitbucket(at: string): Rules {
  const api =
    "with --scm-provider bitbucket (the API base at --api-url, else https://api.bitbucket.org/2.0, as BITBUCKET_API_BASE_URL sets Argo CD's; BITBUCKET_TOKEN, with BITBUCKET_USER as basic auth); without it the generator is not rendered, named"
  const row = (title: string, note: string) => exact(SCM_BITBUCKET, title, `${api}; ${note}`)
  return {
    [`${at}.bitbucket.owner`]: row(
      'every page of repositories (12: two pages of 10, the second by its next link)',
      "the workspace's repositories the caller is a member of (GET /repositories/{owner}?role=member, every page by its next link); url the clone link of cloneProtocol (ssh by default), repository_id the {uuid}, no labels; the main branch by GetBranch, a failure when Bitbucket has no such branch",
    ),
    [`${at}.bitbucket.allBranches`]: row(
      'allBranches reads the first page of branches only (10 of 12), one request, as go-bitbucket does',
      'the first page of the branches alone (GET …/refs/branches, one request: go-bitbucket reads no further page)',
    ),
  }
}

/**
 * The `scmProvider` generator with `gitlab`: evaluated as services/scm_provider/gitlab.go asks GitLab through client-go
 * v1.46.0 (`--scm-provider gitlab`), proven by the cases of argo-cd v3.5.1's gitlab_test.go over its own canned answers.
 * The fields that shape GET /groups/{id}/projects are held to the request URIs argo-cd's own mock serves (the query
 * client-go sends): GitLab publishes no description of that operation, so its answers are Argo CD's canned ones from a
 * real GitLab, and the fake checks the request exactly, not against a description.
 */
function scmGitlab(at: string): Rules {
  const api =
    "with --scm-provider gitlab (GitLab's API at --api-url, else https://gitlab.com; GITLAB_TOKEN); without it the generator is not rendered, named"
  const listing = (title: string, note: string) =>
    exact(
      GITLAB,
      title,
      `${api}; ${note} (GET /groups/{id}/projects as client-go sends it, held to the request URIs of Argo CD's mock and its canned answers: GitLab publishes no description of that operation)`,
    )
  return {
    [`${at}.group`]: listing(
      'multiple repos with labels: every parameter, short_sha of a short sha',
      "the group's projects, every page (the first unnumbered, then X-Next-Page until X-Page reaches X-Total-Pages); organization is the namespace's full path, labels the topics, else the tag_list",
    ),
    [`${at}.includeSubgroups`]: listing(
      'all subgroups: includeSubgroups lists the subgroup project',
      'include_subgroups, always sent',
    ),
    [`${at}.includeSharedProjects`]: listing(
      'all subgroups and shared projects: includeSharedProjects true, and unset (WillIncludeSharedProjects)',
      'with_shared; unset is true, as WillIncludeSharedProjects reads it',
    ),
    [`${at}.topic`]: listing('specific topic: topic is the listing query', 'topic, sent even when empty'),
    [`${at}.includeArchivedRepos`]: listing(
      'all branches with archived repos: includeArchivedRepos asks archived=true',
      'archived=true, sent only when set',
    ),
    [`${at}.api`]: exact(
      GITLAB,
      'the API of another host is never asked: not rendered, named; the same API with /api/v4 is this one',
      `${api}; the base URL as client-go sets it (a trailing slash, then api/v4/); an empty api is https://gitlab.com/api/v4/; any other than the run's API is never asked`,
    ),
    [`${at}.allBranches`]: exact(
      GITLAB,
      'all branches: every branch, one page (no X-Next-Page)',
      `${api}; GET …/repository/branches, every page until X-Next-Page is 0 (a 404 is none); without it GET …/branches/{default branch} (a 404 is none)`,
    ),
  }
}

/** The `bitbucketServer` provider's fields (services/scm_provider/bitbucket_server.go over go-bitbucket-v1). */
function bitbucketServerRows(at: string): Rules {
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

/** The `gitea` provider's fields (services/scm_provider/gitea.go over code.gitea.io/sdk/gitea v0.25.1). */
function giteaRows(at: string): Rules {
  const api =
    "with --scm-provider gitea (Gitea's API at --api-url, GITEA_TOKEN); without it the generator is not rendered, named"
  const row = (title: string, note: string) => exact(SCM_GITEA, title, `${api}; ${note}`)
  return {
    [`${at}.owner`]: row(
      'multiple repos with labels: every parameter, short_sha of a short sha',
      "the owner's repositories as the SDK reads them: GET /orgs/{owner}/repos?limit=0&page=1, the first page only (Gitea's default page size, 30 unless configured); the server's version asked first (older than 1.11.0 fails); labels are each repository's issue labels (one page); the https url is the HTML URL; an unknown clone protocol fails with Argo CD's words (which name GitHub)",
    ),
    [`${at}.api`]: row(
      'TestAllowedSCMProvider: an API of another host is never asked: the generator is not rendered, named',
      "the SDK's base URL (one trailing slash trimmed) must be the run's --api-url, else never asked: not rendered, named; none fails the generator as the SDK does",
    ),
    [`${at}.allBranches`]: row(
      'all branches including archived repos: every branch of both',
      'the first page of branches (GET …/branches?limit=0&page=1); without it the default branch, whose 404 fails the generator',
    ),
    [`${at}.excludeArchivedRepos`]: row(
      'all branches with no archived repos: excludeArchivedRepos drops another-repo, whose labels are still asked',
      'the archived repositories dropped after their labels were asked',
    ),
  }
}
