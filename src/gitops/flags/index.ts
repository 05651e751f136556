/**
 * The flag every command on a GitOps checkout shares: `--root`, its one name for the checkout (the monorepo's
 * global `--repo-root` is accepted as an alias of it, so scripts that passed it keep working).
 */
import {Flags} from '@oclif/core'

import {API_URL_FLAG} from '../../core/api-url-flag.js'
import type {ErrorCode} from '../../core/error-codes.js'
import {
  SCM_API_URL_REQUIRED,
  SCM_PROVIDER_HELP,
  SCM_PROVIDER_NAMES,
  SCM_PROVIDER_OPTIONS,
} from '../argocd/applicationset/scm-providers/about.js'

export const GITOPS_ROOT_FLAG = {
  root: Flags.string({
    description: 'The GitOps checkout. Default: the git top-level of the current directory.',
    helpValue: 'DIR',
    aliases: ['repo-root'],
  }),
}

/** GITOPS_ROOT_FLAG's codes, in the help of the commands that read a checkout. */
export const GITOPS_ROOT_CODES = {
  REPO_ROOT_NOT_FOUND: '--root is not a directory',
  NOT_A_GIT_REPOSITORY: 'no --root and the current directory is not in a git repository',
} as const satisfies Partial<Record<ErrorCode, string>>

/**
 * `--argocd-server`: the Argo CD whose registered clusters the ApplicationSet `clusters` generators list
 * (src/gitops/argocd/applicationset/clusters-listing.ts), the token from ARGOCD_AUTH_TOKEN as `primitive status` takes it.
 */
const ARGOCD_SERVER_FLAG = {
  'argocd-server': Flags.string({
    description:
      'Argo CD API server whose registered clusters the ApplicationSet clusters generators list (GET /api/v1/clusters; the token from ARGOCD_AUTH_TOKEN). Default: those generators are not rendered.',
    helpValue: 'URL',
  }),
}

/**
 * `--scm-provider <provider>` and `--api-url`: the ApplicationSet `scmProvider.<provider>` generators list repositories
 * through the provider's API (the providers: src/gitops/argocd/applicationset/scm-providers/about.ts; their code loads only when a run asks one). An explicit opt-in: a pull request's job has GITHUB_TOKEN, and a
 * diff or verify must not start calling an API because a token happens to be there.
 */
const SCM_PROVIDER_FLAGS = {
  'scm-provider': Flags.string({
    description: `Evaluate the ApplicationSet scmProvider generators of this provider through its API: ${SCM_PROVIDER_HELP}. A generator whose provider's api names another API is not rendered. Default: those generators are not rendered.`,
    options: SCM_PROVIDER_OPTIONS,
  }),
  'api-url': Flags.string({
    description: `${API_URL_FLAG.description} The API the scmProvider generators ask (with --scm-provider).`,
    helpValue: 'URL',
    dependsOn: ['scm-provider'],
  }),
}

/**
 * `--source-repo URL=PATH` (repeatable): another repository an Application's sources name, read from a local clone
 * (src/gitops/revision/source-repos.ts). Parsed by parseSourceRepoFlags (INVALID_SOURCE_REPO when malformed).
 */
const SOURCE_REPO_FLAG = {
  'source-repo': Flags.string({
    description:
      "Read the repository URL from the local clone PATH (repeatable): a multi-source Application's $values ref there renders, read at the source's targetRevision (a branch, tag or commit resolved in that clone; HEAD by default) from git objects, its links confined as the checkout's. URLs match as Argo CD compares them (.git, a trailing /, case, git@host:org/repo = https://host/org/repo). Wins over gitopsPolicy.sourceRepositories in ameide.yaml. Default: another repository is render-unavailable.",
    multiple: true,
    helpValue: 'URL=PATH',
  }),
}

/** The providers `--scm-provider` names, `github, gitlab, … or awsCodeCommit`, as the commands' help lists them. */
export {SCM_PROVIDER_NAMES}

/**
 * What a render reads beyond the checkout, the flags of every command that renders (gitops diff, verify, preview):
 * the Argo CD of the clusters generators, the SCM provider of the scmProvider generators, the other source
 * repositories' clones.
 */
const RENDER_SOURCE_FLAGS = {...ARGOCD_SERVER_FLAG, ...SCM_PROVIDER_FLAGS, ...SOURCE_REPO_FLAG}

/** The flags of a command that renders a checkout: `--root` first, then the command's own, then RENDER_SOURCE_FLAGS. */
export const renderingFlags = <F extends object>(own: F) => ({...GITOPS_ROOT_FLAG, ...own, ...RENDER_SOURCE_FLAGS})

/** RENDER_SOURCE_FLAGS' codes, in the help of the commands that take them. */
export const RENDER_SOURCE_CODES = {
  INVALID_ARGOCD_SERVER: '--argocd-server is not an http(s) URL or host[:port]',
  INVALID_SOURCE_REPO:
    '--source-repo is not URL=PATH, or its PATH (or a gitopsPolicy.sourceRepositories path) is not a git repository',
  INVALID_API_URL: `--api-url or GITHUB_API_URL is not an http(s) URL, or --api-url is missing for ${SCM_API_URL_REQUIRED} (with --scm-provider)`,
} as const satisfies Partial<Record<ErrorCode, string>>
