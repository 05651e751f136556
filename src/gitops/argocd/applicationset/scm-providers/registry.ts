/**
 * The SCM providers of the ApplicationSet `scmProvider` generator, one folder each (./<provider>/): the generator
 * picks the first one its spec sets, in Argo CD's order (applicationset/generators/scm_provider.go), and
 * `--scm-provider <provider>` names the one the run asks, at the run's API URL with the run's token. Nothing else is
 * ever asked: a generator whose API names another host is not rendered. The flag's help, the field rows and the
 * messages naming the providers are made from this list: adding a provider is its folder and its line here.
 */
import {awsCodeCommit} from './aws-codecommit/index.js'
import {azureDevOps} from './azure-devops/index.js'
import {bitbucket} from './bitbucket/index.js'
import {bitbucketServer} from './bitbucket-server/index.js'
import {gitea} from './gitea/index.js'
import {github} from './github/index.js'
import {gitlab} from './gitlab/index.js'
import type {ScmBounds, ScmRun} from './listing.js'
import type {ScmProvider} from './provider.js'

/** Every provider, in the order Argo CD's switch picks the first one set. */
export const SCM_PROVIDERS: readonly ScmProvider[] = [
  github,
  gitlab,
  gitea,
  bitbucketServer,
  azureDevOps,
  bitbucket,
  awsCodeCommit,
]

/** `a, b or c`. */
const orList = (names: readonly string[]) =>
  names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`

/** The providers by name, `github, gitlab, … or awsCodeCommit`, as the commands' help names them. */
export const SCM_PROVIDER_NAMES = orList(SCM_PROVIDERS.map((p) => p.id))

/** The providers without a default API, which `--api-url` must name. */
export const SCM_API_URL_REQUIRED = orList(SCM_PROVIDERS.filter((p) => p.apiUrlRequired).map((p) => p.id))

/** `--scm-provider`'s options, in the order they were offered. */
export const SCM_PROVIDER_OPTIONS = [...SCM_PROVIDERS].sort((a, b) => a.option - b.option).map((p) => p.id)

/** `--scm-provider <provider>`: the API URL checked (exit 2 INVALID_API_URL), the token found; undefined without it. */
export async function scmOfFlag(
  provider: string | undefined,
  apiUrlFlag: string | undefined,
  env: NodeJS.ProcessEnv,
  bounds: ScmBounds = {},
): Promise<ScmRun | undefined> {
  const listed = SCM_PROVIDERS.find((p) => p.id === provider)
  return listed === undefined ? undefined : listed.listing(apiUrlFlag, env, bounds)
}
