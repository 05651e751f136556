/**
 * `gitops diff --markdown-parts DIR`: the diff's comments written as DIR/comment-1.md, comment-2.md, … (folders made;
 * earlier `comment-N.md` files of the folder removed, so what is there is this run's), each redacted.
 */
import {readdir, rm} from 'node:fs/promises'
import path from 'node:path'

import {redact} from '../core/secrets.js'
import {writeFileAtomic} from './atomic-file.js'

const PART = /^comment-[0-9]+\.md$/

export async function writeCommentParts(
  dir: string,
  rendered: string[],
): Promise<{dir: string; files: string[]; characters: number[]}> {
  const abs = path.resolve(dir)
  const parts = rendered.map((p) => redact(p))
  const files = parts.map((_, i) => path.join(abs, `comment-${i + 1}.md`))
  for (const [i, file] of files.entries()) await writeFileAtomic(file, parts[i])
  const stale = (await readdir(abs)).filter((f) => PART.test(f) && !files.includes(path.join(abs, f)))
  await Promise.all(stale.map((f) => rm(path.join(abs, f), {force: true})))
  return {dir: abs, files, characters: parts.map((p) => p.length)}
}
