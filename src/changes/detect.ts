import {prerequisiteError, usageError} from '../core/errors.js'
import {gitMaybe} from '../effects/git.js'

/**
 * What changed between the base and the published commit, from `git diff --name-only <base>...<sha>`.
 * Default base: the merge-base with `origin/<baseBranch>`, else `<baseBranch>`; when the commit is itself on
 * the base branch (the merge-base is the commit), its first parent. A shallow clone that cannot answer is a
 * missing prerequisite (exit 3), never a silent "rebuild everything".
 */
export interface ChangeSet {
  sha: string
  /** Base commit (40 hex), or null when every component is built (--all, or a root commit). */
  base: string | null
  /** How the base was chosen, for the report. */
  baseDescription: string
  files: string[]
  /** Set when every component counts as changed, with the reason. */
  everything?: string
}

const SHA_PATTERN = /^[0-9a-f]{40}$/

const SHALLOW_HINTS = [
  'Fetch the history change detection needs: `git fetch --unshallow origin` (or actions/checkout with `fetch-depth: 0`).',
  'Or pass --base REF with a commit present in the clone, or --all to build everything.',
]

/** Validates `--sha` (exit 2); touches nothing. */
export function parseShaFlag(value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  if (!SHA_PATTERN.test(value)) {
    throw usageError(
      'INVALID_SHA',
      `--sha must be a full 40-hex commit sha (lowercase), got ${JSON.stringify(value)}.`,
      ['Pass the full commit sha, e.g. --sha "$(git rev-parse HEAD)".'],
    )
  }
  return value
}

async function isShallow(repoRoot: string): Promise<boolean> {
  const result = await gitMaybe(repoRoot, ['rev-parse', '--is-shallow-repository'])
  return result.ok && result.stdout.trim() === 'true'
}

async function resolveCommit(repoRoot: string, ref: string): Promise<string | null> {
  const result = await gitMaybe(repoRoot, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])
  return result.ok ? result.stdout.trim() : null
}

/** The commit to publish: `--sha` (must exist) or HEAD. */
export async function resolvePublishedCommit(repoRoot: string, sha: string | undefined): Promise<string> {
  if (sha !== undefined) {
    const found = await resolveCommit(repoRoot, sha)
    if (found !== sha) {
      throw usageError('SHA_NOT_FOUND', `Commit ${sha} does not exist in ${repoRoot}.`, [
        (await isShallow(repoRoot)) ? SHALLOW_HINTS[0] : 'Fetch the commit first, or omit --sha to publish HEAD.',
      ])
    }
    return sha
  }
  const head = await resolveCommit(repoRoot, 'HEAD')
  if (!head)
    throw prerequisiteError('NO_COMMIT', `${repoRoot} has no commit to publish.`, [
      'Commit first; publish tags images with the commit sha.',
    ])
  return head
}

export interface ChangeOptions {
  repoRoot: string
  sha: string
  /** --base REF */
  base?: string
  baseBranch: string
  /** --all */
  all: boolean
}

export async function detectChanges(options: ChangeOptions): Promise<ChangeSet> {
  const {repoRoot, sha} = options
  if (options.all)
    return {
      sha,
      base: null,
      baseDescription: '--all',
      files: [],
      everything: '--all: every selected component is built',
    }
  if (options.base !== undefined) {
    const base = await explicitBase(repoRoot, options.base)
    return changesSince(repoRoot, sha, base, `--base ${options.base}`)
  }
  return changesSinceBaseBranch(options)
}

/** `--base REF`: the commit it names (exit 2 if none, exit 3 if a shallow clone does not hold it). */
async function explicitBase(repoRoot: string, ref: string): Promise<string> {
  const found = await resolveCommit(repoRoot, ref)
  if (!found) {
    if (await isShallow(repoRoot)) {
      throw prerequisiteError('SHALLOW_CLONE', `--base ${ref} is not in this shallow clone.`, SHALLOW_HINTS)
    }
    throw usageError('BASE_NOT_FOUND', `--base ${ref} does not name a commit.`, [
      'Pass a branch, tag or commit that exists locally.',
    ])
  }
  return found
}

/**
 * The default base: the merge-base with the base branch's tip, or, for a commit of the base branch itself, its
 * first parent.
 */
async function changesSinceBaseBranch(options: ChangeOptions): Promise<ChangeSet> {
  const {repoRoot, sha} = options
  const {branch, tip} = await baseBranchTip(options)
  // `git diff tip...sha` is the diff from their merge-base, so it runs alongside `git merge-base` and is used
  // unless the merge-base is the commit itself (then the first parent is the base, below).
  const [mergeBase, diffFromTip] = await Promise.all([
    gitMaybe(repoRoot, ['merge-base', tip, sha]),
    gitMaybe(repoRoot, ['diff', '--name-only', '--no-renames', '-z', `${tip}...${sha}`]),
  ])
  if (!mergeBase.ok) {
    if (await isShallow(repoRoot)) {
      throw prerequisiteError(
        'SHALLOW_CLONE',
        `This shallow clone does not hold the merge-base of ${branch} and ${sha.slice(0, 12)}.`,
        SHALLOW_HINTS,
      )
    }
    throw prerequisiteError('BASE_NOT_FOUND', `${branch} and ${sha.slice(0, 12)} share no history.`, [
      'Pass --base REF, or --all to build everything.',
    ])
  }
  const base = mergeBase.stdout.trim()
  if (base === sha) return changesSinceFirstParent(repoRoot, sha, branch)
  const baseDescription = `merge-base with ${branch}`
  if (diffFromTip.ok) return changeSet(sha, base, baseDescription, diffFromTip.stdout)
  return changesSince(repoRoot, sha, base, baseDescription)
}

/** The tip of `origin/<baseBranch>`, else of `<baseBranch>` (exit 3 when neither exists). */
async function baseBranchTip(options: ChangeOptions): Promise<{branch: string; tip: string}> {
  const {repoRoot, sha} = options
  const candidates = [`origin/${options.baseBranch}`, options.baseBranch]
  // Both candidates resolved at once (the first that exists wins, as before): one git round trip less.
  const tips = await Promise.all(candidates.map((candidate) => resolveCommit(repoRoot, candidate)))
  const found = tips.findIndex((t) => t !== null)
  const branch: string | undefined = found >= 0 ? candidates[found] : undefined
  const tip: string | null = found >= 0 ? tips[found] : null
  if (!tip || !branch) {
    if (await isShallow(repoRoot)) {
      throw prerequisiteError(
        'SHALLOW_CLONE',
        `Cannot find ${candidates.join(' or ')} in this shallow clone to compare with.`,
        SHALLOW_HINTS,
      )
    }
    throw prerequisiteError(
      'BASE_NOT_FOUND',
      `Neither ${candidates.join(' nor ')} exists, so there is nothing to compare ${sha.slice(0, 12)} with.`,
      [
        `Fetch the base branch (git fetch origin ${options.baseBranch}), pass --base REF, or --all to build everything.`,
      ],
    )
  }
  return {branch, tip}
}

/**
 * Publishing a commit of the base branch itself (the CD run after a merge): compare with its first parent; a root
 * commit has none, and every component counts as changed.
 */
async function changesSinceFirstParent(repoRoot: string, sha: string, branch: string): Promise<ChangeSet> {
  const parent = await resolveCommit(repoRoot, `${sha}^1`)
  if (!parent) {
    if (await isShallow(repoRoot)) {
      throw prerequisiteError(
        'SHALLOW_CLONE',
        `${sha.slice(0, 12)} is on ${branch}, but its parent is not in this shallow clone.`,
        SHALLOW_HINTS,
      )
    }
    return {
      sha,
      base: null,
      baseDescription: 'root commit',
      files: [],
      everything: 'first commit: nothing to compare with',
    }
  }
  return changesSince(repoRoot, sha, parent, `first parent (${sha.slice(0, 12)} is on ${branch})`)
}

/** The files changed from `base` to `sha` (`git diff --name-only <base>...<sha>`). */
async function changesSince(repoRoot: string, sha: string, base: string, baseDescription: string): Promise<ChangeSet> {
  const diff = await gitMaybe(repoRoot, ['diff', '--name-only', '--no-renames', '-z', `${base}...${sha}`])
  if (!diff.ok) {
    if (await isShallow(repoRoot))
      throw prerequisiteError(
        'SHALLOW_CLONE',
        `git diff ${base.slice(0, 12)}...${sha.slice(0, 12)} fails in this shallow clone.`,
        SHALLOW_HINTS,
      )
    throw prerequisiteError(
      'GIT_DIFF_FAILED',
      `git diff ${base.slice(0, 12)}...${sha.slice(0, 12)} failed: ${diff.stderr.trim()}`,
    )
  }
  return changeSet(sha, base, baseDescription, diff.stdout)
}

function changeSet(sha: string, base: string, baseDescription: string, nulSeparated: string): ChangeSet {
  const files = nulSeparated
    .split('\0')
    .filter((f) => f.length > 0)
    .sort()
  return {sha, base, baseDescription, files}
}
