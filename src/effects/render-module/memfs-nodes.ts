/**
 * The render module's file system below its operations (./memfs.ts MemFs): Node's constants and stat as Go's
 * syscall/fs_js.go reads them, the errors it expects, and the snapshots laid into one MemoryTree.
 */
import {bareError, MemoryTree, type MemoryNode} from '../../core/memory-fs/tree.js'
import type {MemorySnapshot} from '../../core/memory-fs/index.js'

const S_IFDIR = 0o040000
const S_IFREG = 0o100000
export const S_IFLNK = 0o120000
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

/** The fields of a stat as Go's syscall/fs_js.go setStat reads them, in its order (MemFs.ameideStat). */
export const STAT_FIELDS = [
  'dev',
  'ino',
  'mode',
  'nlink',
  'uid',
  'gid',
  'rdev',
  'size',
  'blksize',
  'blocks',
  'atimeMs',
  'mtimeMs',
  'ctimeMs',
] as const

/** An error as Node's `fs` raises it (Go reads its code), without a stack trace: Go probes many missing paths. */
export const fail = (code: string, path: string): Error => bareError(`${code}: ${path}`, {code})

/** The tree's key of an absolute path ('' is `/`). */
export const key = (path: string) => path.slice(1)
export const file = (bytes: Uint8Array): MemoryNode => ({kind: 'file', bytes, executable: false})

/** The chunks as one array of bytes. */
export function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const all = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0))
  let at = 0
  for (const c of chunks) all.set(c, (at += c.byteLength) - c.byteLength)
  return all
}

/** The snapshots as one tree: files and folders, then links. */
export function fill(tree: MemoryTree, snapshots: readonly MemorySnapshot[]): MemoryTree {
  for (const s of snapshots) {
    for (const [p, data] of s.files) tree.set(key(p), file(data))
    for (const d of s.dirs) tree.set(key(d), {kind: 'dir'})
  }
  // Links last, over every snapshot's folders: a path one snapshot reaches through a link, another may hold.
  for (const s of snapshots) for (const [p, target] of s.links) tree.set(key(p), {kind: 'link', target})
  return tree
}

/** A stat of the node at `path` as Node's `fs` gives it (a link or nothing: ENOENT). */
export function statsOf(node: MemoryNode | undefined, path: string): object {
  if (node === undefined || node.kind === 'link') throw fail('ENOENT', path)
  const size = node.kind === 'file' ? node.bytes.byteLength : 4096
  return {
    dev: 1,
    ino: 0,
    mode: node.kind === 'dir' ? S_IFDIR | 0o755 : S_IFREG | 0o644,
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
    isDirectory: () => node.kind === 'dir',
  }
}
