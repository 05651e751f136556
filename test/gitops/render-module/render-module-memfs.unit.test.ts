/**
 * The render module's file system (src/effects/render-module/memfs.ts: Node's callback `fs` API, as Go's
 * syscall/fs_js.go calls it, over a tree in memory) held to Node's own `fs` on a real folder: the same operations, in
 * the same order, on a folder on disk and on its snapshot, answer alike — values, and errors by their code.
 */
import {symlinkSync} from 'node:fs'
import * as host from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import {afterAll, describe, expect, it} from 'vitest'

import {MemFs} from '../../../src/effects/render-module/memfs.js'
import {FS_CONSTANTS} from '../../../src/effects/render-module/memfs-nodes.js'
import {snapshotOf} from '../../../src/effects/render-module/tree.js'
import {makeTempDir, runCleanups, writeFiles} from '../../support/tmp.js'

afterAll(runCleanups)

const {O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_TRUNC, O_APPEND, O_DIRECTORY} = FS_CONSTANTS

/** A revision-like folder: files, an empty folder, links to a file, to a folder and to a link, a link loop. */
async function tree(): Promise<string> {
  const dir = await makeTempDir('ameide-memfs-')
  await writeFiles(dir, {
    'Chart.yaml': 'name: web\n',
    'templates/a.yaml': 'kind: A\n',
    'templates/b.yaml': 'kind: B\n',
    'charts/sub/Chart.yaml': 'name: sub\n',
  })
  host.mkdirSync(path.join(dir, 'empty'))
  symlinkSync('templates/a.yaml', path.join(dir, 'to-file'))
  symlinkSync('charts', path.join(dir, 'to-dir'))
  symlinkSync('to-dir/sub', path.join(dir, 'to-link'))
  return dir
}

type Answer = {error: string} | {value: unknown}

/** One operation's answer, as the tests compare it: an error's code, or the value (a stat's kind and size). */
const settle = (call: (callback: (error: Error | null, value?: unknown) => void) => void): Promise<Answer> =>
  new Promise((resolve) =>
    call((error, value) => resolve(error ? {error: (error as NodeJS.ErrnoException).code ?? error.message} : {value})),
  )

const statOf = (s: unknown) => {
  const st = s as {isDirectory(): boolean; mode: number; size: number}
  const kind = (st.mode & 0o170000) === 0o120000 ? 'link' : st.isDirectory() ? 'dir' : 'file'
  return {kind, size: kind === 'dir' ? 0 : st.size}
}

/** The two file systems, one interface: every operation Go's fs_js.go makes that the module's commands use. */
interface Fs {
  stat(p: string): Promise<Answer>
  lstat(p: string): Promise<Answer>
  readdir(p: string): Promise<Answer>
  readlink(p: string): Promise<Answer>
  mkdir(p: string): Promise<Answer>
  unlink(p: string): Promise<Answer>
  rmdir(p: string): Promise<Answer>
  rename(a: string, b: string): Promise<Answer>
  truncate(p: string, n: number): Promise<Answer>
  /** open, write `text` (when given), read back what the descriptor reads from position 0, close. */
  openRw(p: string, flags: number, text?: string): Promise<Answer>
}

const mapStat = async (a: Promise<Answer>) => {
  const r = await a
  return 'value' in r ? {value: statOf(r.value)} : r
}
const sorted = async (a: Promise<Answer>) => {
  const r = await a
  return 'value' in r ? {value: [...(r.value as string[])].sort()} : r
}

function over(fs: {
  stat: typeof host.stat
  lstat: typeof host.lstat
  readdir: typeof host.readdir
  readlink: typeof host.readlink
  mkdir: typeof host.mkdir
  unlink: typeof host.unlink
  rmdir: typeof host.rmdir
  rename: typeof host.rename
  truncate: typeof host.truncate
  open: typeof host.open
  write: typeof host.write
  read: typeof host.read
  close: typeof host.close
}): Fs {
  const f = fs as unknown as Record<string, (...a: unknown[]) => void>
  const ask = (name: string, ...args: unknown[]) => settle((cb) => f[name]!(...args, cb))
  return {
    stat: (p) => mapStat(ask('stat', p)),
    lstat: (p) => mapStat(ask('lstat', p)),
    readdir: (p) => sorted(ask('readdir', p)),
    readlink: (p) => ask('readlink', p),
    mkdir: (p) => ask('mkdir', p, 0o755),
    unlink: (p) => ask('unlink', p),
    rmdir: (p) => ask('rmdir', p),
    rename: (a, b) => ask('rename', a, b),
    truncate: (p, n) => ask('truncate', p, n),
    async openRw(p, flags, text) {
      const opened = await ask('open', p, flags, 0o644)
      if ('error' in opened) return opened
      const fd = opened.value as number
      try {
        if (text !== undefined) {
          const bytes = new TextEncoder().encode(text)
          const wrote = await ask('write', fd, bytes, 0, bytes.length, null)
          if ('error' in wrote) return wrote
        }
        const buffer = new Uint8Array(256)
        const read = await ask('read', fd, buffer, 0, buffer.length, 0)
        if ('error' in read) return read
        return {value: new TextDecoder().decode(buffer.subarray(0, read.value as number))}
      } finally {
        await ask('close', fd)
      }
    },
  }
}

const both = async (dir: string) => {
  const memory = new MemFs([snapshotOf(dir)], () => undefined)
  return {disk: over(host), memory: over(memory as unknown as Parameters<typeof over>[0])}
}

describe('the module’s file system answers as Node’s fs on the same folder', () => {
  it('reads: files, folders, links to a file, a folder and a link, what is missing', async () => {
    const dir = await tree()
    const {disk, memory} = await both(dir)
    const at = (p: string) => path.join(dir, p)
    const paths = ['Chart.yaml', 'templates', 'empty', 'to-file', 'to-dir', 'to-link', 'to-link/Chart.yaml', 'nope']
    for (const p of [...paths, 'Chart.yaml/x', 'to-dir/sub/Chart.yaml', 'templates/../Chart.yaml']) {
      for (const op of ['stat', 'lstat', 'readdir', 'readlink'] as const) {
        expect(await memory[op](at(p)), `${op} ${p}`).toEqual(await disk[op](at(p)))
      }
      expect(await memory.openRw(at(p), O_RDONLY), `open ${p}`).toEqual(await disk.openRw(at(p), O_RDONLY))
      expect(await memory.openRw(at(p), O_RDONLY | O_DIRECTORY), `open dir ${p}`).toEqual(
        await disk.openRw(at(p), O_RDONLY | O_DIRECTORY),
      )
    }
  })

  it('writes: a random sequence of operations leaves both trees alike, answer by answer', async () => {
    const names = [
      'Chart.yaml',
      'templates',
      'templates/a.yaml',
      'empty',
      'empty/z',
      'new',
      'new/x.yaml',
      'to-dir',
      'to-file',
      'to-link',
    ]
    const name = fc.constantFrom(...names)
    const flags = fc.constantFrom(
      O_WRONLY | O_CREAT | O_TRUNC,
      O_RDWR | O_CREAT | O_EXCL,
      O_WRONLY | O_APPEND,
      O_RDWR,
      O_WRONLY | O_CREAT | O_APPEND,
    )
    const op = fc.oneof(
      fc.tuple(fc.constant('mkdir' as const), name),
      fc.tuple(fc.constant('unlink' as const), name),
      fc.tuple(fc.constant('rmdir' as const), name),
      fc.tuple(fc.constant('rename' as const), name, name),
      fc.tuple(fc.constant('truncate' as const), name, fc.nat(12)),
      fc.tuple(fc.constant('openRw' as const), name, flags, fc.string({maxLength: 6})),
    )
    await fc.assert(
      fc.asyncProperty(fc.array(op, {maxLength: 8}), async (ops) => {
        const dir = await tree()
        const {disk, memory} = await both(dir)
        const at = (p: string) => path.join(dir, p)
        for (const [kind, a, b, c] of ops) {
          const args = (kind === 'rename' ? [at(a), at(b as string)] : [at(a), b, c]) as [string, never, never]
          const expected = await (disk[kind] as (...x: unknown[]) => Promise<Answer>)(...args)
          const got = await (memory[kind] as (...x: unknown[]) => Promise<Answer>)(...args)
          expect(got, `${kind} ${a} ${String(b ?? '')}`).toEqual(expected)
        }
        // The trees alike after the sequence: every name's kind, size and listing.
        for (const p of [...names, 'new/y', '']) {
          expect(await memory.lstat(at(p)), `lstat ${p}`).toEqual(await disk.lstat(at(p)))
          expect(await memory.readdir(at(p)), `readdir ${p}`).toEqual(await disk.readdir(at(p)))
        }
      }),
      {numRuns: Number(process.env.MEMFS_RUNS ?? 60)},
    )
  })

  it('a stat in one call (ameideStat, the overlay’s statCall): the fields Go reads, in its order, or the call’s error', async () => {
    const dir = await tree()
    const memory = new MemFs([snapshotOf(dir)], () => undefined)
    const fields = ['dev', 'ino', 'mode', 'nlink', 'uid', 'gid', 'rdev', 'size', 'blksize', 'blocks', 'atimeMs']
    const into = new Uint8Array(13 * 8)
    const fd = memory.ameideCall('open', path.join(dir, 'templates/a.yaml'), O_RDONLY, 0) as number
    for (const [name, target] of [
      ['stat', path.join(dir, 'templates')],
      ['lstat', path.join(dir, 'to-file')],
      ['stat', path.join(dir, 'to-file')],
      ['fstat', fd],
    ] as const) {
      expect(memory.ameideStat(name, target, into), `${name} ${target}`).toBe(true)
      const stats = memory.ameideCall(name, target) as Record<string, number>
      const packed = [...new Float64Array(into.buffer)]
      expect(packed, `${name} ${target}`).toEqual([...fields, 'mtimeMs', 'ctimeMs'].map((f) => stats[f]))
    }
    expect(new Float64Array(into.buffer)[2]! & 0o170000).toBe(0o100000) // fstat of a file: a regular file's mode
    expect(memory.ameideStat('stat', path.join(dir, 'nope'), into)).toBeNull()
    expect((memory.ameideError() as NodeJS.ErrnoException).code).toBe('ENOENT')
    expect(memory.ameideStat('fstat', 999, into)).toBeNull()
    expect((memory.ameideError() as NodeJS.ErrnoException).code).toBe('EBADF')
  })

  it('a path one snapshot holds through a link and another as a folder: the link decides, as on disk', async () => {
    const dir = await tree()
    const other = await makeTempDir('ameide-memfs-other-')
    await writeFiles(other, {'x.yaml': 'x: 1\n'})
    // The second snapshot names files under a folder the first reaches through its `to-dir` link.
    const first = snapshotOf(dir)
    const second = {
      files: new Map([[`${dir}/to-dir/extra.yaml`, new TextEncoder().encode('e: 1\n')]]),
      dirs: new Set([`${dir}/to-dir`]),
      links: new Map<string, string>(),
    }
    const memory = over(new MemFs([first, second], () => undefined) as unknown as Parameters<typeof over>[0])
    expect(await memory.lstat(path.join(dir, 'to-dir'))).toEqual({value: {kind: 'link', size: 'charts'.length}})
    expect(await memory.readdir(path.join(dir, 'to-dir'))).toEqual({value: ['sub']})
  })
})
