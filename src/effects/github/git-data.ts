/**
 * Git data verbs: refs, commits, blobs and trees, the requests a pull request is committed with through the REST
 * API (no git credentials, no push, only the token).
 */
import type {GitHubApiError} from './errors.js'
import type {GitHubTransport} from './transport.js'
import type {RepoRef} from './types.js'

export interface GitDataVerbs {
  /** The commit a branch points at, or null when there is no such branch. */
  getBranchHead(repo: RepoRef, branch: string): Promise<string | null>
  /** The tree of a commit. */
  getCommitTree(repo: RepoRef, commitSha: string): Promise<string>
  createBlob(repo: RepoRef, content: Buffer): Promise<string>
  /** A tree: `base` with these files replaced (paths repo-relative; mode 100644 or 100755; a blob sha or UTF-8 text). */
  createTree(
    repo: RepoRef,
    base: string,
    files: Array<{path: string; mode: '100644' | '100755'} & ({sha: string} | {content: string})>,
  ): Promise<string>
  createCommit(repo: RepoRef, commit: {message: string; tree: string; parents: string[]}): Promise<string>
  /** Points `branch` at `sha`: creates the ref, or moves it (force) when it exists. */
  setBranch(repo: RepoRef, branch: string, sha: string, exists: boolean): Promise<void>
}

export function gitDataVerbs({octokit, call}: GitHubTransport): GitDataVerbs {
  return {
    async getBranchHead(repo, branch) {
      try {
        const {data} = await call('get branch', () => octokit.rest.git.getRef({...repo, ref: `heads/${branch}`}))
        return data.object.sha
      } catch (error) {
        if ((error as GitHubApiError).status === 404) return null
        throw error
      }
    },

    async getCommitTree(repo, commitSha) {
      const {data} = await call('get commit', () => octokit.rest.git.getCommit({...repo, commit_sha: commitSha}))
      return data.tree.sha
    },

    async createBlob(repo, content) {
      const {data} = await call('create blob', () =>
        octokit.rest.git.createBlob({...repo, content: content.toString('base64'), encoding: 'base64'}),
      )
      return data.sha
    },

    async createTree(repo, base, files) {
      const {data} = await call('create tree', () =>
        octokit.rest.git.createTree({
          ...repo,
          base_tree: base,
          tree: files.map((f) => ({...f, type: 'blob' as const})),
        }),
      )
      return data.sha
    },

    async createCommit(repo, commit) {
      const {data} = await call('create commit', () => octokit.rest.git.createCommit({...repo, ...commit}))
      return data.sha
    },

    async setBranch(repo, branch, sha, exists) {
      if (exists)
        await call('move branch', () => octokit.rest.git.updateRef({...repo, ref: `heads/${branch}`, sha, force: true}))
      else await call('create branch', () => octokit.rest.git.createRef({...repo, ref: `refs/heads/${branch}`, sha}))
    },
  }
}
