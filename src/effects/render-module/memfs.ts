/**
 * The file system the render module sees: Node's callback `fs` API, as Go's syscall/fs_js.go calls it, over one
 * tree held in memory (core/memory-fs's MemoryTree, the model every in-memory tree of ameide is). It starts from
 * snapshots of the folders a request may read (./tree.ts: a revision as it is held, a folder of the host walked) and
 * keeps the command's own writes (a `helm dependency build` saving charts/) to itself; nothing reaches the host's
 * disk. Regular files, folders and links (those the snapshot kept: inside the folders the request may read).
 */
import {posix} from 'node:path'

import {MemoryTree, type MemoryNode} from '../../core/memory-fs/tree.js'
import type {MemorySnapshot} from '../../core/memory-fs/index.js'
import {concat, fail, file, fill, FS_CONSTANTS, key, S_IFLNK, STAT_FIELDS, statsOf} from './memfs-nodes.js'

/**
 * A snapshot: absolute slash paths → file bytes; folders (implied by the paths, and listed for empty ones); links →
 * what they say (kept as links, so Helm and kustomize judge them as on disk: only links whose target, after every
 * link, the snapshot's taker found inside the folders a request may read).
 */
export type Snapshot = MemorySnapshot

type Callback = (error: Error | null, value?: unknown) => void
interface Open {
  path: string
  append: boolean
  readable: boolean
  writable: boolean
}

/** The snapshots as one frozen tree, which each request's {@link MemFs} is laid over: built once, not per render. */
export const baseTree = (snapshots: readonly Snapshot[]): MemoryTree => fill(new MemoryTree(), snapshots).freeze()

export class MemFs {
  readonly constants = FS_CONSTANTS
  private readonly tree: MemoryTree
  private readonly fds = new Map<number, Open>()
  private nextFd = 10
  private failed: Error | null = null
  /** What Go's os.Stderr received while a command captures it ({@link ameideCapture}). */
  private captured: Uint8Array[] | undefined
  private cwd = '/'
  /** What each absolute path resolved to (./memfs.ts real), until the tree changes: Go asks of one path many times. */
  private readonly reals = new Map<string, string>()

  /** Over `snapshots`, or over `base` (./memfs.ts baseTree) when given, the snapshots then laid over it. */
  constructor(
    snapshots: readonly Snapshot[],
    private readonly output: (fd: number, bytes: Uint8Array) => void,
    base?: MemoryTree,
  ) {
    this.tree = fill(new MemoryTree(base), snapshots)
  }

  /** A file the host adds (the inline values of an Application). */
  addFile(path: string, data: Uint8Array): void {
    this.changed().set(key(path), file(data))
  }

  /** The tree, to change: what links resolved to is forgotten. */
  private changed(): MemoryTree {
    this.reals.clear()
    return this.tree
  }

  private node(path: string): MemoryNode | undefined {
    return this.tree.get(key(path))
  }

  private isDir(path: string): boolean {
    return this.node(path)?.kind === 'dir'
  }

  /** The bytes of the file at `path` (links already followed), or undefined when it is not a file. */
  private bytes(path: string): Uint8Array | undefined {
    const node = this.node(path)
    return node?.kind === 'file' ? node.bytes : undefined
  }

  /** The process object Go's syscall package asks for its working folder. */
  readonly process = {
    getuid: () => 0,
    getgid: () => 0,
    geteuid: () => 0,
    getegid: () => 0,
    getgroups: () => [0],
    pid: 1,
    ppid: 0,
    umask: () => 0o022,
    cwd: () => this.cwd,
    chdir: (dir: string) => {
      const to = this.real(dir)
      if (!this.isDir(to)) throw fail('ENOENT', dir)
      this.cwd = to
    },
  }

  readonly path = {resolve: (...segments: string[]) => this.resolve(...segments)}

  /** The absolute path of `segments` from the working folder. */
  private resolve(...segments: string[]): string {
    return posix.resolve(this.cwd, ...segments)
  }

  /** The absolute path, every link on it followed (the last one too unless `follow` is 'parents'). */
  private real(path: string, follow: 'all' | 'parents' = 'all'): string {
    let hops = 0
    const walk = (p: string, last: boolean): string => {
      if (p === '/') return p
      const parent = walk(posix.dirname(p), true)
      // A file on the way is not a folder, as the kernel answers (a missing one: ENOENT, from whoever looks next).
      if (this.node(parent)?.kind === 'file') throw fail('ENOTDIR', path)
      let at = posix.join(parent, posix.basename(p))
      for (let node = this.node(at); last && node?.kind === 'link'; node = this.node(at)) {
        if (++hops > 40) throw fail('ELOOP', path)
        at = walk(posix.resolve(posix.dirname(at), node.target), true)
      }
      return at
    }
    const abs = this.resolve(path)
    const known = this.reals.get(`${follow}\0${abs}`)
    if (known !== undefined) return known
    const found = walk(abs, follow === 'all')
    this.reals.set(`${follow}\0${abs}`, found)
    return found
  }

  private stats(path: string): object {
    return statsOf(this.node(path), path)
  }

  /**
   * Go's file-system calls as the render module makes them (its build's syscall/fs_js.go, go/_overlay/go): one
   * operation of this API, answered at once without a callback into Go: its value, or null when it failed
   * ({@link ameideError} then says how).
   */
  ameideCall(name: string, ...args: unknown[]): unknown {
    let failed: Error | null = null
    let answer: unknown
    const operation = (this as unknown as Record<string, (...a: unknown[]) => void>)[name]
    operation.call(this, ...args, (error: Error | null, value?: unknown) => ((failed = error), (answer = value)))
    this.failed = failed
    return failed ? null : (answer ?? undefined)
  }

  /**
   * A `stat`, `lstat` or `fstat` as Go's setStat reads it (the overlay's statCall): the fields written into `into` as
   * float64s, in STAT_FIELDS' order, instead of read one by one across the boundary; null when it failed.
   */
  ameideStat(name: 'stat' | 'lstat' | 'fstat', target: string | number, into: Uint8Array): true | null {
    const stats = this.ameideCall(name, target) as Record<(typeof STAT_FIELDS)[number], number> | null
    if (stats === null) return null
    const fields = new Float64Array(into.buffer, into.byteOffset, STAT_FIELDS.length)
    for (let i = 0; i < STAT_FIELDS.length; i++) fields[i] = stats[STAT_FIELDS[i]!]
    return true
  }

  /** The error of the last {@link ameideCall} that failed. */
  ameideError(): Error | null {
    return this.failed
  }

  private call(callback: Callback, work: () => unknown): void {
    let value: unknown
    try {
      value = work()
    } catch (e) {
      return callback(e as Error)
    }
    callback(null, value)
  }

  private fd(fd: number): Open {
    const open = this.fds.get(fd)
    if (!open) throw fail('EBADF', String(fd))
    return open
  }

  open(path: string, flags: number, _mode: number, callback: Callback): void {
    this.call(callback, () => {
      const c = FS_CONSTANTS
      // O_EXCL follows no link: a link there, dangling or not, exists.
      const exclusive = (flags & c.O_CREAT) !== 0 && (flags & c.O_EXCL) !== 0
      if (exclusive && this.node(this.real(path, 'parents'))?.kind === 'link') throw fail('EEXIST', path)
      const p = this.real(path)
      const node = this.node(p)
      if (node && exclusive) throw fail('EEXIST', path)
      if (!node) {
        if (!(flags & c.O_CREAT)) throw fail('ENOENT', path)
        if (!this.isDir(posix.dirname(p))) throw fail('ENOENT', path)
        this.changed().set(key(p), file(new Uint8Array(0)))
      }
      if (node?.kind === 'dir' && flags & (c.O_WRONLY | c.O_RDWR)) throw fail('EISDIR', path)
      if (flags & c.O_DIRECTORY && node?.kind !== 'dir') throw fail('ENOTDIR', path)
      if (flags & c.O_TRUNC && node?.kind === 'file') this.changed().set(key(p), file(new Uint8Array(0)))
      const fd = this.nextFd++
      const [readable, writable] = [(flags & c.O_WRONLY) === 0, (flags & (c.O_WRONLY | c.O_RDWR)) !== 0]
      this.fds.set(fd, {path: p, append: (flags & c.O_APPEND) !== 0, readable, writable})
      return fd
    })
  }

  close(fd: number, callback: Callback): void {
    this.call(callback, () => void this.fds.delete(this.fd(fd) && fd))
  }

  fstat(fd: number, callback: Callback): void {
    this.call(callback, () => this.stats(this.fd(fd).path))
  }

  stat(path: string, callback: Callback): void {
    this.call(callback, () => this.stats(this.real(path)))
  }

  lstat(path: string, callback: Callback): void {
    this.call(callback, () => {
      const p = this.real(path, 'parents')
      const node = this.node(p)
      if (node?.kind !== 'link') return this.stats(p)
      return {
        ...(this.stats('/') as object),
        mode: S_IFLNK | 0o777,
        size: node.target.length,
        isDirectory: () => false,
      }
    })
  }

  readdir(path: string, callback: Callback): void {
    this.call(callback, () => {
      const p = this.real(path)
      if (!this.isDir(p)) throw fail(this.node(p) ? 'ENOTDIR' : 'ENOENT', path)
      return this.tree.list(key(p))
    })
  }

  read(fd: number, buffer: Uint8Array, offset: number, length: number, position: number | null, callback: Callback) {
    this.call(callback, () => {
      const open = this.fd(fd) as Open & {pos?: number}
      if (!open.readable) throw fail('EBADF', open.path)
      const data = this.bytes(open.path)
      if (!data) throw fail('EISDIR', open.path)
      const at = position ?? open.pos ?? 0
      const chunk = data.subarray(at, at + length)
      buffer.set(chunk, offset)
      if (position === null) open.pos = at + chunk.byteLength
      return chunk.byteLength
    })
  }

  write(fd: number, buffer: Uint8Array, offset: number, length: number, position: number | null, callback: Callback) {
    this.call(callback, () => {
      const bytes = buffer.subarray(offset, offset + length)
      if (fd === 2 && this.captured !== undefined) {
        this.captured.push(bytes.slice())
        return length
      }
      if (fd === 1 || fd === 2) {
        this.output(fd, bytes)
        return length
      }
      const open = this.fd(fd) as Open & {pos?: number}
      if (!open.writable) throw fail('EBADF', open.path)
      const data = this.bytes(open.path) ?? new Uint8Array(0)
      const at = open.append ? data.byteLength : (position ?? open.pos ?? 0)
      const grown = new Uint8Array(Math.max(data.byteLength, at + length))
      grown.set(data)
      grown.set(bytes, at)
      this.changed().set(key(open.path), file(grown))
      if (position === null) open.pos = at + length
      return length
    })
  }

  /**
   * Capturing what Go's os package writes to its stderr (true: from now on; false: no longer, answering what it
   * wrote meanwhile): a command's warnings (go/stderr_js.go). Go's runtime writes through {@link writeSync}, never
   * captured.
   */
  ameideCapture(on: boolean): string {
    const printed = new TextDecoder().decode(concat(this.captured ?? []))
    this.captured = on ? [] : undefined
    return printed
  }

  writeSync(fd: number, buffer: Uint8Array): number {
    this.output(fd, buffer)
    return buffer.byteLength
  }

  mkdir(path: string, _mode: number, callback: Callback): void {
    this.call(callback, () => {
      const p = this.real(path, 'parents')
      if (this.node(p)) throw fail('EEXIST', path)
      if (!this.isDir(posix.dirname(p))) throw fail('ENOENT', path)
      this.changed().set(key(p), {kind: 'dir'})
    })
  }

  unlink(path: string, callback: Callback): void {
    this.call(callback, () => {
      const p = this.real(path, 'parents')
      const kind = this.node(p)?.kind
      if (kind !== 'file' && kind !== 'link') throw fail(kind === 'dir' ? 'EISDIR' : 'ENOENT', path)
      this.changed().delete(key(p))
    })
  }

  rmdir(path: string, callback: Callback): void {
    this.call(callback, () => {
      const p = this.real(path, 'parents')
      if (!this.isDir(p)) throw fail(this.node(p) ? 'ENOTDIR' : 'ENOENT', path)
      if (p === '/' || this.tree.list(key(p)).length > 0) throw fail('ENOTEMPTY', path)
      this.changed().delete(key(p))
    })
  }

  rename(from: string, to: string, callback: Callback): void {
    this.call(callback, () => {
      const [f, t] = [this.real(from, 'parents'), this.real(to, 'parents')]
      if (!this.isDir(posix.dirname(t))) throw fail('ENOENT', to)
      const [moving, over] = [this.node(f), this.node(t)]
      if (!moving) throw fail('ENOENT', from)
      if (f === t) return
      this.renameRefusal(moving.kind === 'dir', over?.kind, f, t)
      if (over) this.changed().delete(key(t))
      // Everything at and under `f`, parents first, set again under `t`.
      const [at, under] = [key(f), `${key(f)}/`]
      const moved = [...this.tree.entries()].filter(([k]) => k === at || k.startsWith(under))
      this.changed().delete(at)
      for (const [k, node] of moved) this.changed().set(key(t) + k.slice(at.length), node)
    })
  }

  /**
   * What Linux answers a rename it refuses, in its order: onto a folder above it, into itself, a file over a folder, a
   * folder over a file, over a folder that holds something.
   */
  private renameRefusal(folder: boolean, over: MemoryNode['kind'] | undefined, f: string, t: string): void {
    if (f.startsWith(`${t}/`)) throw fail('ENOTEMPTY', t)
    if (t.startsWith(`${f}/`)) throw fail('EINVAL', t)
    if (over === 'dir' && !folder) throw fail('EISDIR', t)
    if (over !== undefined && over !== 'dir' && folder) throw fail('ENOTDIR', t)
    if (over === 'dir' && this.tree.list(key(t)).length > 0) throw fail('ENOTEMPTY', t)
  }

  truncate(path: string, length: number, callback: Callback): void {
    this.call(callback, () => this.cut(this.real(path), length))
  }

  ftruncate(fd: number, length: number, callback: Callback): void {
    this.call(callback, () => this.cut(this.fd(fd).path, length))
  }

  private cut(path: string, length: number): void {
    const data = this.bytes(path)
    if (!data) throw fail(this.isDir(path) ? 'EISDIR' : 'ENOENT', path)
    const cut = new Uint8Array(length)
    cut.set(data.subarray(0, length))
    this.changed().set(key(path), file(cut))
  }

  /** Modes, owners and times are not kept: these succeed for what exists. */
  chmod(path: string, _mode: number, callback: Callback): void {
    this.call(callback, () => void this.stats(this.real(path)))
  }
  fchmod(fd: number, _mode: number, callback: Callback): void {
    this.call(callback, () => void this.fd(fd))
  }
  chown(path: string, _u: number, _g: number, callback: Callback): void {
    this.chmod(path, 0, callback)
  }
  fchown(fd: number, _u: number, _g: number, callback: Callback): void {
    this.fchmod(fd, 0, callback)
  }
  lchown(path: string, _u: number, _g: number, callback: Callback): void {
    this.chmod(path, 0, callback)
  }
  utimes(path: string, _a: number, _m: number, callback: Callback): void {
    this.chmod(path, 0, callback)
  }
  fsync(fd: number, callback: Callback): void {
    this.fchmod(fd, 0, callback)
  }

  readlink(path: string, callback: Callback): void {
    this.call(callback, () => {
      const p = this.real(path, 'parents')
      const node = this.node(p)
      if (node?.kind === 'link') return node.target
      this.stats(p)
      throw fail('EINVAL', path)
    })
  }
  link(_from: string, to: string, callback: Callback): void {
    callback(fail('EPERM', to))
  }
  symlink(_target: string, path: string, callback: Callback): void {
    callback(fail('EPERM', path))
  }
}
