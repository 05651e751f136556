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
import {AZURE_DEVOPS_DEFAULT_URL, type AzureDevOpsQuestion} from './service.js'
import type {ScmQuestion} from '../../../../deployables/index.js'
import {tokenListing, type ScmAsker, type ScmListingMaker} from '../listing.js'

export const AZURE_DEVOPS_TOKEN = 'AZURE_DEVOPS_TOKEN'
/** azure_devops.go's AzureDevOpsErrorsTypeKeyValues. */
const REPOSITORY_NOT_FOUND = 'GitRepositoryNotFoundException'
const ITEM_NOT_FOUND = 'GitItemNotFoundException'

export const azureDevOpsListing: ScmListingMaker = async (apiUrlFlag, env, bounds) => {
  const apiUrl = httpApiUrl(apiUrlFlag ?? AZURE_DEVOPS_DEFAULT_URL, '--api-url', AZURE_DEVOPS_DEFAULT_URL)
  const listing = {provider: 'azureDevOps', label: 'Azure DevOps', apiUrl}
  return tokenListing(listing, env, AZURE_DEVOPS_TOKEN, bounds, (token, retryPolicy) =>
    azureDevOpsAsker({api: apiUrl, token, retryPolicy}),
  )
}

/** Answers one question with an organization's client (one per organization), each one request of the budget. */
export function azureDevOpsAsker(options: Omit<AzureDevOpsClientOptions, 'organization'>): ScmAsker {
  const clients = new Map<string, AzureDevOpsClient>()
  const clientOf = (organization: string) => {
    let client = clients.get(organization)
    if (!client) clients.set(organization, (client = createAzureDevOpsClient({...options, organization})))
    return client
  }
  return async (question: ScmQuestion, budget) => {
    const q = question as AzureDevOpsQuestion
    const client = clientOf(q.organization)
    budget.spend()
    switch (q.op) {
      case 'repositories':
        return client.getRepositories(q.project)
      case 'branch':
        return orNull(client.getBranch(q.project, q.repo, q.name), REPOSITORY_NOT_FOUND)
      case 'branches':
        return orNull(client.getBranches(q.project, q.repo), REPOSITORY_NOT_FOUND)
      default:
        return (
          (await orNull(
            client.getItem(q.project, q.repoId, q.path, q.branch).then(() => true),
            ITEM_NOT_FOUND,
          )) ?? false
        )
    }
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
