import {readFileSync} from 'node:fs'
import path from 'node:path'

import {redact} from '../core/secrets.js'
import {writeFileAtomic} from '../effects/atomic-file.js'
import {buildSarif, type SarifInput} from './sarif.js'

/** Reads lines of repository files for the fingerprints, each file once; undefined when it cannot be read. */
export function repositoryLines(root: string): SarifInput['lineText'] {
  const cache = new Map<string, string[] | null>()
  return (file, line) => {
    let lines = cache.get(file)
    if (lines === undefined) {
      const abs = path.resolve(root, file)
      const inside = abs.startsWith(path.resolve(root) + path.sep)
      try {
        lines = inside ? readFileSync(abs, 'utf8').split('\n') : null
      } catch {
        lines = null
      }
      cache.set(file, lines)
    }
    const text = lines?.[line - 1]
    return text === undefined ? undefined : text.replace(/\r$/, '')
  }
}

/**
 * Builds the SARIF log of one verify run and writes it to `file` atomically (whatever the verdict), with every
 * registered secret redacted. Returns the absolute path written.
 */
export async function writeSarif(file: string, root: string, input: Omit<SarifInput, 'lineText'>): Promise<string> {
  const log = buildSarif({...input, lineText: repositoryLines(root)})
  const abs = path.resolve(file)
  await writeFileAtomic(abs, redact(JSON.stringify(log, null, 2)) + '\n')
  return abs
}
