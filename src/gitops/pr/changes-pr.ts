/**
 * `--open-pr` for set-image and promote: the files a write changed (against HEAD), the GitHub client from
 * openGitHub, the deterministic branch, the PR's title and body; GitHub failures mapped at the `pr` stage.
 */
import {createHash} from 'node:crypto'
import {readFile, stat} from 'node:fs/promises'
import path from 'node:path'

import {prerequisiteError} from '../../core/errors.js'
import {mdCode, mdText} from '../../core/output/markdown.js'
import {imagesBranch, promoteBranch} from '../../effects/github/branch.js'
import {
  guardGitHub,
  openGitHub,
  type GitHubClient,
  type GitHubStage,
  type GitHubTransportOptions,
} from '../../effects/github/index.js'
import {gitMaybe} from '../../effects/git.js'
import type {WriteResult} from '../write/write.js'
import {openPullRequest, type PullRequestRecord} from './open-pr.js'

/** `--open-pr` and its flags. */
export interface PrRequest {
  repository: string
  base: string
  branch?: string
  title?: string
  apiUrl: string
  env: NodeJS.ProcessEnv
  /** Tests: a client to use instead of the octokit one (the token is still required). */
  client?: GitHubClient
  transport?: Partial<GitHubTransportOptions>
}

/**
 * The deterministic branch of a write: `ameide/images-<env>-<sha12>` for set-image (the report's commit, else a
 * digest of the refs), `ameide/promote-<from>-to-<to>-<digest12>` for promote (a digest of the change).
 */
export function defaultBranch(result: WriteResult, sourceSha: string | undefined): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([...result.changes, ...result.unchanged].map((c) => ('to' in c ? c.to : c.ref)).sort()))
    .digest('hex')
    .slice(0, 12)
  if (result.from) return promoteBranch(result.from, result.env, digest)
  return imagesBranch(result.env, sourceSha ?? digest)
}

/** Commits the files the write changed onto `--base` through the REST API and opens (or updates) the PR. */
export async function pullRequestForWrite(
  root: string,
  result: WriteResult,
  request: PrRequest,
  sourceSha: string | undefined,
): Promise<PullRequestRecord | null> {
  const [owner, repo] = request.repository.split('/')
  const ctx: GitHubStage = {stage: 'pr', repository: request.repository, base: request.base}
  const {client} = (await openGitHub({
    env: request.env,
    apiUrl: request.apiUrl,
    required: true,
    transport: request.transport,
    client: request.client,
  }))!
  const head = await gitMaybe(root, ['rev-parse', 'HEAD'])
  if (!head.ok) {
    throw prerequisiteError('NOT_A_GIT_REPOSITORY', `${root} has no commit to compare with ${request.base}.`, [
      'Run --open-pr in a clone of the GitOps repository at the head of --base.',
    ])
  }
  // The files this write touched that differ from HEAD: also those an earlier run (or step) already wrote.
  const touched = [...new Set([...result.changes, ...result.unchanged].map((c) => c.file))].sort()
  const differing =
    touched.length === 0
      ? {ok: true, stdout: ''}
      : await gitMaybe(root, ['diff', '--name-only', 'HEAD', '--', ...touched])
  const changed = new Set(differing.stdout.split('\n').filter(Boolean))
  const files = await Promise.all(
    touched
      .filter((file) => changed.has(file))
      .map(async (file) => {
        const abs = path.join(root, file)
        return {path: file, content: await readFile(abs), executable: ((await stat(abs)).mode & 0o111) !== 0}
      }),
  )
  const target = result.from ? `${result.from} → ${result.env}` : result.env
  const title = request.title ?? (result.from ? `Promote images ${target}` : `Update image refs in ${result.env}`)
  return guardGitHub(
    () =>
      openPullRequest({
        client,
        repo: {owner, repo},
        base: request.base,
        branch: request.branch ?? defaultBranch(result, sourceSha),
        title,
        body: prBody(result),
        message: `${title}\n\n${result.changes.map((c) => `${c.component ?? c.repository}: ${c.to}`).join('\n')}\n`,
        localHead: head.stdout.trim(),
        files,
      }),
    ctx,
  )
}

/** The PR's body: the repository's strings (files, the refs found there) through the Markdown escapes. */
function prBody(result: WriteResult): string {
  const lines = [
    result.from
      ? `Promotes the exact image refs of ${mdCode(result.from)} to ${mdCode(result.env)} (written by \`ameide gitops promote\`).`
      : `Writes digest-pinned image refs into ${mdCode(result.env)} (written by \`ameide gitops set-image\`).`,
    '',
    '| Component | File | From | To |',
    '|---|---|---|---|',
    ...result.changes.map(
      (c) =>
        `| ${mdText(c.component ?? c.repository)} | ${mdCode(`${c.file}:${c.line}`)} | ${mdCode(c.from)} | ${mdCode(c.to)} |`,
    ),
  ]
  if (result.notFound.length > 0) {
    const names = result.notFound.map((n) => n.component ?? n.repository).join(', ')
    lines.push('', `Not wired in ${mdCode(result.env)} (no reference): ${mdText(names)}.`)
  }
  if (result.skipped.length > 0) {
    lines.push('', `Skipped: ${mdText(result.skipped.map((s) => `${s.component} (${s.reason})`).join('; '))}.`)
  }
  return `${lines.join('\n')}\n`
}
