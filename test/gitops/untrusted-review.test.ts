/**
 * Where a revision is materialised (src/gitops/revision): the first place that takes the tree whole (/dev/shm, then
 * the temporary folder). A place that is full mid-write (ENOSPC) or closed (EACCES) is left for the next, its partial
 * tree removed; no partial tree is ever used; the temporary folders go on every exit path, an interrupt included.
 */
import {spawn} from 'node:child_process'
import {existsSync, mkdirSync, readdirSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {DEFAULT_GITOPS_POLICY} from '../../src/core/config.js'
import {envMatcher, globMatcher} from '../../src/core/glob.js'
import {makeLayout} from '../../src/gitops/layout.js'
import {globToRegExp} from '../support/glob-reference.js'
import {writeFirst} from '../../src/gitops/revision/index.js'
import {commitAll, initGitRepo, makeTempDir, runCleanups} from '../support/tmp.js'

afterAll(runCleanups)

const failing = (code: string) => Object.assign(new Error(`${code}: injected`), {code})

/** A writer that writes two files, then fails with `code` in the first `fails` places it is given. */
function writer(fails: number, code: string) {
  const seen: string[] = []
  return {
    seen,
    write: (dir: string) => {
      seen.push(dir)
      mkdirSync(dir, {recursive: true})
      writeFileSync(path.join(dir, 'a.yaml'), 'a: 1\n')
      if (seen.length <= fails) throw failing(code)
      writeFileSync(path.join(dir, 'b.yaml'), 'b: 2\n')
      return readdirSync(dir).sort()
    },
  }
}

describe('a revision written to the first place that takes it whole', () => {
  it('ENOSPC mid-write in the memory folder: the partial tree removed, the whole tree written in the next place', async () => {
    const [memory, disk] = [await makeTempDir('ameide-place-shm-'), await makeTempDir('ameide-place-tmp-')]
    const w = writer(1, 'ENOSPC')
    const got = writeFirst([memory, disk], 'ameide-diff-head-', w.write)
    expect(w.seen.map((d) => path.dirname(path.dirname(d)))).toEqual([memory, disk])
    expect(readdirSync(memory)).toEqual([])
    expect(got.value).toEqual(['a.yaml', 'b.yaml'])
    expect(path.dirname(got.tmp)).toBe(disk)
    expect(got.dir).toBe(path.join(got.tmp, 'tree'))
  })

  it('a place that cannot hold a folder (gone, or a file) is skipped before anything is written', async () => {
    const disk = await makeTempDir('ameide-place-tmp-')
    writeFileSync(path.join(disk, 'file'), '')
    const w = writer(0, 'ENOSPC')
    const got = writeFirst([path.join(disk, 'gone'), path.join(disk, 'file'), disk], 'x-', w.write)
    expect(w.seen).toHaveLength(1)
    expect(got.value).toEqual(['a.yaml', 'b.yaml'])
    expect(path.dirname(got.tmp)).toBe(disk)
  })

  it('any other error, or the last place full, removes the partial tree and is thrown: nothing partial is used', async () => {
    const [memory, disk] = [await makeTempDir('ameide-place-shm-'), await makeTempDir('ameide-place-tmp-')]
    expect(() => writeFirst([memory, disk], 'x-', writer(2, 'ENOSPC').write)).toThrow(/ENOSPC/)
    expect(() => writeFirst([memory, disk], 'x-', writer(1, 'EIO').write)).toThrow(/EIO/)
    const w = writer(1, 'EACCES')
    expect(writeFirst([memory, disk], 'x-', w.write).value).toEqual(['a.yaml', 'b.yaml'])
    expect(readdirSync(memory)).toEqual([])
    expect(readdirSync(disk)).toHaveLength(1)
  })

  it('interrupted (SIGINT) while a revision is held: the temporary tree is removed, exit 130', async () => {
    const repo = await makeTempDir('ameide-place-repo-')
    await initGitRepo(repo)
    writeFileSync(path.join(repo, 'cm.yaml'), 'a: 1\n')
    await commitAll(repo, 'one')
    const tmp = await makeTempDir('ameide-place-tmpdir-')
    const script = [
      `const {readRevision} = await import(${JSON.stringify(new URL('../../dist/gitops/revision/index.js', import.meta.url).href)})`,
      `const r = await readRevision(${JSON.stringify(repo)}, 'HEAD', 'diff-head')`,
      'console.log(r.dir)',
      'setInterval(() => {}, 1000)',
    ].join('\n')
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {env: {...process.env, TMPDIR: tmp}})
    const dir = await new Promise<string>((resolve) =>
      child.stdout.once('data', (b: Buffer) => resolve(b.toString().trim())),
    )
    expect(existsSync(path.join(dir, 'cm.yaml'))).toBe(true)
    const code = new Promise<number | null>((resolve) => child.once('exit', resolve))
    child.kill('SIGINT')
    expect(await code).toBe(130)
    expect(existsSync(dir)).toBe(false)
    expect(readdirSync(tmp)).toEqual([])
  })
})

describe('a value-file glob a pull request writes ($values/…/*.yaml) is matched without backtracking', () => {
  it('the same answers as the RegExp form on ordinary globs', () => {
    const globs = ['charts/*.yaml', 'charts/**/values*.yaml', '**/v?.yml', 'a/**', 'a/**/b', '**', '*', 'x/*/y/*.yaml']
    const files = ['charts/a.yaml', 'charts/x/values-prod.yaml', 'charts/values.yaml', 'v1.yml', 'd/e/v2.yml', 'a/b']
    const more = ['a/x/y/b', 'a/', 'x/1/y/z.yaml', 'x/1/2/y/z.yaml', 'charts/a.yml', 'vv.yml', 'charts/values-/x']
    for (const glob of globs) {
      for (const file of [...files, ...more]) {
        expect(globMatcher(glob).test(file), `${glob} ${file}`).toBe(globToRegExp(glob).test(file))
      }
    }
  })

  it('*a*a*…b against a long name answers at once', () => {
    const glob = globMatcher(`charts/${'*a'.repeat(16)}*b`)
    expect(glob.test(`charts/${'a'.repeat(200)}.yaml`)).toBe(false)
    expect(glob.test(`charts/${'a'.repeat(200)}b`)).toBe(true)
  })
})

describe('the zone globs of ameide.yaml (a pull request may change it) are matched without backtracking', () => {
  /** The overlay RegExp the layout built before: `before([^/]+)after`. */
  const overlayRegExp = (glob: string) => {
    const [before, after = ''] = glob.split('{env}')
    return new RegExp(`${globToRegExp(before).source.slice(0, -1)}([^/]+)${globToRegExp(after).source.slice(1)}`)
  }

  it('an overlay glob captures the environment the RegExp captured', () => {
    const globs = [
      'sources/values/env/{env}/**',
      'overlays/{env}/**/*.yaml',
      '**/overlays/{env}/*.yaml',
      'clusters/{env}-*/**',
      'env/{env}.yaml',
      '{env}/apps/*.yaml',
      '**/{env}/**',
    ]
    const files = [
      'sources/values/env/dev/web.yaml',
      'sources/values/env/prod/a/b/c.yaml',
      'overlays/staging/x/kustomization.yaml',
      'overlays/staging/kustomization.yaml',
      'apps/overlays/qa/deploy.yaml',
      'clusters/eu-west-1/apps.yaml',
      'env/prod.yaml',
      'env/prod/x.yaml',
      'dev/apps/web.yaml',
      'a/b/c.yaml',
      'overlays/base/kustomization.yaml',
    ]
    for (const glob of globs) {
      for (const file of files) {
        expect(envMatcher(glob).exec(file), `${glob} ${file}`).toBe(overlayRegExp(glob).exec(file)?.[1])
      }
    }
  })

  it('a pathological zone or overlay glob against a long name answers at once, through the layout', () => {
    const slow = `${'*a'.repeat(16)}*b`
    const layout = makeLayout({
      ...DEFAULT_GITOPS_POLICY,
      overlays: [`o/${slow}/{env}/x.yaml`],
      cluster: [`c/${slow}.yaml`],
    })
    expect(layout.zoneOf(`o/${'a'.repeat(200)}/dev/x.yaml`)).toBeUndefined()
    expect(layout.zoneOf(`c/${'a'.repeat(200)}.yaml`)).toBeUndefined()
    expect(layout.zoneOf(`o/${'a'.repeat(20)}b/dev/x.yaml`)).toEqual({kind: 'overlay', env: 'dev'})
  })
})
