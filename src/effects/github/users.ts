/** User verbs: who the token belongs to (a dispatched run is looked for among that actor's runs). */
import type {GitHubTransport} from './transport.js'

export interface UsersVerbs {
  /** The token's user login, or null when the token is not a user's (an app or Actions token). */
  authenticatedLogin(): Promise<string | null>
}

export function usersVerbs({octokit, call}: GitHubTransport): UsersVerbs {
  return {
    async authenticatedLogin() {
      try {
        const {data} = await call('get authenticated user', () => octokit.rest.users.getAuthenticated())
        return data.login
      } catch (error) {
        const status = (error as {status?: number}).status
        // Installation and Actions tokens have no user: GitHub answers 403 (or 404 on some servers).
        if (status === 403 || status === 404) return null
        throw error
      }
    },
  }
}
