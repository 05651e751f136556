/**
 * Azure DevOps' answers for the `scmProvider.azureDevOps` generator (`--scm-provider azureDevOps`): the API URL
 * (--api-url, else https://dev.azure.com, as Argo CD's default) and a personal access token from AZURE_DEVOPS_TOKEN
 * (registered as a secret). The questions are ./service.ts's, each one request.
 */
import {httpApiUrl} from '../../../../../core/api-url-flag.js'
import {
  AzureDevOpsError,
  createAzureDevOpsClient,
  type AzureDevOpsClient,
  type AzureDevOpsClientOptions,
} from './client.js'
import {AZURE_DEVOPS_DEFAULT_URL, type AzureDevOpsProtocol} from './service.js'
import type {Answerers, ScmBudget} from '../protocol.js'
import {tokenListing, type ScmListingMaker} from '../listing.js'

export const AZURE_DEVOPS_TOKEN = 'AZURE_DEVOPS_TOKEN'
/** azure_devops.go's AzureDevOpsErrorsTypeKeyValues. */
const REPOSITORY_NOT_FOUND = 'GitRepositoryNotFoundException'
const ITEM_NOT_FOUND = 'GitItemNotFoundException'

export const azureDevOpsListing: ScmListingMaker<AzureDevOpsProtocol> = async (apiUrlFlag, env, bounds) => {
  const apiUrl = httpApiUrl(apiUrlFlag ?? AZURE_DEVOPS_DEFAULT_URL, '--api-url', AZURE_DEVOPS_DEFAULT_URL)
  const listing = {provider: 'azureDevOps', label: 'Azure DevOps', apiUrl}
  return tokenListing(listing, env, AZURE_DEVOPS_TOKEN, bounds, (token, retryPolicy) =>
    azureDevOpsAsker({api: apiUrl, token, retryPolicy}),
  )
}

/** The answers with an organization's client (one per organization), each one request of the budget. */
export function azureDevOpsAsker(
  options: Omit<AzureDevOpsClientOptions, 'organization'>,
): Answerers<AzureDevOpsProtocol> {
  const clients = new Map<string, AzureDevOpsClient>()
  const clientOf = (organization: string, budget: ScmBudget) => {
    let client = clients.get(organization)
    if (!client) clients.set(organization, (client = createAzureDevOpsClient({...options, organization})))
    budget.spend()
    return client
  }
  return {
    repositories: async (q, budget) => clientOf(q.organization, budget).getRepositories(q.project),
    branch: (q, budget) =>
      orNull(clientOf(q.organization, budget).getBranch(q.project, q.repo, q.name), REPOSITORY_NOT_FOUND),
    branches: (q, budget) =>
      orNull(clientOf(q.organization, budget).getBranches(q.project, q.repo), REPOSITORY_NOT_FOUND),
    path: async (q, budget) => {
      const item = clientOf(q.organization, budget).getItem(q.project, q.repoId, q.path, q.branch)
      return (
        (await orNull(
          item.then(() => true),
          ITEM_NOT_FOUND,
        )) ?? false
      )
    },
  }
}

/** The answer, or null when Azure DevOps failed with this typeKey (what Argo CD reads as "none"). */
async function orNull<T>(answer: Promise<T>, typeKey: string): Promise<T | null> {
  try {
    return await answer
  } catch (error) {
    if (error instanceof AzureDevOpsError && error.typeKey === typeKey) return null
    throw error
  }
}
