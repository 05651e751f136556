import {prerequisiteError} from '../../core/errors.js'
import type {GitHubClient, RepoRef} from '../../effects/github/index.js'

/** A changed file, as it is in the local checkout after the edit. */
export interface PrFile {
  path: string
  content: Buffer
  executable: boolean
}

export interface OpenPrInput {
  client: GitHubClient
  repo: RepoRef
  base: string
  branch: string
  title: string
  body: string
  message: string
  /** The local checkout's HEAD: it must be the head of `base`, so a PR never carries a stale tree. */
  localHead: string
  files: PrFile[]
}

export interface PullRequestRecord {
  number: number
  url: string
  branch: string
  action: 'created' | 'updated' | 'unchanged'
}

/**
 * Commits exactly `files` onto the head of `base` through GitHub's REST API (blobs, tree, commit, ref: no git
 * credentials, no push, only the token) on `branch`, and opens the pull request — or updates the one already open.
 * Nothing new (the branch already holds this tree) means no commit, and the open PR is reported `unchanged`.
 * With no files, only an open PR for the branch is looked up.
 */
export async function openPullRequest(input: OpenPrInput): Promise<PullRequestRecord | null> {
  const {client, repo} = input
  const baseHead = await client.getBranchHead(repo, input.base)
  if (baseHead === null) {
    throw prerequisiteError(
      'GITHUB_NOT_FOUND',
      `${repo.owner}/${repo.repo} has no branch ${input.base}, or the token cannot see the repository (404).`,
      ['Check --repo and --base; a token without access to a private repository also gets 404.'],
    )
  }
  if (baseHead !== input.localHead) {
    throw prerequisiteError(
      'STALE_CHECKOUT',
      `The checkout is at ${input.localHead.slice(0, 12)} but ${input.base} is at ${baseHead.slice(0, 12)}: a PR from it would carry a stale tree. Nothing was pushed.`,
      [`git fetch origin ${input.base} && git checkout --detach origin/${input.base}, then run the command again.`],
    )
  }
  const open = async () =>
    (await client.listPullRequests(repo, {state: 'open', head: `${repo.owner}:${input.branch}`}))[0]
  if (input.files.length === 0) {
    const pr = await open()
    return pr ? {number: pr.number, url: pr.htmlUrl, branch: input.branch, action: 'unchanged'} : null
  }
  const baseTree = await client.getCommitTree(repo, baseHead)
  // Text goes inline in the tree (one request for all files); anything that is not UTF-8 becomes a blob first.
  const entries = []
  for (const file of [...input.files].sort((a, b) => a.path.localeCompare(b.path))) {
    const mode = file.executable ? ('100755' as const) : ('100644' as const)
    const text = file.content.toString('utf8')
    if (Buffer.from(text, 'utf8').equals(file.content)) entries.push({path: file.path, mode, content: text})
    else entries.push({path: file.path, mode, sha: await client.createBlob(repo, file.content)})
  }
  const tree = await client.createTree(repo, baseTree, entries)
  const branchHead = await client.getBranchHead(repo, input.branch)
  const current = branchHead === null ? null : await client.getCommitTree(repo, branchHead)
  const moved = current !== tree
  if (moved) {
    const commit = await client.createCommit(repo, {message: input.message, tree, parents: [baseHead]})
    await client.setBranch(repo, input.branch, commit, branchHead !== null)
  }
  const pr = await open()
  if (pr && !moved) return {number: pr.number, url: pr.htmlUrl, branch: input.branch, action: 'unchanged'}
  if (pr) {
    const updated = await client.updatePullRequest(repo, pr.number, {title: input.title, body: input.body})
    return {number: updated.number, url: updated.htmlUrl, branch: input.branch, action: 'updated'}
  }
  const created = await client.createPullRequest(repo, {
    title: input.title,
    body: input.body,
    head: input.branch,
    base: input.base,
  })
  return {number: created.number, url: created.htmlUrl, branch: input.branch, action: 'created'}
}
