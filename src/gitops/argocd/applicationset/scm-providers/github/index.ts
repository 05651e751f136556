/**
 * GitHub (`scmProvider.github`, Argo CD v3.5.1's services/scm_provider/github.go): the registry's line for it. This folder holds all of
 * it: service.ts (the generator's side: what it asks, what it makes of the answers), listing.ts (what is asked of the
 * API, within the run's bounds), client.ts (the HTTP client), fields.ts (its rows of the field table).
 */
import {scmProvider} from '../provider.js'
import {githubFields} from './fields.js'
import {githubService, type GitHubProtocol} from './service.js'
import {githubAbout} from './about.js'

export const github = scmProvider<GitHubProtocol>({
  ...githubAbout,
  service: githubService,
  listing: async () => (await import('./listing.js')).githubListing,
  fields: githubFields,
})
