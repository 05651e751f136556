/** bitbucket's description (./index.ts is all of it): what `--scm-provider`'s help and the field table say of it. */
import type {ScmProviderAbout} from '../provider.js'

export const bitbucketAbout = {
  id: 'bitbucket',
  option: 3,
  flag: "bitbucket, Bitbucket Cloud (the API base from --api-url, else https://api.bitbucket.org/2.0, standing for Argo CD's BITBUCKET_API_BASE_URL; BITBUCKET_TOKEN, sent as basic auth with BITBUCKET_USER when set, as Argo CD's user and app password, else as a bearer access token)",
  apiUrlRequired: false,
  connection: ['appPasswordRef.**', 'user'],
} as const satisfies ScmProviderAbout
