/**
 * The SCM providers of the ApplicationSet `scmProvider` generator, one folder each (./<provider>/): the generator
 * picks the first one its spec sets, in Argo CD's order (applicationset/generators/scm_provider.go), and
 * `--scm-provider <provider>` names the one the run asks, at the run's API URL with the run's token. Nothing else is
 * ever asked: a generator whose API names another host is not rendered. The flag's help and the messages naming the
 * providers are made from ./about.ts, the field rows from this list: adding a provider is its folder and its line in
 * both.
 */
import {awsCodeCommit} from './aws-codecommit/index.js'
import {azureDevOps} from './azure-devops/index.js'
import {bitbucket} from './bitbucket/index.js'
import {bitbucketServer} from './bitbucket-server/index.js'
import {gitea} from './gitea/index.js'
import {github} from './github/index.js'
import {gitlab} from './gitlab/index.js'
import {SCM_PROVIDER_ABOUTS, type ScmProviderId} from './about.js'
import type {ScmBounds, ScmRun} from './listing.js'
import type {ScmProvider} from './provider.js'

const BY_ID: Readonly<Record<ScmProviderId, ScmProvider>> = {
  awsCodeCommit,
  azureDevOps,
  bitbucket,
  bitbucketServer,
  gitea,
  github,
  gitlab,
}

/** Every provider, in the order Argo CD's switch picks the first one set (./about.ts). */
export const SCM_PROVIDERS: readonly ScmProvider[] = SCM_PROVIDER_ABOUTS.map((about) => BY_ID[about.id])

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
