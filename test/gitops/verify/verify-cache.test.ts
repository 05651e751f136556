import {copyFile, readdir, readFile, rename, stat, truncate, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli} from '../../support/cli.js'
import {gitopsRepo} from '../../support/gitops-fixture.js'
import {runCleanups} from '../../support/tmp.js'

afterAll(runCleanups)

let repo: string
let cachePath: string
beforeAll(async () => {
  repo = await gitopsRepo()
  cachePath = path.join(repo, '.git', 'ameide', 'cache', 'gitops-verify.json')
})

/** `gitops verify --json` with and without the cache: the same document, stderr and exit code. */
async function cachedEqualsUncached(): Promise<any> {
  const uncached = await runCli(['gitops', 'verify', '--json', '--no-cache'], {cwd: repo})
  const cached = await runCli(['gitops', 'verify', '--json'], {cwd: repo})
  expect(cached.exitCode).toBe(uncached.exitCode)
  expect(cached.stderr).toBe(uncached.stderr)
  expect(cached.json()).toEqual(uncached.json())
  return cached.json()
}

const files = (doc: any): string[] => doc.findings.map((f: any) => `${f.rule}:${f.file}:${f.line}`)

describe('gitops verify with its cache: exactly the findings of a run without it', () => {
  it('fills the cache, answers from it, and follows edits, renames and a damaged cache file', async () => {
    const first = await cachedEqualsUncached()
    expect(first.findings.length).toBeGreaterThan(0)
    expect((await stat(cachePath)).size).toBeGreaterThan(0)
    await cachedEqualsUncached()

    // An edited file: the file of the first finding loses its content (and its findings).
    const target = path.join(repo, first.findings[0].file)
    const before = await readFile(target, 'utf8')
    await writeFile(target, 'replicas: 1\n')
    const edited = await cachedEqualsUncached()
    expect(files(edited)).not.toEqual(files(first))
    await writeFile(target, before)
    expect(files(await cachedEqualsUncached())).toEqual(files(first))

    // A renamed file: its findings move with it.
    await rename(target, path.join(path.dirname(target), 'moved.yaml'))
    const renamed = await cachedEqualsUncached()
    expect(files(renamed)).not.toEqual(files(first))
    await rename(path.join(path.dirname(target), 'moved.yaml'), target)
    expect(files(await cachedEqualsUncached())).toEqual(files(first))

    // Truncated, tampered (checksum no longer matching) and unparsable cache files are ignored and rebuilt.
    await truncate(cachePath, Math.floor((await stat(cachePath)).size / 2))
    await cachedEqualsUncached()
    const text = await readFile(cachePath, 'utf8')
    await writeFile(cachePath, text.replaceAll('"findings":[{', '"findings":[],"x":[{'))
    await cachedEqualsUncached()
    await writeFile(cachePath, 'garbage')
    expect(files(await cachedEqualsUncached())).toEqual(files(first))
  })

  it('two concurrent runs give the findings of an uncached run', async () => {
    const args = ['gitops', 'verify', '--json']
    const [a, b, uncached] = await Promise.all([
      runCli(args, {cwd: repo}),
      runCli(args, {cwd: repo}),
      runCli([...args, '--no-cache'], {cwd: repo}),
    ])
    expect(a.json()).toEqual(uncached.json())
    expect(b.json()).toEqual(uncached.json())
    await cachedEqualsUncached()
  })
})

describe('gitops verify on several threads', () => {
  it('gives byte for byte the output of one thread, cold and from the cache', async () => {
    // Every YAML file of the fixture copied 50 times beside itself (same zone, new name): ≈ 1,300 files, so that
    // workers start (src/gitops/verify/verify.ts: a thousand files a worker).
    const many = await gitopsRepo()
    const yamlFiles = (await readdir(many, {recursive: true}))
      .filter((f) => /\.ya?ml$/.test(f) && !f.startsWith('.git'))
      .map((f) => path.join(many, f))
    for (const file of yamlFiles)
      for (let i = 0; i < 50; i++) await copyFile(file, file.replace(/(\.ya?ml)$/, `-copy${i}$1`))
    const args = ['gitops', 'verify', '--json']
    const one = await runCli([...args, '--no-cache'], {cwd: many, env: {AMEIDE_THREADS: '1'}})
    expect(one.json().findings.length).toBeGreaterThan(50)
    expect(one.json().files.checked).toBeGreaterThan(1000)
    for (const threads of ['2', '3']) {
      const cold = await runCli([...args, '--no-cache'], {cwd: many, env: {AMEIDE_THREADS: threads}})
      expect(cold.stdout).toBe(one.stdout)
      expect(cold.exitCode).toBe(one.exitCode)
    }
    const fill = await runCli(args, {cwd: many, env: {AMEIDE_THREADS: '2'}})
    const warm = await runCli(args, {cwd: many, env: {AMEIDE_THREADS: '2'}})
    expect(fill.stdout).toBe(one.stdout)
    expect(warm.stdout).toBe(one.stdout)
  }, 120_000)
})
