/**
 * `scmProvider.awsCodeCommit`: evaluated as services/scm_provider/aws_codecommit.go does over CodeCommit and the
 * Resource Groups Tagging API through aws-sdk-go-v2 (`--scm-provider awsCodeCommit`, SigV4 with the run's AWS
 * credentials), each field proven by a case ported from aws_codecommit_test.go. Its `role` is how Argo CD
 * authenticates (scmConnection): the run's credentials stand for it.
 */
import {providerFields} from '../provider-fields.js'

export const awsCodeCommitFields = providerFields(
  'scm-providers/aws-codecommit/aws-codecommit.test.ts',
  "with --scm-provider awsCodeCommit (CodeCommit at --api-url, else https://codecommit.<AWS_REGION>.amazonaws.com, the tagging API's endpoint beside it; AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN); without it the generator is not rendered, named",
  [
    [
      'region',
      "a region other than the run's is never asked: not rendered, named; the run's own region is",
      "the run's region (AWS_REGION, else --api-url's) or empty asks the run's API; another region's API is never asked: the generator is not rendered, named",
    ],
    [
      'allBranches',
      'GetBranches all branches: ListBranches, every page, no sha',
      'every branch (ListBranches, every page by nextToken); without it the default branch by GetRepository; sha always empty, as Argo CD asks no commit',
    ],
    [
      ['tagFilters[].key', 'tagFilters[].value'],
      'ListRepos by tag with https: GetResources with the tag filters as Argo CD builds them, then GetRepository',
      "with tagFilters, GetResources of codecommit:repository resources (every page by PaginationToken), one TagFilter per key with its non-empty values (Argo CD sends them in Go's map order; the filters are ANDed, so the order changes nothing), each ARN's resource its repository name; GetRepository of each (no metadata or no default branch: skipped); organization the account id, url cloneUrlSsh (ssh, the default), cloneUrlHttp (https) or its git-codecommit-fips. host (https-fips), no labels",
    ],
  ],
)
