/** gitlab's description (./index.ts is all of it): what `--scm-provider`'s help and the field table say of it. */
import type {ScmProviderAbout} from '../provider.js'

export const gitlabAbout = {
  id: 'gitlab',
  option: 1,
  flag: "gitlab (the API URL from --api-url, else https://gitlab.com, /api/v4/ added as GitLab's client adds it; the token from GITLAB_TOKEN)",
  apiUrlRequired: false,
  connection: ['tokenRef.**', 'caRef.**', 'insecure'],
} as const satisfies ScmProviderAbout
