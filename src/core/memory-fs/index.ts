/**
 * Trees held in memory, mounted at absolute paths under MEMORY_ROOT, which no host path reaches: a revision read
 * from git (`/ameide-memory/3-diff-head`), a render's scratch folder. Every reader of a revision imports its file
 * functions from here instead of `node:fs`: a path under MEMORY_ROOT is answered from memory — links followed
 * inside it, never out to the host, an unmounted one missing — and any other path by `node:fs`, so a caller passes
 * paths as before and nothing of a revision is written to the host's disk. Errors carry Node's codes (ENOENT,
 * ENOTDIR, EISDIR, ELOOP, EEXIST, EROFS).
 */
import * as host from 'node:fs'
import path, {posix} from 'node:path'

import {frozenText} from './text.js'
import {MemoryDirent, MemoryStats} from './stats.js'
import {fsError, MemoryTree, type MemoryNode} from './tree.js'

export {MemoryDirent, MemoryStats} from './stats.js'
export {MemoryTree} from './tree.js'

export const MEMORY_ROOT = '/ameide-memory'

interface Mount {
  dir: string
  tree: MemoryTree
  snapshot?: MemorySnapshot
}

/** A mounted tree as the render module takes it: absolute slash paths of its files, folders and links. */
export interface MemorySnapshot {
  files: ReadonlyMap<string, Uint8Array>
  dirs: ReadonlySet<string>
  links: ReadonlyMap<string, string>
}

/**
 * The process's mounts, on the global object, not in this module: the bundle holds this module once in each command's
 * build and in the start path's (src/effects/render-module/host.ts, whose render module the start path may make), and
 * a mount's path must name one tree for every one of them — a path never used twice, a tree unmounted for all.
 */
const SHARED = Symbol.for('ameide.memory-fs')
const processWide = globalThis as {[SHARED]?: {mounts: Map<string, Mount>; mounted: number}}
const state = (processWide[SHARED] ??= {mounts: new Map(), mounted: 0})
const {mounts} = state

/** Mounts `tree` at a path of its own (never used again in this process); `label` names it for a reader. */
export function mount(tree: MemoryTree, label: string): string {
  const dir = `${MEMORY_ROOT}/${++state.mounted}-${label.replace(/[^\w.-]/g, '_')}`
  mounts.set(dir, {dir, tree})
  return dir
}

/** A fresh writable tree, mounted: a render's scratch folder. `unmount` (or `rmSync` of it) drops it. */
export const scratchFolder = (label: string): string => mount(new MemoryTree(), label)

export function unmount(dir: string): void {
  mounts.delete(dir)
}

export const isMounted = (dir: string): boolean => mounts.has(dir)

/** Whether `p` lies in a mounted tree that takes no writes (a revision): what it holds there never changes. */
export function isFrozen(p: string): boolean {
  const dir = mountOf(p)
  return dir !== undefined && !mounts.get(dir)!.tree.writable
}

/** Whether `p` is the root of a mounted tree that takes no writes and holds no link (a revision without links). */
export function isLinkFree(p: string): boolean {
  const m = mounts.get(p)
  return m !== undefined && !m.tree.writable && m.tree.linkFree
}

/** Whether `p` is answered from memory (it lies under MEMORY_ROOT). */
export const inMemory = (p: host.PathLike): boolean => {
  const s = String(p)
  return s === MEMORY_ROOT || s.startsWith(`${MEMORY_ROOT}/`)
}

/** The mount's root that holds `p`, or undefined when `p` is on the host or under no mounted tree. */
export function mountOf(p: string): string | undefined {
  if (!inMemory(p)) return undefined
  const dir = mountPart(p)
  return mounts.has(dir) ? dir : undefined
}

interface Found {
  mount: Mount
  rel: string
  node: MemoryNode
}

/** Whether `p` is an absolute path `posix.resolve` leaves as it is (no `.`, `..` or empty segment, no trailing `/`). */
const isNormal = (p: string) =>
  p.startsWith('/') &&
  !p.includes('//') &&
  !p.includes('/./') &&
  !p.includes('/../') &&
  !p.endsWith('/.') &&
  !p.endsWith('/..') &&
  (p.length === 1 || !p.endsWith('/'))

/** The first two segments of an absolute path: where a tree would be mounted (`/ameide-memory/3-diff-head`). */
function mountPart(p: string): string {
  const second = p.indexOf('/', 1)
  const third = second < 0 ? -1 : p.indexOf('/', second + 1)
  return third < 0 ? p : p.slice(0, third)
}

/** Where `abs` leads: every link on the way followed (the last one too when `followLast`), within memory only. */
function resolve(abs: string, followLast: boolean, syscall: string, hops = 0): Found {
  // A trailing slash names a folder: the last link followed, and anything else is not one (but Node's realpath takes
  // a path given so as it is; a link's target so written it checks too).
  if (abs.length > 1 && abs.endsWith('/') && (syscall !== 'realpath' || hops > 0)) {
    const found = resolve(abs.slice(0, -1), true, syscall, hops)
    if (found.node.kind !== 'dir') throw fsError('ENOTDIR', syscall, abs)
    return found
  }
  const at = isNormal(abs) ? abs : posix.resolve(abs)
  const m = mounts.get(mountPart(at))
  if (!m) throw fsError('ENOENT', syscall, abs)
  const direct = frozenNode(m, at, syscall, abs)
  if (direct) return direct
  const parts = at.slice(m.dir.length).split('/').filter(Boolean)
  let rel = ''
  for (const [i, name] of parts.entries()) {
    const above = m.tree.get(rel)!
    if (above.kind !== 'dir') throw fsError('ENOTDIR', syscall, abs)
    const next = rel === '' ? name : `${rel}/${name}`
    const node = m.tree.get(next)
    if (node === undefined) throw fsError('ENOENT', syscall, abs)
    const last = i === parts.length - 1
    if (node.kind === 'link' && (!last || followLast)) {
      if (hops >= 40) throw fsError('ELOOP', syscall, abs)
      const target = posix.resolve(posix.join(m.dir, rel), node.target)
      const rest = parts.slice(i + 1).join('/')
      const next = rest ? `${target}/${rest}` : node.target.endsWith('/') ? `${target}/` : target
      return resolve(next, followLast, syscall, hops + 1)
    }
    rel = next
  }
  return {mount: m, rel, node: m.tree.get(rel)!}
}

/**
 * `at` looked up at once in a frozen tree without links (most revisions): there is nothing on the way to follow, so
 * the node held at its path is the answer — and a path held by no node is missing, as a walk would find it: ENOTDIR
 * when the nearest folder on its way that is held is a file, else ENOENT (without a walk: a model asks for many files
 * that are not there). Undefined: walk it.
 */
function frozenNode(m: Mount, at: string, syscall: string, abs: string): Found | undefined {
  if (m.tree.writable || !m.tree.linkFree) return undefined
  const rel = at.length > m.dir.length ? at.slice(m.dir.length + 1) : ''
  const node = m.tree.get(rel)
  if (node !== undefined) return {mount: m, rel, node}
  let above = rel
  let held: MemoryNode | undefined
  while (held === undefined && above !== '') {
    above = above.slice(0, Math.max(0, above.lastIndexOf('/')))
    held = m.tree.get(above)
  }
  throw fsError(held !== undefined && held.kind !== 'dir' ? 'ENOTDIR' : 'ENOENT', syscall, abs)
}

/** The parent folder of `p` (links followed) and `p`'s name in it: where a write lands. */
function writable(p: string, syscall: string, hops = 0): {mount: Mount; rel: string} {
  const abs = posix.resolve(p)
  const parent = resolve(posix.dirname(abs), true, syscall, hops)
  if (parent.node.kind !== 'dir') throw fsError('ENOTDIR', syscall, p)
  if (!parent.mount.tree.writable) throw fsError('EROFS', syscall, p)
  const name = posix.basename(abs)
  return {mount: parent.mount, rel: parent.rel === '' ? name : `${parent.rel}/${name}`}
}

export type Stat = host.Stats | MemoryStats
export type DirEntry = host.Dirent | MemoryDirent

type Encoding = BufferEncoding | {encoding?: BufferEncoding | null; flag?: string} | null | undefined

const encodingOf = (o: Encoding) => (typeof o === 'string' ? o : (o?.encoding ?? undefined))

export function readFileSync(p: host.PathOrFileDescriptor, options: BufferEncoding | {encoding: BufferEncoding}): string
export function readFileSync(p: host.PathOrFileDescriptor, options?: {encoding?: null} | null): Buffer
export function readFileSync(p: host.PathOrFileDescriptor, options?: Encoding): string | Buffer {
  if (typeof p === 'number' || !inMemory(p as host.PathLike)) return host.readFileSync(p, options as never)
  const {node, mount} = resolve(String(p), true, 'open')
  if (node.kind !== 'file') throw fsError('EISDIR', 'read', String(p))
  const encoding = encodingOf(options)
  if (!mount.tree.writable && (encoding === 'utf8' || encoding === 'utf-8')) return frozenText(node.bytes)
  const bytes = Buffer.from(node.bytes.buffer, node.bytes.byteOffset, node.bytes.byteLength)
  return encoding ? bytes.toString(encoding) : Buffer.from(bytes)
}

/**
 * The UTF-8 text of the file at `p`, or undefined when it cannot be read; a path a frozen tree without links does not
 * hold as a file is answered at once, without the error a read would make (a model asks for many files that are not
 * there: override files, a chart's optional files).
 */
export function readTextOrUndefined(p: string): string | undefined {
  if (inMemory(p)) {
    const at = isNormal(p) ? p : posix.resolve(p)
    const m = mounts.get(mountPart(at))
    if (m && !m.tree.writable && m.tree.linkFree) {
      const node = m.tree.get(at.length > m.dir.length ? at.slice(m.dir.length + 1) : '')
      if (node?.kind !== 'file') return undefined
    }
  }
  try {
    return readFileSync(p, 'utf8')
  } catch {
    return undefined
  }
}

/**
 * The UTF-8 text of the file `rel` (a path as a revision's listing names it) of the tree at `root`, or undefined when
 * it cannot be read. Where `root` is a mounted tree that takes no writes and holds no link (most revisions), the
 * listing's path is the node's key: looked up at once, with no join, resolve or walk (the scans of a revision read
 * every file so: ≈ 1 µs less a read, hundreds of thousands of reads at 10,000 Applications). Anything else, and a path
 * not held there as written, is read as {@link readTextOrUndefined} reads `root/rel`.
 */
export function readTextIn(root: string, rel: string): string | undefined {
  const m = mounts.get(root)
  if (m !== undefined && !m.tree.writable && m.tree.linkFree) {
    const node = m.tree.get(rel)
    if (node?.kind === 'file') return frozenText(node.bytes)
  }
  return readTextOrUndefined(path.join(root, rel))
}

/** Whether the UTF-8 text of the file at `p` matches `pattern`; undefined when it cannot be read. */
export function textMatches(p: string, pattern: RegExp): boolean | undefined {
  try {
    return pattern.test(readFileSync(p, 'utf8'))
  } catch {
    return undefined
  }
}

export async function readFile(p: string, encoding: BufferEncoding): Promise<string> {
  return inMemory(p) ? readFileSync(p, encoding) : host.promises.readFile(p, encoding)
}

export function existsSync(p: host.PathLike): boolean {
  if (!inMemory(p)) return host.existsSync(p)
  try {
    resolve(String(p), true, 'access')
    return true
  } catch {
    return false
  }
}

export function statSync(p: host.PathLike): Stat {
  return inMemory(p) ? new MemoryStats(resolve(String(p), true, 'stat').node) : host.statSync(p)
}

export function lstatSync(p: host.PathLike): Stat {
  return inMemory(p) ? new MemoryStats(resolve(String(p), false, 'lstat').node) : host.lstatSync(p)
}

export function readdirSync(p: host.PathLike): string[]
export function readdirSync(p: host.PathLike, options: {withFileTypes: true}): DirEntry[]
export function readdirSync(p: host.PathLike, options?: {withFileTypes: true}): string[] | DirEntry[] {
  if (!inMemory(p)) return options ? host.readdirSync(p, options) : host.readdirSync(p)
  const {mount, rel, node} = resolve(String(p), true, 'scandir')
  if (node.kind !== 'dir') throw fsError('ENOTDIR', 'scandir', String(p))
  const names = mount.tree.list(rel)
  if (!options?.withFileTypes) return names
  return names.map((n) => new MemoryDirent(n, String(p), mount.tree.get(rel === '' ? n : `${rel}/${n}`)!))
}

export function realpathSync(p: host.PathLike): string {
  if (!inMemory(p)) return host.realpathSync(p)
  const {mount, rel} = resolve(String(p), true, 'realpath')
  return rel === '' ? mount.dir : `${mount.dir}/${rel}`
}

export function readlinkSync(p: host.PathLike): string {
  if (!inMemory(p)) return host.readlinkSync(p, 'utf8')
  const {node} = resolve(String(p), false, 'readlink')
  if (node.kind !== 'link') throw fsError('EINVAL', 'readlink', String(p))
  return node.target
}

/** Writes a file in memory (`flag: 'wx'`: only where nothing is), or on the host through `node:fs`. */
export function writeFileSync(
  p: string,
  data: string | Uint8Array,
  options?: {flag?: string; mode?: number} | BufferEncoding,
  hops = 0,
): void {
  if (!inMemory(p)) return host.writeFileSync(p, data, options)
  const {mount, rel} = writable(p, 'open', hops)
  const existing = mount.tree.get(rel)
  // A link is written through, as Node does: to what it names (made when missing).
  if (existing?.kind === 'link') {
    if (hops >= 40) throw fsError('ELOOP', 'open', p)
    if (existing.target.endsWith('/')) throw fsError('EISDIR', 'open', p)
    const target = posix.resolve(posix.dirname(posix.join(mount.dir, rel)), existing.target)
    return writeFileSync(target, data, options, hops + 1)
  }
  if (typeof options === 'object' && options.flag === 'wx' && existing) throw fsError('EEXIST', 'open', p)
  if (existing?.kind === 'dir') throw fsError('EISDIR', 'open', p)
  const bytes = typeof data === 'string' ? Buffer.from(data) : Uint8Array.from(data)
  const executable = typeof options === 'object' && ((options.mode ?? 0) & 0o111) !== 0
  mount.tree.set(rel, {kind: 'file', bytes, executable})
}

export function mkdirSync(p: string, options?: {recursive?: boolean}): void {
  if (!inMemory(p)) return void host.mkdirSync(p, options)
  if (options?.recursive && existsSync(p)) {
    if (!statSync(p).isDirectory()) throw fsError('EEXIST', 'mkdir', p)
    return
  }
  if (options?.recursive && !existsSync(path.dirname(p))) mkdirSync(path.dirname(p), options)
  const {mount, rel} = writable(p, 'mkdir')
  if (mount.tree.get(rel)) throw fsError('EEXIST', 'mkdir', p)
  mount.tree.set(rel, {kind: 'dir'})
}

export function symlinkSync(target: string, p: string, _type?: 'dir' | 'file'): void {
  if (!inMemory(p)) return host.symlinkSync(target, p)
  const {mount, rel} = writable(p, 'symlink')
  if (mount.tree.get(rel)) throw fsError('EEXIST', 'symlink', p)
  mount.tree.set(rel, {kind: 'link', target})
}

/** Copies one file into memory (from memory or the host). */
export function copyFileSync(from: string, to: string): void {
  if (!inMemory(to)) return host.copyFileSync(from, to)
  const executable = (statSync(from).mode & 0o111) !== 0
  writeFileSync(to, readFileSync(from), {mode: executable ? 0o755 : 0o644})
}

/** Copies a tree into memory, links as links; the folders on the way made. */
export function cpSync(from: string, to: string, _options?: {recursive: true}): void {
  if (!inMemory(to)) return host.cpSync(from, to, {recursive: true})
  const st = lstatSync(from)
  if (st.isSymbolicLink()) return symlinkSync(readlinkSync(from), to)
  if (st.isFile()) return copyFileSync(from, to)
  mkdirSync(to, {recursive: true})
  for (const name of readdirSync(from)) cpSync(path.join(from, name), path.join(to, name))
}

/** Removes `p` (a mount's root: the whole tree, unmounted). */
export function rmSync(p: string, options?: {recursive?: boolean; force?: boolean}): void {
  if (!inMemory(p)) return host.rmSync(p, options)
  if (mounts.has(p)) return unmount(p)
  let found: {mount: Mount; rel: string}
  try {
    found = writable(p, 'rm')
  } catch (error) {
    if (options?.force && (error as NodeJS.ErrnoException).code === 'ENOENT') return
    throw error
  }
  const node = found.mount.tree.get(found.rel)
  if (!node) {
    if (options?.force) return
    throw fsError('ENOENT', 'rm', p)
  }
  if (node.kind === 'dir' && !options?.recursive) throw fsError('EISDIR', 'rm', p)
  found.mount.tree.delete(found.rel)
}

/** The mounted tree at `dir` whole, at its absolute paths (a read-only one's is made once). */
export function snapshotOf(dir: string): MemorySnapshot {
  const m = mounts.get(dir)
  if (!m) throw fsError('ENOENT', 'scandir', dir)
  if (m.snapshot) return m.snapshot
  const files = new Map<string, Uint8Array>()
  const dirs = new Set<string>()
  const links = new Map<string, string>()
  for (const [rel, node] of m.tree.entries()) {
    const abs = rel === '' ? dir : `${dir}/${rel}`
    if (node.kind === 'dir') dirs.add(abs)
    else if (node.kind === 'file') files.set(abs, node.bytes)
    else links.set(abs, node.target)
  }
  const snapshot = {files, dirs, links}
  if (!m.tree.writable) m.snapshot = snapshot
  return snapshot
}
