/**
 * Trees held in memory (src/core/memory-fs): held to Node's own file system on the same trees (files, folders,
 * links within the tree, links in chains and loops), then what only memory does — links never leave it for the
 * host, a revision is read-only, an unmounted tree is gone.
 */
import fc from 'fast-check'
import * as host from 'node:fs'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import * as memory from '../../src/core/memory-fs/index.js'
import {readRevision} from '../../src/gitops/revision/index.js'
import {confinedPath} from '../../src/gitops/revision/paths.js'
import {commitAll, initGitRepo, makeTempDir, runCleanups} from '../support/tmp.js'

afterAll(runCleanups)

type Node = {kind: 'file'; text: string} | {kind: 'dir'} | {kind: 'link'; target: string}

/** What one call answers: its value, or its error's code. */
const outcome = (call: () => unknown): unknown => {
  try {
    return {value: call()}
  } catch (error) {
    return {code: (error as NodeJS.ErrnoException).code}
  }
}

const kind = (s: {isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean}) =>
  s.isSymbolicLink() ? 'link' : s.isDirectory() ? 'dir' : s.isFile() ? 'file' : 'other'

/** Every answer a reader of a revision asks of `p` (paths in answers relative to `root`). */
function answers(fs: typeof memory, root: string, p: string) {
  const abs = path.join(root, p)
  return {
    exists: fs.existsSync(abs),
    stat: outcome(() => {
      const s = fs.statSync(abs)
      return [kind(s), s.isFile() ? s.size : 0]
    }),
    lstat: outcome(() => kind(fs.lstatSync(abs))),
    read: outcome(() => fs.readFileSync(abs, 'utf8')),
    list: outcome(() => fs.readdirSync(abs).sort()),
    kinds: outcome(() =>
      fs
        .readdirSync(abs, {withFileTypes: true})
        .map((e) => `${e.name}:${kind(e)}`)
        .sort(),
    ),
    real: outcome(() => path.relative(fs.realpathSync(root), fs.realpathSync(abs))),
    link: outcome(() => fs.readlinkSync(abs)),
  }
}

const segment = fc.constantFrom('a', 'b', 'c', 'values.yaml', 'x y')
const relPath = fc.array(segment, {minLength: 1, maxLength: 3}).map((s) => s.join('/'))
/** A link's target inside the tree: relative (with `..` that stays inside) or naming its root. */
const target = fc.oneof(
  relPath,
  relPath.map((p) => `../${p}`),
  fc.constant('.'),
  fc.constant('..'),
  relPath.map((p) => `./${p}/`),
)
const node: fc.Arbitrary<Node> = fc.oneof(
  fc.string({maxLength: 8}).map((text) => ({kind: 'file' as const, text})),
  fc.constant({kind: 'dir' as const}),
  target.map((t) => ({kind: 'link' as const, target: t})),
)

/** Builds `entries` with `fs` under `root`, skipping what cannot be made (a path under a file): both alike. */
function build(fs: typeof memory, root: string, entries: Array<[string, Node]>): void {
  for (const [p, n] of entries) {
    const abs = path.join(root, p)
    try {
      fs.mkdirSync(path.dirname(abs), {recursive: true})
      if (n.kind === 'dir') fs.mkdirSync(abs, {recursive: true})
      else if (n.kind === 'file') fs.writeFileSync(abs, n.text)
      else fs.symlinkSync(n.target, abs)
    } catch {
      // the same in both
    }
  }
}

/** Some link of the tree on disk names a path outside `root`, from where it really is. */
function escapes(root: string, entries: Array<[string, Node]>): boolean {
  return entries.some(([p]) => {
    const abs = path.join(root, p)
    try {
      if (!host.lstatSync(abs).isSymbolicLink()) return false
      const to = path.resolve(host.realpathSync(path.dirname(abs)), host.readlinkSync(abs))
      return path.relative(root, to).startsWith('..')
    } catch {
      return true // made somewhere it cannot be reached again from the root
    }
  })
}

/** The text Node reads at `p`, or undefined where it throws. */
function hostText(p: string): string | undefined {
  try {
    return host.readFileSync(p, 'utf8')
  } catch {
    return undefined
  }
}

describe('a tree in memory answers as Node answers for the same tree on disk', () => {
  // A frozen tree (a revision's) without links is looked up at once instead of walked: the same answers both ways.
  it.each([
    ['writable', false],
    ['frozen', true],
  ])(
    'exists, stat, lstat, read, list, realpath and readlink of every path, links within the tree followed (%s)',
    async (_, frozen) => {
      const disk = await makeTempDir('ameide-memory-fs-')
      let n = 0
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.tuple(relPath, node), {maxLength: 12}),
          fc.array(fc.oneof(relPath, target), {maxLength: 6}),
          async (entries, extra) => {
            const onDisk = path.join(disk, `t${n++}`, 'root')
            host.mkdirSync(onDisk, {recursive: true})
            const tree = new memory.MemoryTree()
            const inMemory = memory.mount(tree, 'property')
            build(host as unknown as typeof memory, onDisk, entries)
            build(memory, inMemory, entries)
            if (frozen) tree.freeze()
            // A link whose target leaves the root reads the host on disk and nothing in memory (below): a revision
            // never holds one (src/gitops/revision/links.ts), so such a tree is not compared.
            if (escapes(onDisk, entries)) return
            for (const p of ['', ...entries.map(([p]) => p), ...extra]) {
              if (path.normalize(p).startsWith('..')) continue
              expect(answers(memory, inMemory, p), p).toEqual(answers(host as unknown as typeof memory, onDisk, p))
              // A file's text, or undefined where reading it fails (a frozen tree answers a missing one at once).
              expect(memory.readTextOrUndefined(path.join(inMemory, p)), p).toBe(hostText(path.join(onDisk, p)))
              // The same by the tree's root and the path as a listing names it (a frozen tree's key, looked up at once).
              expect(memory.readTextIn(inMemory, p), p).toBe(hostText(path.join(onDisk, p)))
            }
            memory.unmount(inMemory)
          },
        ),
        {numRuns: 150},
      )
    },
  )
})

describe('what only memory does', () => {
  it('a link never leads to the host: an absolute target, or `..` above the mount, is missing', () => {
    const dir = memory.scratchFolder('links')
    memory.symlinkSync('/etc', path.join(dir, 'etc'))
    memory.symlinkSync('../../../etc/passwd', path.join(dir, 'passwd'))
    memory.symlinkSync('loop', path.join(dir, 'loop'))
    expect(host.existsSync('/etc/passwd')).toBe(true)
    expect(memory.existsSync(path.join(dir, 'etc/passwd'))).toBe(false)
    expect(() => memory.readFileSync(path.join(dir, 'passwd'), 'utf8')).toThrow(
      expect.objectContaining({code: 'ENOENT'}),
    )
    expect(() => memory.statSync(path.join(dir, 'loop'))).toThrow(expect.objectContaining({code: 'ELOOP'}))
    expect(memory.lstatSync(path.join(dir, 'passwd')).isSymbolicLink()).toBe(true)
  })

  it('a path under the memory root is never asked of the host, mounted or not', () => {
    expect(memory.existsSync(`${memory.MEMORY_ROOT}/1-nothing/x`)).toBe(false)
    expect(() => memory.readdirSync(memory.MEMORY_ROOT)).toThrow(expect.objectContaining({code: 'ENOENT'}))
  })

  it('a revision: read-only, its files and in-bounds links there, a refused link absent, gone once removed', async () => {
    const repo = await makeTempDir('ameide-memory-rev-')
    await initGitRepo(repo)
    host.mkdirSync(path.join(repo, 'apps'))
    host.writeFileSync(path.join(repo, 'apps/cm.yaml'), 'a: 1\n')
    host.symlinkSync('cm.yaml', path.join(repo, 'apps/link.yaml'))
    host.symlinkSync('/etc/passwd', path.join(repo, 'apps/out.yaml'))
    await commitAll(repo, 'one')
    const rev = await readRevision(repo, 'HEAD', 'diff-head')
    expect(rev.dir.startsWith(`${memory.MEMORY_ROOT}/`)).toBe(true)
    expect(host.existsSync(rev.dir)).toBe(false)
    expect(memory.readFileSync(path.join(rev.dir, 'apps/link.yaml'), 'utf8')).toBe('a: 1\n')
    expect(memory.existsSync(path.join(rev.dir, 'apps/out.yaml'))).toBe(false)
    expect(rev.refused.map((r) => r.path)).toEqual(['apps/out.yaml'])
    expect(() => memory.writeFileSync(path.join(rev.dir, 'apps/x.yaml'), 'b: 2\n')).toThrow(
      expect.objectContaining({code: 'EROFS'}),
    )
    await rev.remove()
    expect(memory.existsSync(path.join(rev.dir, 'apps/cm.yaml'))).toBe(false)
  })

  it("a scratch folder: `wx` refuses what is there, copies keep a file's executable bit, rm drops a subtree", () => {
    const dir = memory.scratchFolder('scratch')
    memory.writeFileSync(path.join(dir, 'a'), 'one', {flag: 'wx'})
    expect(() => memory.writeFileSync(path.join(dir, 'a'), 'two', {flag: 'wx'})).toThrow(
      expect.objectContaining({code: 'EEXIST'}),
    )
    memory.mkdirSync(path.join(dir, 'd/e'), {recursive: true})
    memory.writeFileSync(path.join(dir, 'd/e/run'), '#!/bin/sh\n', {mode: 0o755})
    memory.cpSync(path.join(dir, 'd'), path.join(dir, 'copy'))
    expect(memory.statSync(path.join(dir, 'copy/e/run')).mode & 0o111).not.toBe(0)
    memory.rmSync(path.join(dir, 'd'), {recursive: true})
    expect(memory.readdirSync(dir)).toEqual(['a', 'copy'])
    memory.rmSync(dir, {recursive: true})
    expect(memory.isMounted(dir)).toBe(false)
  })
})

describe('a tree laid over a frozen one (the render module: one revision, many requests)', () => {
  const names = fc.constantFrom('a', 'b', 'c')
  const rel = fc.array(names, {minLength: 1, maxLength: 3}).map((p) => p.join('/'))
  const op = fc.oneof(
    fc.record({op: fc.constant('file' as const), rel, text: fc.constantFrom('x', 'y')}),
    fc.record({op: fc.constant('dir' as const), rel}),
    fc.record({op: fc.constant('link' as const), rel, text: fc.constantFrom('a', '../b')}),
    fc.record({op: fc.constant('delete' as const), rel}),
  )
  type Op = {op: 'file' | 'dir' | 'link' | 'delete'; rel: string; text?: string}
  const apply = (tree: memory.MemoryTree, ops: readonly Op[]) => {
    for (const o of ops) {
      outcome(() => {
        if (o.op === 'delete') tree.delete(o.rel)
        else if (o.op === 'dir') tree.set(o.rel, {kind: 'dir'})
        else if (o.op === 'link') tree.set(o.rel, {kind: 'link', target: o.text!})
        else tree.set(o.rel, {kind: 'file', bytes: Buffer.from(o.text!), executable: false})
      })
    }
    return tree
  }
  const every = ['', 'a', 'b', 'c', 'a/a', 'a/b', 'b/a', 'c/c', 'a/a/a', 'a/b/c', 'b/c/a']
  const seen = (tree: memory.MemoryTree) => ({
    nodes: every.map((p) => tree.get(p)),
    lists: every.map((p) => tree.list(p)),
    entries: [...tree.entries()].map(([k]) => k).sort(),
  })

  it('reads as the plain tree the same writes make, and leaves its base as it was', () => {
    fc.assert(
      fc.property(fc.array(op, {maxLength: 12}), fc.array(op, {maxLength: 12}), (first, then) => {
        const base = apply(new memory.MemoryTree(), first).freeze()
        const before = seen(base)
        const over = apply(new memory.MemoryTree(base), then)
        const plain = apply(apply(new memory.MemoryTree(), first), then)
        expect(seen(over)).toEqual(seen(plain))
        expect(seen(base)).toEqual(before)
      }),
      {numRuns: 400},
    )
  })
})

describe('confinement in a revision without links (src/gitops/revision/paths.ts confinedPath)', () => {
  it('answers as the walk does in the same tree with a link beside it', () => {
    const files = fc.array(fc.tuple(relPath, fc.string({maxLength: 4})), {maxLength: 10})
    const asked = fc.array(
      fc.oneof(
        relPath,
        target,
        fc.constant(''),
        relPath.map((p) => `${p}/`),
      ),
      {maxLength: 8},
    )
    fc.assert(
      fc.property(files, asked, (entries, paths) => {
        const [plain, linked] = [new memory.MemoryTree(), new memory.MemoryTree()]
        for (const [p, text] of entries)
          for (const t of [plain, linked])
            try {
              t.set(p, {kind: 'file', bytes: Buffer.from(text), executable: false})
            } catch {
              // a path under a file: in neither
            }
        linked.set('zz-link', {kind: 'link', target: 'a'})
        const [a, b] = [memory.mount(plain.freeze(), 'plain'), memory.mount(linked.freeze(), 'linked')]
        expect(memory.isLinkFree(a)).toBe(true)
        expect(memory.isLinkFree(b)).toBe(false)
        for (const p of paths) expect(confinedPath(a, p), p).toBe(confinedPath(b, p))
        memory.unmount(a)
        memory.unmount(b)
      }),
      {numRuns: 200},
    )
  })
})
