/** bitbucketServer's description (./index.ts is all of it): what `--scm-provider`'s help and the field table say of it. */
import type {ScmProviderAbout} from '../provider.js'

export const bitbucketServerAbout = {
  id: 'bitbucketServer',
  option: 6,
  flag: 'bitbucketServer (the API URL from --api-url, required, e.g. https://bitbucket.example.com, /rest added as Argo CD adds it; a bearer token from BITBUCKET_TOKEN, basic auth is not offered)',
  apiUrlRequired: true,
  connection: ['basicAuth.**', 'bearerToken.**', 'caRef.**', 'insecure'],
} as const satisfies ScmProviderAbout
