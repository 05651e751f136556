/**
 * Bitbucket Server / Data Center (`scmProvider.bitbucketServer`, Argo CD v3.5.1's services/scm_provider/bitbucket_server.go): the registry's line for it. This folder holds all of
 * it: service.ts (the generator's side: what it asks, what it makes of the answers), listing.ts (what is asked of the
 * API, within the run's bounds), client.ts (the HTTP client), fields.ts (its rows of the field table).
 */
import {scmProvider} from '../provider.js'
import {bitbucketServerFields} from './fields.js'
import {bitbucketServerService, type BitbucketServerProtocol} from './service.js'
import {bitbucketServerAbout} from './about.js'

export const bitbucketServer = scmProvider<BitbucketServerProtocol>({
  ...bitbucketServerAbout,
  service: bitbucketServerService,
  listing: async () => (await import('./listing.js')).bitbucketServerListing,
  fields: bitbucketServerFields,
})
