import {execFileSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {gitTopLevel, plainTopLevel} from '../../src/effects/git.js'

/** The work tree's top level found without git is exactly git's answer, and is given up wherever git might differ. */
const base = realpathSync(mkdtempSync(path.join(tmpdir(), 'ameide-toplevel-')))
afterAll(() => rmSync(base, {recursive: true, force: true}))
const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, {cwd, encoding: 'utf8', env: {...process.env, GIT_CONFIG_NOSYSTEM: '1'}}).trim()
const noGitEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GIT_')))

const repo = path.join(base, 'repo')
mkdirSync(path.join(repo, 'a', 'b'), {recursive: true})
git(base, 'init', '-q', repo)
writeFileSync(path.join(repo, 'a', 'f'), 'x')
git(repo, '-c', 'user.name=t', '-c', 'user.email=t@t', 'add', '-A')
git(repo, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'c')
const nested = path.join(repo, 'a', 'inner')
mkdirSync(nested)
git(base, 'init', '-q', nested)
symlinkSync(path.join(repo, 'a', 'b'), path.join(base, 'link'))

describe('plainTopLevel', () => {
  it.each([
    ['the top level', repo],
    ['a folder below it', path.join(repo, 'a', 'b')],
    ['a symbolic link to a folder of it', path.join(base, 'link')],
    ['a repository inside another', nested],
  ])('in %s: git’s answer, without git', async (_, cwd) => {
    expect(plainTopLevel(cwd, noGitEnv)).toBe(git(cwd, 'rev-parse', '--show-toplevel'))
    expect(plainTopLevel(cwd, {...noGitEnv, GIT_SSL_CAINFO: '/x'})).toBe(git(cwd, 'rev-parse', '--show-toplevel'))
    expect(await gitTopLevel(cwd)).toBe(git(cwd, 'rev-parse', '--show-toplevel'))
  })

  it('gives up (git decides) in a linked worktree, inside .git, outside any repository, with GIT_* set', async () => {
    const worktree = path.join(base, 'wt')
    git(repo, 'worktree', 'add', '-q', worktree)
    const outside = mkdtempSync(path.join(tmpdir(), 'ameide-toplevel-none-'))
    try {
      expect(plainTopLevel(worktree, noGitEnv)).toBeUndefined()
      expect(await gitTopLevel(worktree)).toBe(git(worktree, 'rev-parse', '--show-toplevel'))
      expect(plainTopLevel(path.join(repo, '.git'), noGitEnv)).toBeUndefined()
      expect(plainTopLevel(outside, noGitEnv)).toBeUndefined()
      expect(plainTopLevel(repo, {...noGitEnv, GIT_DIR: path.join(nested, '.git')})).toBeUndefined()
      expect(plainTopLevel(repo, {...noGitEnv, GIT_CONFIG_COUNT: '1'})).toBeUndefined()
    } finally {
      rmSync(outside, {recursive: true, force: true})
    }
  })

  it('gives up on a configured worktree or a bare repository', () => {
    const odd = path.join(base, 'odd')
    git(base, 'init', '-q', odd)
    git(odd, 'config', 'core.worktree', base)
    expect(plainTopLevel(odd, noGitEnv)).toBeUndefined()
    git(odd, 'config', '--unset', 'core.worktree')
    expect(plainTopLevel(odd, noGitEnv)).toBe(odd)
    git(odd, 'config', 'core.bare', 'true')
    expect(plainTopLevel(odd, noGitEnv)).toBeUndefined()
  })
})
