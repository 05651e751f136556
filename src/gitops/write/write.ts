import {failureError} from '../../core/errors.js'
import type {GitopsPolicy} from '../layout/index.js'
import {applyEdits, unifiedDiff} from './apply.js'
import type {DesiredImage, SkippedImage} from './input.js'
import {pruneState, recoverInterrupted, writeState, type Recovery} from './journal.js'
import {acquireLock} from './lock.js'
import {planWrite, promotionInput, type WritePlan} from './plan.js'

/** The `--json` result of `gitops set-image` and `gitops promote` (schemas/gitops-set-image.schema.json, …-promote). */
export interface WriteResult {
  /** The environment written (promote: the target). */
  env: string
  /** promote: the source environment. */
  from?: string
  dryRun: boolean
  /** `applied`: files written; `planned`: dry run; `none`: nothing to change. */
  status: 'applied' | 'planned' | 'none'
  changes: WritePlan['changes']
  unchanged: WritePlan['unchanged']
  notFound: WritePlan['notFound']
  skipped: SkippedImage[]
  /** Repo-relative files changed (or that would change). */
  files: string[]
  /** The unified diff, with --dry-run. */
  diff?: string
  /** An earlier write that was interrupted (crash, kill), finished or undone before this one planned. */
  recovered?: Recovery
  pullRequest?: {number: number; url: string; branch: string; action: 'created' | 'updated' | 'unchanged'}
}

export interface WriteOptions {
  root: string
  policy: GitopsPolicy
  dryRun: boolean
  /** Every desired image must have a reference: checked on the plan, before any write or request. */
  requireAll?: boolean
  /** How long to wait for another writer on the same checkout (default: lock.ts LOCK_WAIT_MS). */
  lockWaitMs?: number
}

/** Plans every edit, then (unless a dry run) writes all of them or none. */
export async function setImage(
  options: WriteOptions & {env: string; images: DesiredImage[]; skipped: SkippedImage[]},
): Promise<{result: WriteResult; plan: WritePlan}> {
  return exclusive(options, async (recovered) => {
    const plan = await planWrite(options.root, options.policy, options.env, options.images, options.skipped)
    return {result: await finish(options, plan, recovered), plan}
  })
}

/** Copies the exact refs of `from` into `to` (only digest-pinned sources), with set-image's rules. */
export async function promote(
  options: WriteOptions & {from: string; to: string; components?: string[]},
): Promise<{result: WriteResult; plan: WritePlan}> {
  return exclusive(options, async (recovered) => {
    const source = await promotionInput(options.root, options.policy, options.from, options.components)
    const plan = await planWrite(options.root, options.policy, options.to, source.images, source.skipped)
    return {result: await finish(options, plan, recovered, options.from), plan}
  })
}

/**
 * A real run holds the checkout's writer lock from before it reads the overlay until its last rename, and first
 * finishes or undoes an interrupted earlier apply (journal.ts), so it plans on whole files and a second writer
 * plans on what the first wrote. A dry run reads only: no lock, no recovery.
 */
async function exclusive<T>(options: WriteOptions, run: (recovered?: Recovery) => Promise<T>): Promise<T> {
  if (options.dryRun) return run()
  const state = writeState(options.root)
  const release = await acquireLock(state.dir, options.lockWaitMs)
  try {
    return await run(recoverInterrupted(state, options.root))
  } finally {
    release()
    pruneState(state)
  }
}

async function finish(
  options: WriteOptions,
  plan: WritePlan,
  recovered: Recovery | undefined,
  from?: string,
): Promise<WriteResult> {
  if (options.requireAll && plan.notFound.length > 0) {
    const names = plan.notFound.map((n) => n.component ?? n.repository).join(', ')
    throw failureError(
      'IMAGES_NOT_WIRED',
      `No reference in the ${plan.env} environment for ${names}; nothing was written.`,
      ['Wire the image into the environment first (ameide primitive gitops scaffold), or drop --require-all.'],
    )
  }
  const files = plan.edits.map((e) => e.file)
  const status = plan.edits.length === 0 ? 'none' : options.dryRun ? 'planned' : 'applied'
  const base: WriteResult = {
    env: plan.env,
    ...(from !== undefined ? {from} : {}),
    dryRun: options.dryRun,
    status,
    changes: plan.changes,
    unchanged: plan.unchanged,
    notFound: plan.notFound,
    skipped: plan.skipped,
    files,
    ...(recovered ? {recovered} : {}),
  }
  if (status === 'planned') return {...base, diff: await unifiedDiff(plan.edits)}
  if (status === 'applied') await applyEdits(options.root, plan.edits, writeState(options.root))
  return base
}
