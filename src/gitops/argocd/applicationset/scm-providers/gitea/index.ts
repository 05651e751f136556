/**
 * Gitea (`scmProvider.gitea`, Argo CD v3.5.1's services/scm_provider/gitea.go): the registry's line for it. This folder holds all of
 * it: service.ts (the generator's side: what it asks, what it makes of the answers), listing.ts (what is asked of the
 * API, within the run's bounds), client.ts (the HTTP client), fields.ts (its rows of the field table).
 */
import {scmProvider} from '../provider.js'
import {giteaFields} from './fields.js'
import {giteaService, type GiteaProtocol} from './service.js'
import {giteaAbout} from './about.js'

export const gitea = scmProvider<GiteaProtocol>({
  ...giteaAbout,
  service: giteaService,
  listing: async () => (await import('./listing.js')).giteaListing,
  fields: giteaFields,
})
