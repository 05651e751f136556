/**
 * The two revisions of `gitops diff`, chosen without touching the checkout: `--head` (default: the working tree) and
 * `--base` (default: the merge-base of HEAD with the default branch — the pull request's base branch under GitHub
 * Actions, else origin/HEAD, origin/main, origin/master, main, master). src/gitops/revision reads each.
 */
import {prerequisiteError, usageError} from '../../core/errors.js'
import {gitMaybe} from '../../effects/git.js'
import type {DiffRevision} from './types.js'

const DEFAULT_BRANCHES = ['origin/main', 'origin/master', 'main', 'master']

async function commitOf(root: string, rev: string): Promise<string | null> {
  if (rev.startsWith('-')) return null
  const r = await gitMaybe(root, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`])
  return r.ok ? r.stdout.trim() : null
}

/**
 * The branch to compare with: the pull request's base branch under GitHub Actions (`baseRef`, from GITHUB_BASE_REF;
 * actions/checkout sets no origin/HEAD), else origin/HEAD's target, else the first of origin/main, origin/master,
 * main, master.
 */
async function defaultBranch(root: string, baseRef?: string): Promise<string | null> {
  if (baseRef) for (const b of [`origin/${baseRef}`, baseRef]) if (await commitOf(root, b)) return b
  const head = await gitMaybe(root, ['symbolic-ref', '--quiet', '--short', 'refs/remotes/origin/HEAD'])
  if (head.ok && head.stdout.trim() !== '') return head.stdout.trim()
  for (const b of DEFAULT_BRANCHES) if (await commitOf(root, b)) return b
  return null
}

export async function resolveRevisions(
  root: string,
  base: string | undefined,
  head: string | undefined,
  /** The pull request's base branch (GITHUB_BASE_REF under GitHub Actions). */
  baseRef?: string,
): Promise<{base: DiffRevision; head: DiffRevision}> {
  // Both named: asked of git at once (each is a process to wait for), the head's answer judged first as before.
  const baseCommit = base === undefined ? undefined : commitOf(root, base)
  // Not awaited when the head is refused: its failure is then nobody's (awaited below, it still throws).
  baseCommit?.catch(() => undefined)
  let headRev: DiffRevision
  if (head !== undefined) {
    const commit = await commitOf(root, head)
    if (!commit) {
      throw usageError('REVISION_NOT_FOUND', `--head ${head} does not name a commit of ${root}.`, [
        'Name a branch, tag or commit (git rev-parse must resolve it); omit --head to compare the working tree.',
      ])
    }
    headRev = {revision: head, commit, chosenBy: '--head'}
  } else {
    headRev = {revision: 'working tree', commit: null, chosenBy: 'working tree'}
  }
  if (base !== undefined) {
    const commit = await baseCommit
    if (!commit) {
      throw usageError('BASE_NOT_FOUND', `--base ${base} does not name a commit of ${root}.`, [
        'Name a branch, tag or commit (git rev-parse must resolve it).',
      ])
    }
    return {base: {revision: base, commit, chosenBy: '--base'}, head: headRev}
  }
  const branch = await defaultBranch(root, baseRef)
  if (!branch) {
    throw prerequisiteError('BASE_NOT_FOUND', `No default branch to compare with in ${root}.`, [
      'Pass --base REV, or set origin/HEAD (git remote set-head origin --auto).',
    ])
  }
  const tip = headRev.commit ?? 'HEAD'
  const mb = await gitMaybe(root, ['merge-base', branch, tip])
  if (!mb.ok || mb.stdout.trim() === '') {
    throw prerequisiteError(
      'BASE_NOT_FOUND',
      `${branch} and ${headRev.commit ? headRev.revision : 'HEAD'} share no history here.`,
      ['In a shallow clone fetch more history (actions/checkout with fetch-depth: 0), or pass --base REV.'],
    )
  }
  return {base: {revision: branch, commit: mb.stdout.trim(), chosenBy: `merge-base with ${branch}`}, head: headRev}
}
