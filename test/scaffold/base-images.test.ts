import {readFile, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {isDigestPinned, parseImageReference} from '../../src/images/reference.js'
import {KINDS} from '../../src/primitives/kinds.js'
import {LAYOUTS} from '../../src/primitives/layout.js'
import {BASE_IMAGE_NAMES, shippedBaseImages} from '../../src/scaffold/base-images.js'
import {runCli} from '../support/cli.js'
import {initGitRepo, makeTempDir, runCleanups} from '../support/tmp.js'

afterAll(runCleanups)

/** Issue 26 §6: a fresh scaffold passes our own verify with no warning; its base images are pinned by digest. */
async function newRepo(): Promise<string> {
  const dir = await makeTempDir('ameide-base-images-')
  await initGitRepo(dir)
  return dir
}

const dockerfiles = (kind: string) => LAYOUTS[kind as keyof typeof LAYOUTS].filter((f) => f.path.endsWith('Dockerfile'))

/** The image of every FROM line of a Dockerfile (stage names and flags aside). */
function fromImages(text: string): string[] {
  return [...text.matchAll(/^FROM\s+(?:--\S+\s+)*(\S+)/gm)].map((m) => m[1])
}

describe('the shipped base-image table', () => {
  it('names every base image once, each pinned by digest', () => {
    const table = shippedBaseImages()
    expect(Object.keys(table)).toEqual([...BASE_IMAGE_NAMES])
    for (const [name, ref] of Object.entries(table)) expect(isDigestPinned(parseImageReference(ref)), name).toBe(true)
  })
})

describe('scaffold writes base images pinned by digest', () => {
  it('every FROM of every kind is digest-pinned, and verify --all reports no warning at all', async () => {
    const repo = await newRepo()
    for (const kind of KINDS) {
      const run = await runCli(['primitive', 'scaffold', '--kind', kind, '--name', `pin-${kind}`, '--json'], {
        cwd: repo,
      })
      expect(run.exitCode, run.stderr).toBe(0)
      for (const file of dockerfiles(kind)) {
        const text = await readFile(path.join(repo, 'primitives', kind, `pin-${kind}`, file.path), 'utf8')
        const images = fromImages(text).filter((i) => !/^[a-z]+$/.test(i)) // `FROM build` names a stage
        expect(images.length, file.path).toBeGreaterThan(0)
        for (const image of images) expect(Object.values(shippedBaseImages()), `${kind}: ${image}`).toContain(image)
      }
    }
    const verify = await runCli(['primitive', 'verify', '--all', '--json'], {cwd: repo})
    type Finding = {rule: string; severity: string; file: string}
    const result = verify.json<{primitives: {checks: {id: string; status: string; findings: Finding[]}[]}[]}>()
    expect(result.primitives).toHaveLength(KINDS.length)
    const checks = result.primitives.flatMap((p) => p.checks)
    const findings = checks.flatMap((c) => c.findings)
    expect(findings.filter((f) => f.rule === 'scaffold-marker').length).toBeGreaterThan(0) // the RED state
    // Nothing warns, and only the scaffold markers fail.
    expect(findings.filter((f) => f.severity === 'warning')).toEqual([])
    expect(checks.filter((c) => c.id === 'image-policy').every((c) => c.status === 'pass')).toBe(true)
    expect(findings.filter((f) => f.rule !== 'scaffold-marker')).toEqual([])
  })

  it('ameide.yaml scaffold.baseImages replaces an entry of the table', async () => {
    const repo = await newRepo()
    const golang = `registry.example.com/mirror/golang:1.25.0-bookworm@sha256:${'ab'.repeat(32)}`
    await writeFile(path.join(repo, 'ameide.yaml'), `version: 1\nscaffold:\n  baseImages:\n    golang: ${golang}\n`)
    const run = await runCli(['primitive', 'scaffold', '--kind', 'domain', '--name', 'orders', '--json'], {cwd: repo})
    expect(run.exitCode, run.stderr).toBe(0)
    const text = await readFile(path.join(repo, 'primitives/domain/orders/Dockerfile'), 'utf8')
    expect(fromImages(text)).toEqual([golang, shippedBaseImages().debian])
  })

  it.each([
    ['a tag without a digest', 'golang: golang:1.25.0-bookworm'],
    ['an unknown name', `rust: rust:1.90@sha256:${'cd'.repeat(32)}`],
  ])('an override with %s is exit 3 CONFIG_INVALID, and nothing is written', async (_what, entry) => {
    const repo = await newRepo()
    await writeFile(path.join(repo, 'ameide.yaml'), `version: 1\nscaffold:\n  baseImages:\n    ${entry}\n`)
    const run = await runCli(['primitive', 'scaffold', '--kind', 'domain', '--name', 'orders', '--json'], {cwd: repo})
    expect(run.exitCode).toBe(3)
    expect(run.json().error.code).toBe('CONFIG_INVALID')
    expect(run.json().error.message).toContain('scaffold.baseImages')
    await expect(readFile(path.join(repo, 'primitives/domain/orders/Dockerfile'))).rejects.toThrow()
  })
})
