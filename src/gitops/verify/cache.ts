// `gitops verify`'s result cache: per file, what the per-file rules found (or why the file was skipped), keyed by
// the sha256 of its text, under a fingerprint of the CLI build and the policy; stored under the GitOps checkout's git
// directory through src/cache/store.ts. A file whose stat stamp (src/cache/stamp.ts) is unchanged is not even read;
// one that still hashes to its digest is not parsed. Never used with --evidence.
import {statSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import {sameStamp, stampOf, type FileStamp} from '../../cache/stamp.js'
import {CacheEntries, cacheFile} from '../../cache/store.js'
import type {GitopsPolicy} from '../layout/index.js'
import type {GitopsFinding} from '../rules/index.js'

/** node:crypto, loaded at its first use: when a cache file is read or written (docs/performance.md, the fixed cost). */
const crypto = () => process.getBuiltinModule('node:crypto')

const NAME = 'gitops-verify'

export interface FileOutcome {
  /** The text's sha256 ('' for a file the prefilter passed, which was not hashed). */
  digest: string
  /** The file's stat when it was read. */
  stamp?: FileStamp
  skipped?: string
  findings?: GitopsFinding[]
}

export class GitopsVerifyCache {
  private constructor(
    private readonly startedAt: number,
    private readonly entries: CacheEntries<FileOutcome>,
  ) {}

  /** The cache of the checkout at `root`, or null outside a git work tree; `startedAt`: the run's start (ms). */
  static open(
    root: string,
    version: string,
    policy: GitopsPolicy,
    parseEveryFile: boolean,
    startedAt = Date.now(),
  ): GitopsVerifyCache | null {
    const file = cacheFile(root, NAME)
    if (file === null) return null
    // Made only when a cache file is there to read, or is written (src/cache/store.ts).
    const fingerprint = () =>
      crypto()
        .createHash('sha256')
        .update(JSON.stringify({version, build: buildStamp(), policy, parseEveryFile, format: 2}))
        .digest('hex')
    return new GitopsVerifyCache(startedAt, new CacheEntries<FileOutcome>(file, NAME, fingerprint))
  }

  /**
   * What the cache knows of `file` (at `abs`) before it is read: its outcome when the file's stamp is unchanged;
   * else the stamp to store and the digest of a stored outcome (a file that still hashes to it need not be parsed).
   */
  lookup(file: string, abs: string): {outcome: FileOutcome} | {stamp: FileStamp; known?: string} {
    const stamp = stampOf(abs, this.startedAt)
    const e = this.entries.get(file)
    const valid = typeof e?.digest === 'string' && this.get(file, e.digest) !== undefined
    if (valid && sameStamp(e!.stamp, stamp)) return {outcome: e!}
    return valid && e!.digest !== '' ? {stamp, known: e!.digest} : {stamp}
  }

  /** The stored outcome of `file` when its text still has this digest and the entry is well formed. */
  get(file: string, digest: string): FileOutcome | undefined {
    const e = this.entries.get(file)
    if (!e || e.digest !== digest) return undefined
    if (e.skipped !== undefined ? typeof e.skipped !== 'string' : !Array.isArray(e.findings)) return undefined
    return e
  }

  set(file: string, outcome: FileOutcome): void {
    this.entries.set(file, outcome)
  }

  /** Drops files that are gone, then writes when anything changed; never fails. */
  save(files: readonly string[]): void {
    this.entries.keepOnly(files)
    this.entries.save()
  }
}

/**
 * This build's stamp: its module file's mtime and size; in a release's module pack (bin/hooks.js), where the file is
 * not, its content-named chunk's name.
 */
function buildStamp(): string {
  try {
    const s = statSync(fileURLToPath(import.meta.url))
    return `${s.mtimeMs}:${s.size}`
  } catch {
    return path.basename(import.meta.url)
  }
}
