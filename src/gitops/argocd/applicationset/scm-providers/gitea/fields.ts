/**
 * The field table's rows of `scmProvider.gitea` (docs/gitops-fields.md): the provider's fields as
 * services/scm_provider/gitea.go evaluates them over code.gitea.io/sdk/gitea v0.25.1.
 */
import {providerFields} from '../provider-fields.js'

export const giteaFields = providerFields(
  'scm-providers/gitea/gitea.test.ts',
  "with --scm-provider gitea (Gitea's API at --api-url, GITEA_TOKEN); without it the generator is not rendered, named",
  [
    [
      'owner',
      'multiple repos with labels: every parameter, short_sha of a short sha',
      "the owner's repositories as the SDK reads them: GET /orgs/{owner}/repos?limit=0&page=1, the first page only (Gitea's default page size, 30 unless configured); the server's version asked first (older than 1.11.0 fails); labels are each repository's issue labels (one page); the https url is the HTML URL; an unknown clone protocol fails with Argo CD's words (which name GitHub)",
    ],
    [
      'api',
      'TestAllowedSCMProvider: an API of another host is never asked: the generator is not rendered, named',
      "the SDK's base URL (one trailing slash trimmed) must be the run's --api-url, else never asked: not rendered, named; none fails the generator as the SDK does",
    ],
    [
      'allBranches',
      'all branches including archived repos: every branch of both',
      'the first page of branches (GET …/branches?limit=0&page=1); without it the default branch, whose 404 fails the generator',
    ],
    [
      'excludeArchivedRepos',
      'all branches with no archived repos: excludeArchivedRepos drops another-repo, whose labels are still asked',
      'the archived repositories dropped after their labels were asked',
    ],
  ],
)
