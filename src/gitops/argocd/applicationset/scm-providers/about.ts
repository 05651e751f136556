/**
 * Every SCM provider's description (<provider>/about.ts), in the order Argo CD's switch picks the first one a
 * generator sets (applicationset/generators/scm_provider.go), and what the commands' flags and help make of them —
 * loaded by every command that takes `--scm-provider`, so none of a provider's code is here. The registry
 * (./registry.ts) gives each its code, in this order.
 */
import {awsCodeCommitAbout} from './aws-codecommit/about.js'
import {azureDevOpsAbout} from './azure-devops/about.js'
import {bitbucketAbout} from './bitbucket/about.js'
import {bitbucketServerAbout} from './bitbucket-server/about.js'
import {giteaAbout} from './gitea/about.js'
import {githubAbout} from './github/about.js'
import {gitlabAbout} from './gitlab/about.js'

export const SCM_PROVIDER_ABOUTS = [
  githubAbout,
  gitlabAbout,
  giteaAbout,
  bitbucketServerAbout,
  azureDevOpsAbout,
  bitbucketAbout,
  awsCodeCommitAbout,
] as const

export type ScmProviderId = (typeof SCM_PROVIDER_ABOUTS)[number]['id']

/** `a, b or c`. */
const orList = (names: readonly string[]) =>
  names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`

/** The providers by name, `github, gitlab, … or awsCodeCommit`, as the commands' help names them. */
export const SCM_PROVIDER_NAMES = orList(SCM_PROVIDER_ABOUTS.map((p) => p.id))

/** The providers without a default API, which `--api-url` must name. */
export const SCM_API_URL_REQUIRED = orList(SCM_PROVIDER_ABOUTS.filter((p) => p.apiUrlRequired).map((p) => p.id))

/** `--scm-provider`'s options, in the order they were offered. */
export const SCM_PROVIDER_OPTIONS = [...SCM_PROVIDER_ABOUTS].sort((a, b) => a.option - b.option).map((p) => p.id)

/** `--scm-provider`'s help: each provider's part, in Argo CD's order. */
export const SCM_PROVIDER_HELP = SCM_PROVIDER_ABOUTS.map((p) => p.flag).join('; ')
