/**
 * One tree held in memory: folders, files (their bytes and whether they are executable) and links (what they say),
 * by path relative to where it is mounted ('' is its root). A revision's tree is read-only once mounted; a scratch
 * tree (a render's wrapper, a chart's copy, an unpacked archive) takes writes.
 */
import {posix} from 'node:path'

export type MemoryNode =
  {kind: 'dir'} | {kind: 'file'; bytes: Uint8Array; executable: boolean} | {kind: 'link'; target: string}

/**
 * An error with `props` (a `code`), made without a stack trace: a missing path is an answer in a tree held in memory
 * (thousands of existence probes a render), and capturing the stack was most of its cost.
 */
export function bareError<P extends object>(message: string, props: P): Error & P {
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = 0
  try {
    return Object.assign(new Error(message), props)
  } finally {
    Error.stackTraceLimit = limit
  }
}

/** An error as Node's `fs` raises it: its `code` is what callers test. */
export const fsError = (code: string, syscall: string, p: string): NodeJS.ErrnoException =>
  bareError(`${code}: ${syscall} '${p}'`, {code, syscall, path: p})

const DIR: MemoryNode = {kind: 'dir'}
const parentOf = (rel: string) => (posix.dirname(rel) === '.' ? '' : posix.dirname(rel))

export class MemoryTree {
  private readonly nodes: Map<string, MemoryNode>
  /** Each folder's entries' names (over a base: the folders this tree changed). */
  private readonly children: Map<string, Set<string>>
  /** Over a base: its paths this tree removed (what it sets again there is its own, nothing of the base's under it). */
  private readonly removed = new Set<string>()
  private frozen = false
  /** Whether a link was ever set here: without one, every node's path names it, nothing on the way to follow. */
  private linked = false

  /**
   * An empty tree, or one laid over `base` (frozen): it reads as the base until written, and its writes are its own
   * (copy on write), so one base serves many trees without being copied (the render module's requests).
   */
  constructor(private readonly base?: MemoryTree) {
    if (base?.writable) throw new Error('a tree is laid only over a frozen one')
    this.nodes = base ? new Map() : new Map([['', DIR]])
    this.children = base ? new Map() : new Map([['', new Set()]])
  }

  /** Takes no more writes (a revision, once read). */
  freeze(): this {
    this.frozen = true
    return this
  }

  get writable(): boolean {
    return !this.frozen
  }

  /** Holds no link (nor does its base): a path is then looked up at once, never walked. */
  get linkFree(): boolean {
    return !this.linked && (this.base?.linkFree ?? true)
  }

  get(rel: string): MemoryNode | undefined {
    const own = this.nodes.get(rel)
    if (own !== undefined || !this.base || this.removed.has(rel)) return own
    return this.base.get(rel)
  }

  /** The names in folder `rel`, sorted. */
  list(rel: string): string[] {
    return [...(this.kids(rel) ?? [])].sort()
  }

  /** Every node, parents before children. */
  *entries(): IterableIterator<[string, MemoryNode]> {
    if (this.base)
      for (const [rel, node] of this.base.entries())
        if (!this.removed.has(rel) && !this.nodes.has(rel)) yield [rel, node]
    yield* this.nodes.entries()
  }

  /** Sets `rel` to `node`, making its parent folders; an existing folder is kept as it is. */
  set(rel: string, node: MemoryNode): void {
    if (this.frozen) throw fsError('EROFS', 'write', rel)
    if (rel === '') return
    const parent = parentOf(rel)
    const above = this.get(parent)
    if (above === undefined) this.set(parent, DIR)
    else if (above.kind !== 'dir') throw fsError('ENOTDIR', 'write', rel)
    const existing = this.get(rel)
    if (node.kind === 'dir' && existing?.kind === 'dir') return
    // A folder replaced by a file or a link takes what it held with it: nothing lies under a non-folder.
    if (existing?.kind === 'dir') this.delete(rel)
    if (node.kind === 'link') this.linked = true
    this.nodes.set(rel, node)
    this.ownKids(parent).add(posix.basename(rel))
    if (node.kind === 'dir' && !this.kids(rel)) this.children.set(rel, new Set())
  }

  /** Removes `rel` and everything under it. */
  delete(rel: string): void {
    if (this.frozen) throw fsError('EROFS', 'rm', rel)
    for (const name of [...(this.kids(rel) ?? [])]) this.delete(rel === '' ? name : `${rel}/${name}`)
    if (rel === '') return
    this.nodes.delete(rel)
    this.children.delete(rel)
    if (this.base) this.removed.add(rel)
    const parent = parentOf(rel)
    if (this.kids(parent)) this.ownKids(parent).delete(posix.basename(rel))
  }

  /** The names in folder `rel` (this tree's, else the base's). */
  private kids(rel: string): Set<string> | undefined {
    const own = this.children.get(rel)
    if (own || !this.base || this.removed.has(rel)) return own
    return this.base.kids(rel)
  }

  /** The names in folder `rel`, this tree's own to change (copied from the base the first time). */
  private ownKids(rel: string): Set<string> {
    let own = this.children.get(rel)
    if (!own) {
      own = new Set(this.removed.has(rel) ? [] : (this.base?.kids(rel) ?? []))
      this.children.set(rel, own)
    }
    return own
  }
}
