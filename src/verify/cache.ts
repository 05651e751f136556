// `primitive verify`'s result cache: per primitive, the results of the checks that read only the primitive's files,
// keyed by a digest of exactly what those checks see (every file's path, size and text), under a fingerprint of the
// CLI build and rule set. Like git's index, a file's size, mtime, ctime and inode stand in for its content when they
// are unchanged since a run that read it, and were not changed around that run (a racily-clean file is read again).
// The checks that run a tool (codegen, buf-lint, buf-breaking) are never cached.
import {statSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import {sameStamp, stampOf, type FileStamp} from '../cache/stamp.js'
import {CacheEntries, cacheFile} from '../cache/store.js'
import type {PrimitiveRef} from './discover.js'
import {FILE_CHECKS, type FileJob, type FileJobResult} from './file-checks.js'
import {listFilesNow} from './files.js'
import {inReportOrder, type CheckId, type CheckResult} from './types.js'

/** node:crypto, loaded at its first use: only when a cache file is read or written (docs/performance.md, the fixed cost). */
const crypto = () => process.getBuiltinModule('node:crypto')

/** The checks whose results are cached: the file checks (src/verify/file-checks.ts). */
export const CACHEABLE_CHECKS: ReadonlySet<CheckId> = FILE_CHECKS

const NAME = 'primitive-verify'

interface Entry {
  rels: string[]
  stats: FileStamp[]
  digest: string
  checks: Partial<Record<CheckId, CheckResult>>
}

export interface VerifyCacheStats {
  /** Primitives answered from the cache without reading a file. */
  statHits: number
  /** Primitives whose files were read and matched the cached digest. */
  digestHits: number
  /** Primitives checked. */
  misses: number
}

/** What the cache says of one primitive before any file is read. */
export type CachePlan =
  /** Unchanged since a run that cached every wanted check: the results, and the listing for the tool checks. */
  | {hit: Partial<Record<CheckId, CheckResult>>; rels: string[]; sizes: number[]}
  /** Changed, new or racily clean: the job to run (on any thread), then {@link VerifyCache.record}. */
  | {job: FileJob & {rels: string[]}; stats: FileStamp[]}

export class VerifyCache {
  readonly stats: VerifyCacheStats = {statHits: 0, digestHits: 0, misses: 0}

  private constructor(
    private readonly startedAt: number,
    private readonly entries: CacheEntries<Entry>,
  ) {}

  /**
   * The cache of the repository at `repoRoot` for this CLI `version`, or null outside a git work tree. `startedAt`
   * (the run's start, ms) decides which files changed too recently for their stat to be trusted.
   */
  static open(repoRoot: string, version: string, startedAt = Date.now()): VerifyCache | null {
    const file = cacheFile(repoRoot, NAME)
    if (file === null) return null
    return new VerifyCache(startedAt, new CacheEntries<Entry>(file, NAME, () => verifyFingerprint(version)))
  }

  /** Answers `want` (file checks) from the cache when the primitive's files are unchanged, else plans the job. */
  plan(repoRoot: string, ref: PrimitiveRef, want: CheckId[]): CachePlan {
    const dir = path.join(repoRoot, ref.path)
    // Stat before reading: a file that changes in between gets a new stat, so it is read again next time.
    const rels = listFilesNow(dir)
    const posix = path.sep === '/'
    const stats = rels.map((rel) => stampOf(posix ? `${dir}/${rel}` : path.join(dir, rel), this.startedAt))
    const entry = validEntry(this.entries.get(ref.path))
    if (entry && want.every((id) => entry.checks[id] !== undefined) && sameStats(entry, rels, stats)) {
      this.stats.statHits++
      return {hit: entry.checks, rels, sizes: stats.map((s) => s![0])}
    }
    const have = entry ? want.filter((id) => entry.checks[id] !== undefined) : []
    return {job: {ref, rels, want, hash: true, ...(entry ? {known: {digest: entry.digest, have}} : {})}, stats}
  }

  /** Stores a planned job's outcome; returns every check result the primitive now has. */
  record(plan: Extract<CachePlan, {job: unknown}>, done: FileJobResult): Partial<Record<CheckId, CheckResult>> {
    const {job, stats} = plan
    const before = done.matched ? validEntry(this.entries.get(job.ref.path)) : undefined
    if (before && done.results.length === 0) this.stats.digestHits++
    else this.stats.misses++
    const entry: Entry = {
      rels: job.rels,
      stats,
      digest: done.digest!,
      checks: {...before?.checks, ...Object.fromEntries(done.results.map((r) => [r.id, r]))},
    }
    this.entries.set(job.ref.path, entry)
    return entry.checks
  }

  /** Forgets primitives that no longer exist (after a run over all of them). */
  keepOnly(paths: Iterable<string>): void {
    this.entries.keepOnly(paths)
  }

  /** Writes the cache when anything changed; never fails. */
  save(): void {
    this.entries.save()
  }
}

function sameStats(entry: Entry, rels: string[], stats: FileStamp[]): boolean {
  if (entry.rels.length !== rels.length) return false
  for (let i = 0; i < rels.length; i++) {
    const a = entry.stats[i]
    const b = stats[i]
    if (entry.rels[i] !== rels[i] || !sameStamp(a, b)) return false
  }
  return true
}

/** The entry when it has the expected shape (a checksum-valid file from a buggy writer is not trusted either). */
function validEntry(value: unknown): Entry | undefined {
  const e = value as Entry | undefined
  if (
    e === undefined ||
    e === null ||
    typeof e.digest !== 'string' ||
    !Array.isArray(e.rels) ||
    !Array.isArray(e.stats) ||
    e.rels.length !== e.stats.length ||
    typeof e.checks !== 'object' ||
    e.checks === null
  )
    return undefined
  return e
}

/**
 * What decides every cached result besides the files: the CLI version, the build (the modification time of this
 * module, rewritten by every build; an installed package keeps its version's), the cacheable checks, and the rule
 * set. Checks are selected per run (--check) and cached per check, so the selection is not part of it.
 */
export function verifyFingerprint(version: string): string {
  let build = ''
  try {
    const s = statSync(fileURLToPath(import.meta.url))
    build = `${s.mtimeMs}:${s.size}`
  } catch {
    // in a release's module pack (bin/hooks.js): its content-named chunk's name
    build = path.basename(import.meta.url)
  }
  const rules = inReportOrder(CACHEABLE_CHECKS).join(',')
  return crypto()
    .createHash('sha256')
    .update(JSON.stringify({version, build, rules, format: 1}))
    .digest('hex')
}
