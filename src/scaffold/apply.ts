import {randomBytes} from 'node:crypto'
import {unlinkSync} from 'node:fs'
import {link, mkdir, open, readdir, unlink} from 'node:fs/promises'
import path from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'

import type {PlannedFile, ScaffoldPlan} from './plan.js'

/** Temporary files are siblings of their target, named so they can be recognised and cleaned up. */
const TEMP_MARKER = '.ameide-tmp-'
const TEMP_FILE = /^\..+\.ameide-tmp-\d+-[0-9a-f]+$/

/** Temp files in flight, removed if the process is interrupted. */
const inFlight = new Set<string>()

/**
 * Writes the plan's `create` files. Each file is written to a temporary sibling, flushed to disk, then
 * hard-linked into place: `link` fails when the target exists, so nothing is ever overwritten (even a
 * file created between planning and writing), and a target is either absent or complete.
 * Returns the plan with the final action of each file.
 */
/** `pauseMs` (tests only, from AMEIDE_TEST_TIMINGS): a pause in the middle of each file's content. */
export async function applyScaffold(repoRoot: string, plan: ScaffoldPlan, pauseMs = 0): Promise<PlannedFile[]> {
  await removeStaleTempFiles(path.join(repoRoot, plan.path))
  const removeOnSignal = installSignalCleanup()
  try {
    const result: PlannedFile[] = []
    for (const file of plan.files) {
      if (file.action === 'skip') {
        result.push(file)
        continue
      }
      const created = await createExclusive(path.join(repoRoot, file.path), file.content, pauseMs)
      result.push({...file, action: created ? 'create' : 'skip'})
    }
    return result
  } finally {
    removeOnSignal()
  }
}

async function createExclusive(target: string, content: string, pauseMs: number): Promise<boolean> {
  const dir = path.dirname(target)
  await mkdir(dir, {recursive: true})
  const temp = path.join(dir, `.${path.basename(target)}${TEMP_MARKER}${process.pid}-${randomBytes(4).toString('hex')}`)
  inFlight.add(temp)
  try {
    const handle = await open(temp, 'wx', 0o644)
    try {
      await writeContent(handle, content, pauseMs)
      await handle.sync()
    } finally {
      await handle.close()
    }
    try {
      await link(temp, target)
      return true
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false
      throw error
    }
  } finally {
    await unlink(temp).catch(() => {})
    inFlight.delete(temp)
  }
}

/** With `pause` (tests only) the write stops halfway, so the interruption test can kill a half-written file. */
async function writeContent(handle: Awaited<ReturnType<typeof open>>, content: string, pause: number): Promise<void> {
  if (!(pause > 0)) {
    await handle.writeFile(content, 'utf8')
    return
  }
  const bytes = Buffer.from(content, 'utf8')
  const half = Math.floor(bytes.length / 2)
  await handle.write(bytes.subarray(0, half))
  await sleep(pause)
  await handle.write(bytes.subarray(half))
}

/** Removes temp files left by a run that was killed (SIGKILL cannot be caught). */
async function removeStaleTempFiles(folder: string): Promise<void> {
  const entries = await readdir(folder, {recursive: true, withFileTypes: true}).catch(() => [])
  await Promise.all(
    entries
      .filter((e) => e.isFile() && TEMP_FILE.test(e.name))
      .map((e) => unlink(path.join(e.parentPath, e.name)).catch(() => {})),
  )
}

function installSignalCleanup(): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    for (const temp of inFlight) {
      try {
        unlinkSync(temp) // synchronous on purpose: the process exits right after
      } catch {
        // already gone
      }
    }
    process.exit(signal === 'SIGINT' ? 130 : 143)
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  return () => {
    process.removeListener('SIGINT', onSignal)
    process.removeListener('SIGTERM', onSignal)
  }
}
