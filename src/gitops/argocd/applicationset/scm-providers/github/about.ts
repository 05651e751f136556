/** github's description (./index.ts is all of it): what `--scm-provider`'s help and the field table say of it. */
import {DEFAULT_API_URL} from '../../../../../core/github-api.js'
import type {ScmProviderAbout} from '../provider.js'

export const githubAbout = {
  id: 'github',
  option: 0,
  flag: `github (the API URL from --api-url, else GITHUB_API_URL, else ${DEFAULT_API_URL}; the token from GH_TOKEN, GITHUB_TOKEN or gh auth token)`,
  apiUrlRequired: false,
  connection: ['tokenRef.**', 'appSecretName'],
} as const satisfies ScmProviderAbout
