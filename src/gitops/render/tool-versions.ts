/**
 * The renderers' versions remembered per binary: `helm version` and `kustomize version` are asked once for a binary
 * and answered from the cache while PATH resolves the name to the same file (path, inode, size, change times:
 * effects/tools.ts binaryIdentity) — a warm run starts no helm or kustomize at all. Under the checkout's git
 * directory beside the render cache (src/cache/store.ts); `--no-cache` neither reads nor writes it.
 */
import {createHash} from 'node:crypto'

import {cacheFile, readCache, writeCache} from '../../cache/store.js'
import {binaryIdentity} from '../../effects/tools.js'

const NAME = 'render-tools'

interface Entry {
  identity: string
  version: string
}

export class ToolVersions {
  private dirty = false
  private readonly identities = new Map<string, string | undefined>()

  private constructor(
    private readonly file: string,
    private readonly fingerprint: string,
    private readonly entries: Map<string, Entry>,
  ) {}

  /** The remembered versions of the checkout at `root` (null outside a git work tree); `version`: the CLI build. */
  static open(root: string, version: string): ToolVersions | null {
    const file = cacheFile(root, NAME)
    if (!file) return null
    const fingerprint = createHash('sha256').update(`${NAME}\0${version}`).digest('hex')
    return new ToolVersions(file, fingerprint, readCache<Entry>(file, NAME, fingerprint))
  }

  private async identity(binary: string): Promise<string | undefined> {
    if (!this.identities.has(binary)) this.identities.set(binary, await binaryIdentity(binary))
    return this.identities.get(binary)
  }

  /** The version remembered for the binary PATH resolves `binary` to now, if any. */
  async get(binary: string): Promise<string | undefined> {
    const entry = this.entries.get(binary)
    const identity = await this.identity(binary)
    return entry && identity !== undefined && entry.identity === identity ? entry.version : undefined
  }

  /** Remembers what the binary answered (nothing when it is not on PATH). */
  async set(binary: string, version: string): Promise<void> {
    const identity = await this.identity(binary)
    if (identity === undefined) return
    const entry = this.entries.get(binary)
    if (entry?.identity === identity && entry.version === version) return
    this.entries.set(binary, {identity, version})
    this.dirty = true
  }

  save(): void {
    if (this.dirty) writeCache(this.file, NAME, this.fingerprint, this.entries)
  }
}
