// A local result cache: one file per kind of result under the repository's git directory
// (`<git dir>/ameide/cache/<name>.json`), never in the work tree. The cache only ever saves time: a file that is
// missing, truncated, edited, written by another CLI build or for other rules reads as empty and is rebuilt; a cache
// that cannot be written is skipped silently.
import {mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync} from 'node:fs'
import path from 'node:path'

/** node:crypto, loaded at its first use: only when a cache file is read or written (docs/performance.md, the fixed cost). */
const crypto = () => process.getBuiltinModule('node:crypto')

const FORMAT = 'ameide-cache/1'

/** The first line of a cache file; the body (the rest) is JSON whose sha256 the header names. */
interface Header {
  format: string
  name: string
  fingerprint: string
  sha256: string
}

/** The repository's git directory (`.git`, or the folder a worktree's `.git` file points to), or null. */
export function gitDirOf(repoRoot: string): string | null {
  const dotGit = path.join(repoRoot, '.git')
  try {
    if (statSync(dotGit).isDirectory()) return dotGit
    const match = /^gitdir:\s*(.+?)\s*$/m.exec(readFileSync(dotGit, 'utf8'))
    if (!match) return null
    const dir = path.resolve(repoRoot, match[1])
    return statSync(dir).isDirectory() ? dir : null
  } catch {
    return null
  }
}

/** The cache file for `name` in the repository at `repoRoot`, or null when it is not in a git work tree. */
export function cacheFile(repoRoot: string, name: string): string | null {
  const gitDir = gitDirOf(repoRoot)
  return gitDir === null ? null : path.join(gitDir, 'ameide', 'cache', `${name}.json`)
}

const sha256 = (data: string | Uint8Array) => crypto().createHash('sha256').update(data).digest('hex')

/**
 * The entries stored under `fingerprint` (what decides every entry: CLI build, rule set, configuration), or an empty
 * map when the file is missing, does not verify against its checksum, or was written for another fingerprint. The
 * body's checksum is of its bytes as read (the text is decoded once, for JSON.parse; a kept-steps file holds tens of
 * MB at 10,000 Applications).
 */
export function readCache<T>(file: string, name: string, fingerprint: string | (() => string)): Map<string, T> {
  let bytes: Buffer
  try {
    bytes = readFileSync(file)
  } catch {
    return new Map()
  }
  try {
    const newline = bytes.indexOf(10)
    if (newline < 0) return new Map()
    const header = JSON.parse(bytes.toString('utf8', 0, newline)) as Partial<Header>
    const body = bytes.subarray(newline + 1)
    if (
      header.format !== FORMAT ||
      header.name !== name ||
      header.fingerprint !== (typeof fingerprint === 'function' ? fingerprint() : fingerprint) ||
      header.sha256 !== sha256(body)
    )
      return new Map()
    const entries = JSON.parse(body.toString('utf8')) as unknown
    if (entries === null || typeof entries !== 'object' || Array.isArray(entries)) return new Map()
    return new Map(Object.entries(entries as Record<string, T>))
  } catch {
    return new Map()
  }
}

/**
 * Replaces the cache file atomically ({@link replaceFile}): of two concurrent writers the last rename wins, each file
 * whole. Errors are ignored.
 */
export function writeCache<T>(file: string, name: string, fingerprint: string, entries: Map<string, T>): void {
  const body = JSON.stringify(Object.fromEntries(entries))
  const header: Header = {format: FORMAT, name, fingerprint, sha256: sha256(body)}
  replaceFile(file, `${JSON.stringify(header)}\n${body}`)
}

/**
 * Writes `data` to `file` through a unique temporary sibling renamed over it (its folder made): a concurrent reader
 * sees the old file or the new one, never a part. False, nothing left behind, when it cannot be written.
 */
export function replaceFile(file: string, data: string | Uint8Array, mode = 0o666): boolean {
  const temp = `${file}.${process.pid}.${crypto().randomBytes(4).toString('hex')}.tmp`
  try {
    mkdirSync(path.dirname(file), {recursive: true})
    writeFileSync(temp, data, {flag: 'wx', mode})
    renameSync(temp, file)
    return true
  } catch {
    try {
      unlinkSync(temp)
    } catch {
      // nothing was left behind
    }
    return false
  }
}

/**
 * One cache file's entries by key (a file of a primitive, a primitive): read once, written back by save() only when
 * an entry was set or dropped since, never failing.
 */
export class CacheEntries<E> {
  private dirty = false
  private readonly entries: Map<string, E>
  private fingerprinted?: string

  /** `fingerprint` may be a function: it is called (once) only when a cache file is there to read, or is written. */
  constructor(
    private readonly file: string,
    private readonly name: string,
    private readonly fingerprint: string | (() => string),
  ) {
    this.entries = readCache<E>(file, name, () => this.theFingerprint())
  }

  private theFingerprint(): string {
    this.fingerprinted ??= typeof this.fingerprint === 'function' ? this.fingerprint() : this.fingerprint
    return this.fingerprinted
  }

  /** The stored entry, not yet checked for shape (a checksum-valid file from a buggy writer is not trusted). */
  get(key: string): E | undefined {
    return this.entries.get(key)
  }

  set(key: string, entry: E): void {
    this.entries.set(key, entry)
    this.dirty = true
  }

  /** Drops the entries whose key is not in `keys` (those gone since). */
  keepOnly(keys: Iterable<string>): void {
    const keep = new Set(keys)
    for (const key of this.entries.keys()) {
      if (!keep.has(key)) {
        this.entries.delete(key)
        this.dirty = true
      }
    }
  }

  /** Writes the file when anything changed; never fails. */
  save(): void {
    if (this.dirty) writeCache(this.file, this.name, this.theFingerprint(), this.entries)
    this.dirty = false
  }
}
