/**
 * One tree held in memory: folders, files (their bytes and whether they are executable) and links (what they say),
 * by path relative to where it is mounted ('' is its root). A revision's tree is read-only once mounted; a scratch
 * tree (a render's wrapper, a chart's copy, an unpacked archive) takes writes.
 */
import {posix} from 'node:path'

export type MemoryNode =
  {kind: 'dir'} | {kind: 'file'; bytes: Uint8Array; executable: boolean} | {kind: 'link'; target: string}

/** An error as Node's `fs` raises it: its `code` is what callers test. */
export const fsError = (code: string, syscall: string, p: string): NodeJS.ErrnoException =>
  Object.assign(new Error(`${code}: ${syscall} '${p}'`), {code, syscall, path: p})

export class MemoryTree {
  private readonly nodes = new Map<string, MemoryNode>([['', {kind: 'dir'}]])
  /** Each folder's entries' names. */
  private readonly children = new Map<string, Set<string>>([['', new Set()]])
  private frozen = false

  /** Takes no more writes (a revision, once read). */
  freeze(): this {
    this.frozen = true
    return this
  }

  get writable(): boolean {
    return !this.frozen
  }

  get(rel: string): MemoryNode | undefined {
    return this.nodes.get(rel)
  }

  /** The names in folder `rel`, sorted. */
  list(rel: string): string[] {
    return [...(this.children.get(rel) ?? [])].sort()
  }

  /** Every node, parents before children. */
  entries(): IterableIterator<[string, MemoryNode]> {
    return this.nodes.entries()
  }

  /** Sets `rel` to `node`, making its parent folders; an existing folder is kept as it is. */
  set(rel: string, node: MemoryNode): void {
    if (this.frozen) throw fsError('EROFS', 'write', rel)
    if (rel === '') return
    const parent = posix.dirname(rel) === '.' ? '' : posix.dirname(rel)
    const above = this.nodes.get(parent)
    if (above === undefined) this.set(parent, {kind: 'dir'})
    else if (above.kind !== 'dir') throw fsError('ENOTDIR', 'write', rel)
    if (node.kind === 'dir' && this.nodes.get(rel)?.kind === 'dir') return
    this.nodes.set(rel, node)
    this.children.get(parent)!.add(posix.basename(rel))
    if (node.kind === 'dir' && !this.children.has(rel)) this.children.set(rel, new Set())
  }

  /** Removes `rel` and everything under it. */
  delete(rel: string): void {
    if (this.frozen) throw fsError('EROFS', 'rm', rel)
    for (const name of this.children.get(rel) ?? []) this.delete(rel === '' ? name : `${rel}/${name}`)
    if (rel === '') return
    this.nodes.delete(rel)
    this.children.delete(rel)
    const parent = posix.dirname(rel) === '.' ? '' : posix.dirname(rel)
    this.children.get(parent)?.delete(posix.basename(rel))
  }
}
