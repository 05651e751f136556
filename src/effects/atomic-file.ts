import {randomBytes} from 'node:crypto'
import {mkdir, open, rename, unlink} from 'node:fs/promises'
import path from 'node:path'

import {prerequisiteError} from '../core/errors.js'

/**
 * Writes `text` to `target` atomically: a temporary sibling is written and fsynced, then renamed over the target,
 * so a reader (an upload step, a crash) sees the old file or the whole new one, never a part. Missing parent
 * folders are created. A target that cannot be written is exit 3 FILE_NOT_WRITABLE (nothing left behind).
 */
export async function writeFileAtomic(target: string, text: string): Promise<void> {
  const abs = path.resolve(target)
  const temp = path.join(
    path.dirname(abs),
    `.${path.basename(abs)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  )
  try {
    await mkdir(path.dirname(abs), {recursive: true})
    const handle = await open(temp, 'wx', 0o644)
    try {
      await handle.writeFile(text, 'utf8')
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temp, abs)
  } catch (error) {
    await unlink(temp).catch(() => undefined)
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message
    throw prerequisiteError('FILE_NOT_WRITABLE', `Cannot write ${target} (${reason}).`, [
      'Give a path in a writable folder (a missing folder is created), not an existing directory.',
    ])
  }
}
