/**
 * An SCM provider's API for the ApplicationSet `scmProvider` generators (`--scm-provider <provider>`): the provider's
 * asker (./scm-<provider>.ts) answers the questions the expansion records, at the run's API URL with the run's token.
 * Nothing else is ever asked: a generator whose API names another host is not rendered (applicationset/scm-providers).
 *
 * The expansion is synchronous, so the answers are read in rounds (`settled`): each expansion records what it asked
 * and was not answered yet, the listing (./listing.ts, bounded) asks the API for all of it, and the expansion runs
 * again, until nothing new is asked. Both revisions of a diff share the answers.
 */
import type {ScmProviderApi} from '../../../deployables/index.js'
import {ScmListing, type ScmListingMaker, type ScmListingOptions} from './listing.js'

/** Expansions per run at most: a matrix of two scmProvider generators asks in six rounds. */
const MAX_ROUNDS = 10

/**
 * Runs the synchronous expansion until it asks nothing the API has not answered (at most MAX_ROUNDS times); what is
 * still unanswered then stays not rendered, named.
 */
export async function settled<T>(scm: ScmProviderApi | undefined, expand: () => T): Promise<T> {
  for (let round = 1; ; round++) {
    const out = expand()
    if (!(scm instanceof ScmListing) || scm.pending === 0 || round >= MAX_ROUNDS) return out
    await scm.answerPending()
  }
}

/** The providers `--scm-provider` names, each its listing's maker. */
const PROVIDERS: Record<string, () => Promise<ScmListingMaker>> = {
  github: async () => (await import('./github/listing.js')).githubListing,
  gitlab: async () => (await import('./gitlab/listing.js')).gitlabListing,
  azureDevOps: async () => (await import('./azure-devops/listing.js')).azureDevOpsListing,
  bitbucket: async () => (await import('./bitbucket/listing.js')).bitbucketListing,
  awsCodeCommit: async () => (await import('./aws-codecommit/listing.js')).awsCodeCommitListing,
  gitea: async () => (await import('./gitea/listing.js')).giteaListing,
  bitbucketServer: async () => (await import('./bitbucket-server/listing.js')).bitbucketServerListing,
}
export const SCM_PROVIDERS = Object.keys(PROVIDERS)

/** `--scm-provider <provider>`: the API URL checked (exit 2 INVALID_API_URL), the token found; undefined without it. */
export async function scmOfFlag(
  provider: string | undefined,
  apiUrlFlag: string | undefined,
  env: NodeJS.ProcessEnv,
  bounds: Pick<ScmListingOptions, 'maxRequests' | 'maxPages'> = {},
): Promise<ScmListing | undefined> {
  const maker = provider === undefined ? undefined : PROVIDERS[provider]
  return maker === undefined ? undefined : (await maker())(apiUrlFlag, env, bounds)
}
