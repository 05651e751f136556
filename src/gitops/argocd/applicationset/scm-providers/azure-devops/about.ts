/** azureDevOps's description (./index.ts is all of it): what `--scm-provider`'s help and the field table say of it. */
import type {ScmProviderAbout} from '../provider.js'

export const azureDevOpsAbout = {
  id: 'azureDevOps',
  option: 2,
  flag: 'azureDevOps (the API URL from --api-url, else https://dev.azure.com, the organization appended; a personal access token from AZURE_DEVOPS_TOKEN)',
  apiUrlRequired: false,
  connection: ['accessTokenRef.**'],
} as const satisfies ScmProviderAbout
