/**
 * Azure DevOps (`scmProvider.azureDevOps`, Argo CD v3.5.1's services/scm_provider/azure_devops.go): the registry's line for it. This folder holds all of
 * it: service.ts (the generator's side: what it asks, what it makes of the answers), listing.ts (what is asked of the
 * API, within the run's bounds), client.ts (the HTTP client), fields.ts (its rows of the field table).
 */
import {scmProvider} from '../provider.js'
import {azureDevOpsFields} from './fields.js'
import {azureDevOpsService, type AzureDevOpsProtocol} from './service.js'
import {azureDevOpsAbout} from './about.js'

export const azureDevOps = scmProvider<AzureDevOpsProtocol>({
  ...azureDevOpsAbout,
  service: azureDevOpsService,
  listing: async () => (await import('./listing.js')).azureDevOpsListing,
  fields: azureDevOpsFields,
})
