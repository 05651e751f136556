/** `--argocd-server`: one validation for every command that talks to Argo CD's API (status, gitops diff/verify/preview). */
import {usageError} from '../../core/errors.js'
import {argoCdBaseUrl} from './argocd.js'

/** `https://host[:port]` from the flag's value; exit 2 INVALID_ARGOCD_SERVER when it is not an http(s) URL or host. */
export function parseArgoCdServer(value: string): string {
  let url: URL | null = null
  try {
    url = new URL(argoCdBaseUrl(value.trim()))
  } catch {
    url = null
  }
  if (!url || !url.hostname || url.username || url.password || (url.pathname !== '/' && url.pathname !== '')) {
    throw usageError(
      'INVALID_ARGOCD_SERVER',
      `--argocd-server ${JSON.stringify(value)} is not an http(s) URL or host[:port].`,
      ['e.g. --argocd-server https://argocd.example.com (the token comes from ARGOCD_AUTH_TOKEN).'],
    )
  }
  return `${url.protocol}//${url.host}`
}
