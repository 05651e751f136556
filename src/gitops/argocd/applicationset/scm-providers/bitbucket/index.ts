/**
 * Bitbucket Cloud (`scmProvider.bitbucket`, Argo CD v3.5.1's services/scm_provider/bitbucket_cloud.go): the registry's line for it. This folder holds all of
 * it: service.ts (the generator's side: what it asks, what it makes of the answers), listing.ts (what is asked of the
 * API, within the run's bounds), client.ts (the HTTP client), fields.ts (its rows of the field table).
 */
import {scmProvider} from '../provider.js'
import {bitbucketFields} from './fields.js'
import {bitbucketService, type BitbucketProtocol} from './service.js'
import {bitbucketAbout} from './about.js'

export const bitbucket = scmProvider<BitbucketProtocol>({
  ...bitbucketAbout,
  service: bitbucketService,
  listing: async () => (await import('./listing.js')).bitbucketListing,
  fields: bitbucketFields,
})
