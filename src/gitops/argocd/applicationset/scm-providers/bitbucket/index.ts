/**
 * Bitbucket Cloud (`scmProvider.bitbucket`, Argo CD v3.5.1's services/scm_provider/bitbucket_cloud.go): the registry's line for it. This folder holds all of
 * it: service.ts (the generator's side: what it asks, what it makes of the answers), listing.ts (what is asked of the
 * API, within the run's bounds), client.ts (the HTTP client), fields.ts (its rows of the field table).
 */
import {scmProvider} from '../provider.js'
import {bitbucketFields} from './fields.js'
import {bitbucketService, type BitbucketProtocol} from './service.js'

export const bitbucket = scmProvider<BitbucketProtocol>({
  id: 'bitbucket',
  option: 3,
  flag: "bitbucket, Bitbucket Cloud (the API base from --api-url, else https://api.bitbucket.org/2.0, standing for Argo CD's BITBUCKET_API_BASE_URL; BITBUCKET_TOKEN, sent as basic auth with BITBUCKET_USER when set, as Argo CD's user and app password, else as a bearer access token)",
  apiUrlRequired: false,
  service: bitbucketService,
  listing: async () => (await import('./listing.js')).bitbucketListing,
  connection: ['appPasswordRef.**', 'user'],
  fields: bitbucketFields,
})
