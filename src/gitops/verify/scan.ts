// One file of the GitOps checkout through the gate's per-file half: read, prefilter, parse, per-file rules. Any
// thread can run it (src/core/threads.ts, src/gitops/verify/worker.ts): tasks and verdicts are plain data.
import {closeSync, constants, fstatSync, openSync, readFileSync, readSync} from 'node:fs'
import path from 'node:path'

import type {LocalChart} from '../facts/local-charts.js'
import {findImages, type FileImages} from '../facts/index.js'
import type {GitopsPolicy, Zone} from '../layout/index.js'
import {mayViolate} from './prefilter.js'
import {checkFile, type GitopsFinding} from '../rules/index.js'

export interface ScanOptions {
  root: string
  policy: GitopsPolicy
  /** Parse every file (evidence needs every reference; tests compare both ways). */
  parseEveryFile: boolean
  /** Compute each parsed file's digest, for the cache. */
  hash: boolean
}

export interface FileTask {
  file: string
  zone: Zone
  /** The digest the cache holds an outcome for: a file that still hashes to it is not parsed. */
  known?: string
  /** The local Helm chart the file belongs to (its values are judged by what the chart reads; never cached). */
  chart?: LocalChart
}

export interface FileVerdict {
  /** The prefilter found nothing a rule could report: checked, not parsed. */
  clean?: true
  digest?: string
  /** The file hashes to `known`: the cached outcome stands. */
  cached?: true
  /** A Helm template (not YAML until rendered): why it was not parsed. */
  skipped?: string
  /** The file could not be read or parsed (no template explains it): why. The gate fails on it. */
  unreadable?: string
  findings?: GitopsFinding[]
}

/** node:crypto, loaded at its first use: only when a file is scanned (docs/performance.md, the fixed cost). */
const crypto = () => process.getBuiltinModule('node:crypto')
const sha256 = (text: string) => crypto().createHash('sha256').update(text).digest('hex')

/** The verdict on each task, in order; `facts` receives what a parsed file holds (for evidence, main thread only). */
export async function scanFiles(
  options: ScanOptions,
  tasks: readonly FileTask[],
  facts?: (task: FileTask, found: FileImages) => void,
): Promise<FileVerdict[]> {
  // Loaded on the first file that needs parsing (a warm run may need none).
  let yaml: typeof import('yaml') | undefined
  const out: FileVerdict[] = []
  for (const task of tasks) {
    // Small files, read one after the other: synchronous reads beat thousands of round trips through the thread pool.
    const read = readText(path.join(options.root, task.file), options.policy.maxFileBytes)
    if (typeof read !== 'string') {
      out.push({unreadable: read.unreadable})
      continue
    }
    const text = read
    // A values file of a chart that reads no digest is always parsed: a `digest:` key that pins nothing is a finding.
    const digestIgnored = task.chart?.readsDigest === false
    if (!options.parseEveryFile && !digestIgnored && !mayViolate(text, task.zone, options.policy)) {
      out.push({clean: true})
      continue
    }
    const digest = options.hash ? sha256(text) : undefined
    if (digest !== undefined && digest === task.known) {
      out.push({digest, cached: true})
      continue
    }
    yaml ??= await import('yaml')
    try {
      const found = findImages(yaml, text)
      if (found.skipped) {
        const template = found.failure === 'syntax' && isHelmTemplate(task.file, text)
        out.push(template ? {digest, skipped: `Helm template, ${found.skipped}`} : {digest, unreadable: found.skipped})
        continue
      }
      facts?.(task, found)
      out.push({
        digest,
        findings: checkFile({
          file: task.file,
          zone: task.zone,
          found,
          policy: options.policy,
          text,
          yaml,
          ...(task.chart ? {chart: task.chart} : {}),
        }),
      })
    } catch (error) {
      // No text may end the run: what the walkers could not follow is a file the gate did not check.
      out.push({
        digest,
        unreadable: `it could not be read as YAML (${String((error as Error)?.message).split('\n')[0]})`,
      })
    }
  }
  return out
}

/**
 * A Helm template: a file under a `templates/` folder, or one holding a template action (`{{ … }}`) outside a
 * comment. Such files are not YAML until rendered; they are skipped (and listed), other unparseable files are not.
 */
export const isHelmTemplate = (file: string, text: string): boolean =>
  /(?:^|\/)templates\//.test(file) || /^(?![ \t]*#).*\{\{.*\}\}/m.test(text)

/**
 * The file's text, or why it cannot be checked: not a regular file (a FIFO is opened without blocking and never
 * read), larger than `maxBytes`, unreadable (permissions, I/O). Bytes that are not UTF-8 become U+FFFD, which no
 * image reference holds: a reference with such bytes is reported as invalid.
 */
function readText(abs: string, maxBytes: number): string | {unreadable: string} {
  let fd: number
  try {
    fd = openSync(abs, constants.O_RDONLY | constants.O_NONBLOCK | (constants.O_NOFOLLOW ?? 0))
  } catch (error) {
    return {unreadable: `it could not be opened (${reasonOf(error)})`}
  }
  try {
    const stat = fstatSync(fd)
    if (!stat.isFile()) return {unreadable: 'it is not a regular file'}
    if (stat.size > maxBytes) {
      return {
        unreadable: `it is ${stat.size} bytes, over gitopsPolicy.maxFileBytes (${maxBytes}), and was not read`,
      }
    }
    const bytes = readAll(fd, stat.size)
    if (bytes.length > maxBytes) return {unreadable: `it grew over gitopsPolicy.maxFileBytes (${maxBytes}) while read`}
    return bytes.toString('utf8')
  } catch (error) {
    return {unreadable: `it could not be read (${reasonOf(error)})`}
  } finally {
    closeSync(fd)
  }
}

/**
 * The whole file in one read of one byte more than fstat's size (readFileSync(fd) stats again and reads until an
 * empty read): a regular file's short read is its end; a file that grew since (or reports size 0) is read on.
 */
function readAll(fd: number, size: number): Buffer {
  const buffer = Buffer.allocUnsafe(size + 1)
  const n = readSync(fd, buffer, 0, size + 1, null)
  return n <= size ? buffer.subarray(0, n) : Buffer.concat([buffer, readFileSync(fd)])
}

const reasonOf = (error: unknown): string => {
  const e = error as NodeJS.ErrnoException
  const known: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    ELOOP: 'a symbolic link',
    EISDIR: 'a directory',
    ENOENT: 'it vanished while the gate ran',
    EIO: 'an I/O error',
  }
  return (e?.code && known[e.code]) ?? e?.code ?? String(e?.message ?? error).split('\n')[0]
}
