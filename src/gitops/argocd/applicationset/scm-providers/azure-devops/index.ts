/**
 * Azure DevOps (`scmProvider.azureDevOps`, Argo CD v3.5.1's services/scm_provider/azure_devops.go): the registry's line for it. This folder holds all of
 * it: service.ts (the generator's side: what it asks, what it makes of the answers), listing.ts (what is asked of the
 * API, within the run's bounds), client.ts (the HTTP client), fields.ts (its rows of the field table).
 */
import {scmProvider} from '../provider.js'
import {azureDevOpsFields} from './fields.js'
import {azureDevOpsService, type AzureDevOpsProtocol} from './service.js'

export const azureDevOps = scmProvider<AzureDevOpsProtocol>({
  id: 'azureDevOps',
  option: 2,
  flag: 'azureDevOps (the API URL from --api-url, else https://dev.azure.com, the organization appended; a personal access token from AZURE_DEVOPS_TOKEN)',
  apiUrlRequired: false,
  service: azureDevOpsService,
  listing: async () => (await import('./listing.js')).azureDevOpsListing,
  connection: ['accessTokenRef.**'],
  fields: azureDevOpsFields,
})
