/**
 * The flag every command on a GitOps checkout shares: `--root`, its one name for the checkout (the monorepo's
 * global `--repo-root` is accepted as an alias of it, so scripts that passed it keep working).
 */
import {Flags} from '@oclif/core'

import {API_URL_FLAG} from '../core/api-url-flag.js'
import {DEFAULT_API_URL} from '../core/github-api.js'
import {SCM_PROVIDERS} from './argocd/applicationset/scm-providers/registry.js'

export const GITOPS_ROOT_FLAG = {
  root: Flags.string({
    description: 'The GitOps checkout. Default: the git top-level of the current directory.',
    helpValue: 'DIR',
    aliases: ['repo-root'],
  }),
}

/**
 * `--argocd-server`: the Argo CD whose registered clusters the ApplicationSet `clusters` generators list
 * (src/gitops/listings/argocd-clusters.ts), the token from ARGOCD_AUTH_TOKEN as `primitive status` takes it.
 */
export const ARGOCD_SERVER_FLAG = {
  'argocd-server': Flags.string({
    description:
      'Argo CD API server whose registered clusters the ApplicationSet clusters generators list (GET /api/v1/clusters; the token from ARGOCD_AUTH_TOKEN). Default: those generators are not rendered.',
    helpValue: 'URL',
  }),
}

/**
 * `--scm-provider github|azureDevOps|bitbucket|awsCodeCommit` and `--api-url`: the ApplicationSet `scmProvider.<provider>` generators list
 * repositories through the provider's API (src/gitops/argocd/applicationset/scm-providers/registry.ts). An explicit opt-in: a pull request's job has GITHUB_TOKEN, and a
 * diff or verify must not start calling an API because a token happens to be there.
 */
export const SCM_PROVIDER_FLAGS = {
  'scm-provider': Flags.string({
    description: `Evaluate the ApplicationSet scmProvider generators of this provider through its API: github (the API URL from --api-url, else GITHUB_API_URL, else ${DEFAULT_API_URL}; the token from GH_TOKEN, GITHUB_TOKEN or gh auth token); gitlab (the API URL from --api-url, else https://gitlab.com, /api/v4/ added as GitLab's client adds it; the token from GITLAB_TOKEN); gitea (the API URL from --api-url, required, e.g. https://gitea.example.com; the token from GITEA_TOKEN); bitbucketServer (the API URL from --api-url, required, e.g. https://bitbucket.example.com, /rest added as Argo CD adds it; a bearer token from BITBUCKET_TOKEN, basic auth is not offered); azureDevOps (the API URL from --api-url, else https://dev.azure.com, the organization appended; a personal access token from AZURE_DEVOPS_TOKEN); bitbucket, Bitbucket Cloud (the API base from --api-url, else https://api.bitbucket.org/2.0, standing for Argo CD's BITBUCKET_API_BASE_URL; BITBUCKET_TOKEN, sent as basic auth with BITBUCKET_USER when set, as Argo CD's user and app password, else as a bearer access token); awsCodeCommit (the CodeCommit endpoint from --api-url, else https://codecommit.<AWS_REGION or AWS_DEFAULT_REGION>.amazonaws.com, the tagging API's derived from it; requests signed with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN; a generator's region other than AWS_REGION is not asked). A generator whose provider's api names another API is not rendered. Default: those generators are not rendered.`,
    options: SCM_PROVIDERS,
  }),
  'api-url': Flags.string({
    description: `${API_URL_FLAG.description} The API the scmProvider generators ask (with --scm-provider).`,
    helpValue: 'URL',
    dependsOn: ['scm-provider'],
  }),
}

/**
 * `--source-repo URL=PATH` (repeatable): another repository an Application's sources name, read from a local clone
 * (src/gitops/source-repos.ts). Parsed by parseSourceRepoFlags (INVALID_SOURCE_REPO when malformed).
 */
export const SOURCE_REPO_FLAG = {
  'source-repo': Flags.string({
    description:
      "Read the repository URL from the local clone PATH (repeatable): a multi-source Application's $values ref there renders, read at the source's targetRevision (a branch, tag or commit resolved in that clone; HEAD by default) from git objects, its links confined as the checkout's. URLs match as Argo CD compares them (.git, a trailing /, case, git@host:org/repo = https://host/org/repo). Wins over gitopsPolicy.sourceRepositories in ameide.yaml. Default: another repository is render-unavailable.",
    multiple: true,
    helpValue: 'URL=PATH',
  }),
}
