/**
 * GitLab (`scmProvider.gitlab`, Argo CD v3.5.1's services/scm_provider/gitlab.go): the registry's line for it. This folder holds all of
 * it: service.ts (the generator's side: what it asks, what it makes of the answers), listing.ts (what is asked of the
 * API, within the run's bounds), client.ts (the HTTP client), fields.ts (its rows of the field table).
 */
import {scmProvider} from '../provider.js'
import {gitlabFields} from './fields.js'
import {gitlabService, type GitLabProtocol} from './service.js'
import {gitlabAbout} from './about.js'

export const gitlab = scmProvider<GitLabProtocol>({
  ...gitlabAbout,
  service: gitlabService,
  listing: async () => (await import('./listing.js')).gitlabListing,
  fields: gitlabFields,
})
