/**
 * The file system the render module sees: Node's callback `fs` API, as Go's syscall/fs_js.go calls it, over files
 * held in memory. It starts from a snapshot of the revision (./tree.ts) and keeps the command's own writes (a
 * `helm dependency build` saving charts/) to itself; nothing reaches the host's disk. Regular files and folders
 * and links (those the snapshot kept: inside the folders the request may read).
 */
import {posix} from 'node:path'

/**
 * A snapshot: absolute slash paths → file bytes; folders (implied by the paths, and listed for empty ones); links →
 * what they say (kept as links, so Helm and kustomize judge them as on disk: only links whose target, after every
 * link, the snapshot's taker found inside the folders a request may read).
 */
export interface Snapshot {
  files: ReadonlyMap<string, Uint8Array>
  dirs: ReadonlySet<string>
  links: ReadonlyMap<string, string>
}

type Callback = (error: Error | null, value?: unknown) => void
interface Open {
  path: string
  append: boolean
  writable: boolean
}

const S_IFDIR = 0o040000
const S_IFREG = 0o100000
const S_IFLNK = 0o120000
// Node's values on Linux; Go reads them from `constants` at start.
export const FS_CONSTANTS = {
  O_RDONLY: 0,
  O_WRONLY: 1,
  O_RDWR: 2,
  O_CREAT: 64,
  O_EXCL: 128,
  O_TRUNC: 512,
  O_APPEND: 1024,
  O_DIRECTORY: 65536,
}

const fail = (code: string, path: string): Error => Object.assign(new Error(`${code}: ${path}`), {code})

export class MemFs {
  readonly constants = FS_CONSTANTS
  private readonly files: Map<string, Uint8Array>
  private readonly dirs: Set<string>
  private readonly links = new Map<string, string>()
  /** Each folder's entries' names. */
  private readonly children = new Map<string, Set<string>>()
  private readonly fds = new Map<number, Open>()
  private nextFd = 10
  private cwd = '/'

  constructor(
    snapshots: readonly Snapshot[],
    private readonly output: (fd: number, bytes: Uint8Array) => void,
  ) {
    this.files = new Map()
    this.dirs = new Set(['/'])
    this.children.set('/', new Set())
    for (const s of snapshots) {
      for (const [p, data] of s.files) this.addFile(p, data)
      for (const d of s.dirs) this.addDir(d)
      for (const [p, target] of s.links) {
        this.addDir(posix.dirname(p))
        this.links.set(p, target)
        this.entry(p, true)
      }
    }
  }

  /** A file the host adds (the inline values of an Application). */
  addFile(path: string, data: Uint8Array): void {
    this.addDir(posix.dirname(path))
    this.setFile(path, data)
  }

  private addDir(path: string): void {
    for (let d = path; !this.dirs.has(d); d = posix.dirname(d)) {
      this.dirs.add(d)
      this.entry(d, true)
    }
  }

  private setFile(path: string, data: Uint8Array): void {
    this.files.set(path, data)
    this.entry(path, true)
  }

  /** Adds or removes `path` among its folder's entries. */
  private entry(path: string, present: boolean): void {
    if (path === '/') return
    const parent = posix.dirname(path)
    let names = this.children.get(parent)
    if (!names) this.children.set(parent, (names = new Set()))
    if (present) names.add(posix.basename(path))
    else names.delete(posix.basename(path))
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
      if (!this.dirs.has(to)) throw fail('ENOENT', dir)
      this.cwd = to
    },
  }

  readonly path = {resolve: (...segments: string[]) => this.resolve(...segments)}

  /** The absolute path; with `follow`, every link on it followed (the last one too unless `follow` is 'parents'). */
  private resolve(...segments: string[]): string {
    return posix.resolve(this.cwd, ...segments)
  }

  private real(path: string, follow: 'all' | 'parents' = 'all'): string {
    let hops = 0
    const walk = (p: string, last: boolean): string => {
      if (p === '/') return p
      const parent = walk(posix.dirname(p), true)
      let at = posix.join(parent, posix.basename(p))
      while (last && this.links.has(at)) {
        if (++hops > 40) throw fail('ELOOP', path)
        at = walk(posix.resolve(posix.dirname(at), this.links.get(at)!), true)
      }
      return at
    }
    return walk(this.resolve(path), follow === 'all')
  }

  private stats(path: string): object {
    const file = this.files.get(path)
    const dir = file === undefined && this.dirs.has(path)
    if (file === undefined && !dir) throw fail('ENOENT', path)
    const size = file?.byteLength ?? 4096
    return {
      dev: 1,
      ino: 0,
      mode: dir ? S_IFDIR | 0o755 : S_IFREG | 0o644,
      nlink: 1,
      uid: 0,
      gid: 0,
      rdev: 0,
      size,
      blksize: 4096,
      blocks: Math.ceil(size / 512),
      atimeMs: 0,
      mtimeMs: 0,
      ctimeMs: 0,
      isDirectory: () => dir,
    }
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
      const p = this.real(path)
      const c = FS_CONSTANTS
      const exists = this.files.has(p) || this.dirs.has(p)
      if (exists && flags & c.O_CREAT && flags & c.O_EXCL) throw fail('EEXIST', path)
      if (!exists) {
        if (!(flags & c.O_CREAT)) throw fail('ENOENT', path)
        if (!this.dirs.has(posix.dirname(p))) throw fail('ENOENT', path)
        this.setFile(p, new Uint8Array(0))
      }
      if (this.dirs.has(p) && flags & (c.O_WRONLY | c.O_RDWR)) throw fail('EISDIR', path)
      if (flags & c.O_DIRECTORY && !this.dirs.has(p)) throw fail('ENOTDIR', path)
      if (flags & c.O_TRUNC && this.files.has(p)) this.setFile(p, new Uint8Array(0))
      const fd = this.nextFd++
      this.fds.set(fd, {path: p, append: (flags & c.O_APPEND) !== 0, writable: (flags & (c.O_WRONLY | c.O_RDWR)) !== 0})
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
      if (!this.links.has(p)) return this.stats(p)
      return {
        ...(this.stats('/') as object),
        mode: S_IFLNK | 0o777,
        size: this.links.get(p)!.length,
        isDirectory: () => false,
      }
    })
  }

  readdir(path: string, callback: Callback): void {
    this.call(callback, () => {
      const p = this.real(path)
      if (!this.dirs.has(p)) throw fail(this.files.has(p) ? 'ENOTDIR' : 'ENOENT', path)
      return [...(this.children.get(p) ?? [])].sort()
    })
  }

  read(fd: number, buffer: Uint8Array, offset: number, length: number, position: number | null, callback: Callback) {
    this.call(callback, () => {
      const open = this.fd(fd) as Open & {pos?: number}
      const data = this.files.get(open.path)
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
      if (fd === 1 || fd === 2) {
        this.output(fd, bytes)
        return length
      }
      const open = this.fd(fd) as Open & {pos?: number}
      if (!open.writable) throw fail('EBADF', open.path)
      const data = this.files.get(open.path) ?? new Uint8Array(0)
      const at = open.append ? data.byteLength : (position ?? open.pos ?? 0)
      const grown = new Uint8Array(Math.max(data.byteLength, at + length))
      grown.set(data)
      grown.set(bytes, at)
      this.setFile(open.path, grown)
      if (position === null) open.pos = at + length
      return length
    })
  }

  writeSync(fd: number, buffer: Uint8Array): number {
    this.output(fd, buffer)
    return buffer.byteLength
  }

  mkdir(path: string, _mode: number, callback: Callback): void {
    this.call(callback, () => {
      const p = this.real(path, 'parents')
      if (this.dirs.has(p) || this.files.has(p)) throw fail('EEXIST', path)
      if (!this.dirs.has(posix.dirname(p))) throw fail('ENOENT', path)
      this.addDir(p)
    })
  }

  unlink(path: string, callback: Callback): void {
    this.call(callback, () => {
      const p = this.real(path, 'parents')
      if (!this.files.delete(p) && !this.links.delete(p)) throw fail(this.dirs.has(p) ? 'EISDIR' : 'ENOENT', path)
      this.entry(p, false)
    })
  }

  rmdir(path: string, callback: Callback): void {
    this.call(callback, () => {
      const p = this.real(path, 'parents')
      if (!this.dirs.has(p)) throw fail('ENOENT', path)
      if (p === '/' || (this.children.get(p)?.size ?? 0) > 0) throw fail('ENOTEMPTY', path)
      this.dirs.delete(p)
      this.children.delete(p)
      this.entry(p, false)
    })
  }

  rename(from: string, to: string, callback: Callback): void {
    this.call(callback, () => {
      const [f, t] = [this.real(from, 'parents'), this.real(to, 'parents')]
      if (!this.dirs.has(posix.dirname(t))) throw fail('ENOENT', to)
      const data = this.files.get(f)
      if (data !== undefined) {
        this.files.delete(f)
        this.entry(f, false)
        return this.setFile(t, data)
      }
      if (!this.dirs.has(f)) throw fail('ENOENT', from)
      const moved = (p: string) => t + p.slice(f.length)
      const inside = (p: string) => p === f || p.startsWith(`${f}/`)
      const files = [...this.files].filter(([p]) => inside(p))
      const dirs = [...this.dirs].filter(inside)
      for (const [p] of files) this.files.delete(p)
      for (const d of dirs) {
        this.dirs.delete(d)
        this.children.delete(d)
      }
      this.entry(f, false)
      for (const d of dirs) this.addDir(moved(d))
      for (const [p, d] of files) this.setFile(moved(p), d)
    })
  }

  truncate(path: string, length: number, callback: Callback): void {
    this.call(callback, () => this.cut(this.real(path), length))
  }

  ftruncate(fd: number, length: number, callback: Callback): void {
    this.call(callback, () => this.cut(this.fd(fd).path, length))
  }

  private cut(path: string, length: number): void {
    const data = this.files.get(path)
    if (!data) throw fail('ENOENT', path)
    const cut = new Uint8Array(length)
    cut.set(data.subarray(0, length))
    this.setFile(path, cut)
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
      const target = this.links.get(p)
      if (target !== undefined) return target
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
