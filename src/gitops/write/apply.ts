import {constants} from 'node:fs'
import {access, chmod, lstat, readFile, realpath, rename, stat, unlink, writeFile} from 'node:fs/promises'
import path from 'node:path'

import {failureError, prerequisiteError} from '../../core/errors.js'
import type {FileEdit} from './plan.js'

/**
 * Writes every edit or none. First every target is checked (inside the repository once symlinks are resolved,
 * a regular file, writable, its directory writable, unchanged since it was read); then each new text goes to a
 * temporary sibling; then the siblings are renamed over the targets (atomic per file). A failure before the
 * renames removes the temporaries; a failed rename puts back the files already replaced.
 */
export async function applyEdits(root: string, edits: FileEdit[]): Promise<void> {
  const realRoot = await realpath(root)
  const targets: Array<{edit: FileEdit; abs: string; temp: string; mode: number}> = []
  for (const edit of edits) {
    const abs = path.join(root, edit.file)
    const info = await lstat(abs)
    const real = await realpath(abs)
    if (info.isSymbolicLink() || !real.startsWith(realRoot + path.sep)) {
      throw failureError(
        'UNSAFE_PATH',
        `${edit.file} is a symbolic link or lies outside the repository; nothing was written.`,
      )
    }
    try {
      await access(abs, constants.W_OK)
      await access(path.dirname(abs), constants.W_OK)
    } catch {
      throw prerequisiteError('FILE_NOT_WRITABLE', `${edit.file} (or its folder) is not writable; nothing was written.`)
    }
    if ((await readFile(abs, 'utf8')) !== edit.before) {
      throw failureError('FILE_CHANGED', `${edit.file} changed while the edit was planned; nothing was written.`, [
        'Rerun the command.',
      ])
    }
    targets.push({
      edit,
      abs,
      temp: path.join(path.dirname(abs), `.${path.basename(abs)}.ameide-${process.pid}.tmp`),
      mode: (await stat(abs)).mode,
    })
  }
  try {
    for (const t of targets) {
      await writeFile(t.temp, t.edit.after, {flag: 'wx'})
      await chmod(t.temp, t.mode & 0o7777)
    }
  } catch (error) {
    await Promise.all(targets.map((t) => unlink(t.temp).catch(() => undefined)))
    throw error
  }
  const done: typeof targets = []
  try {
    for (const t of targets) {
      await rename(t.temp, t.abs)
      done.push(t)
    }
  } catch (error) {
    for (const t of done.reverse()) await writeFile(t.abs, t.edit.before).catch(() => undefined)
    await Promise.all(targets.map((t) => unlink(t.temp).catch(() => undefined)))
    throw error
  }
}

/** The unified diff of the edits (what `--dry-run` prints), file by file in path order. */
export async function unifiedDiff(edits: FileEdit[]): Promise<string> {
  const {createTwoFilesPatch} = await import('diff')
  return edits
    .map((e) =>
      createTwoFilesPatch(`a/${e.file}`, `b/${e.file}`, e.before, e.after, undefined, undefined, {context: 3}),
    )
    .map((patch) => patch.replace(/^=+\n/m, ''))
    .join('')
}
