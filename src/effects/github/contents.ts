/** Repository contents verbs: the text of a file at a ref. */
import {GitHubApiError} from './errors.js'
import type {GitHubTransport} from './transport.js'
import type {RepoRef} from './types.js'

export interface ContentsVerbs {
  /** The text of a file at a ref, through the contents API (base64 decoded). */
  readFile(repo: RepoRef, path: string, ref: string): Promise<string>
  /** The text of a file at a ref, or null when GitHub answers 404 (no such file, or not a file). */
  readFileIfExists(repo: RepoRef, path: string, ref: string): Promise<string | null>
}

export function contentsVerbs({octokit, call}: GitHubTransport): ContentsVerbs {
  const verbs: ContentsVerbs = {
    async readFile(repo, path, ref) {
      const {data} = await call('read file', () => octokit.rest.repos.getContent({...repo, path, ref}))
      if (Array.isArray(data) || data.type !== 'file' || !('content' in data)) {
        throw new GitHubApiError(404, `${path} is not a file`, false, undefined, undefined, 'read file')
      }
      return Buffer.from(data.content, (data.encoding as BufferEncoding | undefined) ?? 'base64').toString('utf8')
    },

    async readFileIfExists(repo, path, ref) {
      try {
        return await verbs.readFile(repo, path, ref)
      } catch (error) {
        if (error instanceof GitHubApiError && error.status === 404) return null
        throw error
      }
    },
  }
  return verbs
}
