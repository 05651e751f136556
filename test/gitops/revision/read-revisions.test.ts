/**
 * A pull request's base and head read together (src/gitops/revision readRevisions, what `gitops diff` reads): the
 * blobs they share are read once, yet each revision holds exactly its own files, bytes, blob ids and links; the
 * working tree beside a commit is read from disk; a revision that cannot be read is named.
 */
import {execFileSync} from 'node:child_process'
import {writeFileSync} from 'node:fs'
import {rm} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, afterEach, describe, expect, it} from 'vitest'

import {MemoryTree, readFileSync} from '../../../src/core/memory-fs/index.js'
import {readRevisions} from '../../../src/gitops/revision/index.js'
import {KEPT_BYTES, KEPT_COMMITS, keepCommit, keptCommit} from '../../../src/gitops/revision/kept.js'
import {edit} from '../../support/diff-repo.js'
import {commitAll, initGitRepo, makeTempDir, runCleanups} from '../../support/tmp.js'

afterAll(runCleanups)

const blobId = (repo: string, rev: string) =>
  execFileSync('git', ['rev-parse', rev], {cwd: repo, encoding: 'utf8'}).trim()

async function twoCommits() {
  const repo = await makeTempDir('ameide-read-revisions-')
  await initGitRepo(repo)
  await edit(repo, {'shared.yaml': 'a: 1\n', 'changed.yaml': 'v: base\n', 'gone.yaml': 'x\n'})
  execFileSync('ln', ['-s', 'shared.yaml', path.join(repo, 'link.yaml')])
  const base = await commitAll(repo, 'base')
  execFileSync('git', ['rm', '-q', 'gone.yaml'], {cwd: repo})
  await edit(repo, {'changed.yaml': 'v: head\n', 'added.yaml': 'new: 1\n'})
  const head = await commitAll(repo, 'head')
  return {repo, base, head}
}

describe('readRevisions', () => {
  it('two commits: each holds its own files, bytes, blob ids and links', async () => {
    const {repo, base, head} = await twoCommits()
    const [b, h] = await readRevisions(repo, [
      {commit: base, label: 'base'},
      {commit: head, label: 'head'},
    ])
    try {
      expect(b.files).toEqual(['changed.yaml', 'gone.yaml', 'link.yaml', 'shared.yaml'])
      expect(h.files).toEqual(['added.yaml', 'changed.yaml', 'link.yaml', 'shared.yaml'])
      expect(readFileSync(path.join(b.dir, 'changed.yaml'), 'utf8')).toBe('v: base\n')
      expect(readFileSync(path.join(h.dir, 'changed.yaml'), 'utf8')).toBe('v: head\n')
      expect(readFileSync(path.join(h.dir, 'link.yaml'), 'utf8')).toBe('a: 1\n')
      expect(b.blobIds.get('changed.yaml')).toBe(blobId(repo, `${base}:changed.yaml`))
      expect(h.blobIds.get('changed.yaml')).toBe(blobId(repo, `${head}:changed.yaml`))
      expect(h.blobIds.get('shared.yaml')).toBe(b.blobIds.get('shared.yaml'))
      expect([b.commit, h.commit]).toEqual([base, head])
    } finally {
      await Promise.all([b.remove(), h.remove()])
    }
  })

  it('a commit and the working tree: the working tree’s bytes, uncommitted edits included', async () => {
    const {repo, base} = await twoCommits()
    writeFileSync(path.join(repo, 'changed.yaml'), 'v: edited\n')
    const [b, w] = await readRevisions(repo, [
      {commit: base, label: 'base'},
      {commit: null, label: 'work'},
    ])
    try {
      expect(readFileSync(path.join(b.dir, 'changed.yaml'), 'utf8')).toBe('v: base\n')
      expect(readFileSync(path.join(w.dir, 'changed.yaml'), 'utf8')).toBe('v: edited\n')
      expect(w.commit).toBeNull()
    } finally {
      await Promise.all([b.remove(), w.remove()])
    }
  })

  it('a revision that cannot be read: REVISION_UNREADABLE naming it', async () => {
    const {repo, head} = await twoCommits()
    const read = readRevisions(repo, [
      {commit: head, label: 'head'},
      {commit: 'f'.repeat(40), label: 'base'},
    ])
    await expect(read).rejects.toMatchObject({
      code: 'REVISION_UNREADABLE',
      message: expect.stringMatching(/^The base revision ffffffffffff/),
    })
  })
})

describe("a commit's revision kept by a process that runs command after command (revision/kept.ts)", () => {
  const RESIDENT = Symbol.for('ameide.resident')
  const KEPT = Symbol.for('ameide.kept-commits')
  const global = globalThis as Record<symbol, unknown>
  afterEach(() => {
    delete global[RESIDENT]
    delete global[KEPT]
  })

  /** Reads base and head, then makes git unable to read anything of the repository. */
  async function readThenBreak(resident: boolean) {
    if (resident) global[RESIDENT] = true
    const {repo, base, head} = await twoCommits()
    const first = await readRevisions(repo, [
      {commit: base, label: 'base'},
      {commit: head, label: 'head'},
    ])
    for (const r of first) await r.remove()
    await rm(path.join(repo, '.git', 'objects'), {recursive: true})
    return {repo, base, head, first}
  }

  it('in the resident process: read again without git, mounted anew, the same files, bytes and links', async () => {
    const {repo, base, head, first} = await readThenBreak(true)
    const again = await readRevisions(repo, [
      {commit: head, label: 'head'},
      {commit: base, label: 'base'},
    ])
    expect(again.map((r) => r.dir)).not.toEqual(first.map((r) => r.dir).reverse())
    expect(again.map((r) => r.files)).toEqual([first[1].files, first[0].files])
    expect(readFileSync(path.join(again[0].dir, 'changed.yaml'), 'utf8')).toBe('v: head\n')
    expect(readFileSync(path.join(again[1].dir, 'link.yaml'), 'utf8')).toBe('a: 1\n')
    // Shared by every later command: its lists cannot be changed.
    expect(() => again[0].files.push('x')).toThrow(TypeError)
    for (const r of again) await r.remove()
  })

  it('in a process that runs one command: nothing kept, so a repository git cannot read is named', async () => {
    const {repo, head} = await readThenBreak(false)
    await expect(readRevisions(repo, [{commit: head, label: 'head'}])).rejects.toMatchObject({
      code: 'REVISION_UNREADABLE',
    })
  })

  it('at most KEPT_COMMITS commits, the least recently read going first; a name that is not an id, never', () => {
    global[RESIDENT] = true
    const kept = (bytes = 1) => ({
      tree: new MemoryTree().freeze(),
      value: {files: [], tracked: [], links: new Map(), refused: [], gitlinks: new Map(), blobIds: new Map()},
      bytes,
    })
    const ids = Array.from({length: KEPT_COMMITS + 1}, (_, i) => i.toString(16).padStart(40, '0'))
    for (const id of ids.slice(0, KEPT_COMMITS)) keepCommit(id, kept())
    expect(keptCommit(ids[0])).toBeDefined() // read: now the most recent
    keepCommit(ids[KEPT_COMMITS], kept())
    expect(keptCommit(ids[1])).toBeUndefined()
    expect(keptCommit(ids[0])).toBeDefined()
    keepCommit('main', kept())
    expect(keptCommit('main')).toBeUndefined()
    keepCommit('f'.repeat(40), kept(KEPT_BYTES))
    expect(ids.filter((id) => keptCommit(id) !== undefined)).toEqual([])
  })
})
