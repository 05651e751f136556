/**
 * GitHub (`scmProvider.github`, Argo CD v3.5.1's services/scm_provider/github.go): the registry's line for it. This folder holds all of
 * it: service.ts (the generator's side: what it asks, what it makes of the answers), listing.ts (what is asked of the
 * API, within the run's bounds), client.ts (the HTTP client), fields.ts (its rows of the field table).
 */
import {DEFAULT_API_URL} from '../../../../../core/github-api.js'
import {scmProvider} from '../provider.js'
import {githubFields} from './fields.js'
import {githubService, type GitHubProtocol} from './service.js'

export const github = scmProvider<GitHubProtocol>({
  id: 'github',
  option: 0,
  flag: `github (the API URL from --api-url, else GITHUB_API_URL, else ${DEFAULT_API_URL}; the token from GH_TOKEN, GITHUB_TOKEN or gh auth token)`,
  apiUrlRequired: false,
  service: githubService,
  listing: async () => (await import('./listing.js')).githubListing,
  connection: ['tokenRef.**', 'appSecretName'],
  fields: githubFields,
})
