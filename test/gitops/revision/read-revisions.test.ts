/**
 * A pull request's base and head read together (src/gitops/revision readRevisions, what `gitops diff` reads): the
 * blobs they share are read once, yet each revision holds exactly its own files, bytes, blob ids and links; the
 * working tree beside a commit is read from disk; a revision that cannot be read is named.
 */
import {execFileSync} from 'node:child_process'
import {writeFileSync} from 'node:fs'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {readFileSync} from '../../../src/core/memory-fs/index.js'
import {readRevisions} from '../../../src/gitops/revision/index.js'
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
