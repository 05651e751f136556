/** gitea's description (./index.ts is all of it): what `--scm-provider`'s help and the field table say of it. */
import type {ScmProviderAbout} from '../provider.js'

export const giteaAbout = {
  id: 'gitea',
  option: 5,
  flag: 'gitea (the API URL from --api-url, required, e.g. https://gitea.example.com; the token from GITEA_TOKEN)',
  apiUrlRequired: true,
  connection: ['tokenRef.**', 'insecure'],
} as const satisfies ScmProviderAbout
