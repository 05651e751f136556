/**
 * The GitHub client: every verb group over one transport. Adding a verb group is one file beside this one
 * (`<group>.ts` exporting `<Group>Verbs` and `<group>Verbs(transport)`) and its line here; see docs/architecture.md.
 * `openGitHub` is how commands get a client: the token (GH_TOKEN, GITHUB_TOKEN, `gh auth token`), then the client.
 */
import {actionsVerbs, type ActionsVerbs} from './actions.js'
import {contentsVerbs, type ContentsVerbs} from './contents.js'
import {gitDataVerbs, type GitDataVerbs} from './git-data.js'
import {pullsVerbs, type PullsVerbs} from './pulls.js'
import {repositoriesVerbs, type RepositoriesVerbs} from './repositories.js'
import {findToken, missingTokenError, type ResolvedToken} from './token.js'
import {createTransport, type GitHubTransportOptions} from './transport.js'
import {usersVerbs, type UsersVerbs} from './users.js'

/** GitHub's REST API as ameide uses it: methods return plain data; failures are GitHubApiError. */
export type GitHubClient = ActionsVerbs & ContentsVerbs & GitDataVerbs & PullsVerbs & RepositoriesVerbs & UsersVerbs

export async function createGitHubClient(options: {
  token: string
  baseUrl: string
  transport?: Partial<GitHubTransportOptions>
  signal?: AbortSignal
}): Promise<GitHubClient> {
  const transport = await createTransport(options)
  return {
    ...actionsVerbs(transport),
    ...contentsVerbs(transport),
    ...gitDataVerbs(transport),
    ...pullsVerbs(transport),
    ...repositoriesVerbs(transport),
    ...usersVerbs(transport),
  }
}

export interface OpenGitHubOptions {
  env: NodeJS.ProcessEnv
  /** The resolved API URL (target.ts resolveApiUrl). */
  apiUrl: string
  /** Without a token: GITHUB_TOKEN_MISSING (exit 3) when required, else no client. */
  required: boolean
  transport?: Partial<GitHubTransportOptions>
  /** Cancels the client's requests (a cancelled call): see createTransport. */
  signal?: AbortSignal
  /** Tests: a client to use instead of the octokit one (still only when a token was found). */
  client?: GitHubClient
}

/** The token and a client over it; `null` when there is no token and none is required (a dry run). */
export async function openGitHub(
  options: OpenGitHubOptions,
): Promise<{client: GitHubClient; tokenSource: ResolvedToken['source']} | null> {
  const found = await findToken(options.env, options.apiUrl)
  if (!found) {
    if (options.required) throw missingTokenError()
    return null
  }
  const client =
    options.client ??
    (await createGitHubClient({
      token: found.token,
      baseUrl: options.apiUrl,
      transport: options.transport,
      signal: options.signal,
    }))
  return {client, tokenSource: found.source}
}
