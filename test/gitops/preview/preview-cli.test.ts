import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {runCli} from '../../support/cli.js'
import {assertValidSarif} from '../../support/sarif.js'
import {assertMatchesSchema} from '../../support/schema.js'
import {commitAll, git, initGitRepo, makeTempDir, runCleanups, writeFiles} from '../../support/tmp.js'

afterAll(runCleanups)

type Result = {
  summary: string
  findings: Array<{rule: string; severity: string; file: string; line: number; column: number; message: string}>
  counts: Record<string, number>
}

const EXAMPLE = await readFile(path.resolve('docs/examples/gitops/preview-applicationset.yaml'), 'utf8')
const CANARY = 'ghp_previewCanary0123456789abcdefABCDEF01'

/** A GitOps checkout with these files; `origin` is the example's repository, written with a credential in it. */
async function checkout(files: Record<string, string>, origin = true): Promise<string> {
  const dir = await makeTempDir('ameide-preview-')
  await initGitRepo(dir)
  if (origin)
    await git(dir, [
      'remote',
      'add',
      'origin',
      `https://x-access-token:${CANARY}@github.com/ameideio/ameide-gitops.git`,
    ])
  await writeFiles(dir, files)
  await commitAll(dir, 'preview')
  return dir
}

const at = (r: Result) => r.findings.map((f) => `${f.file}:${f.line}:${f.column} ${f.rule} ${f.severity}`)

describe('ameide gitops verify: preview ApplicationSets', () => {
  it('the example passes in argocd/, with the repository taken from origin (whose credential never shows)', async () => {
    const dir = await checkout({'argocd/previews.yaml': EXAMPLE})
    const run = await runCli(['gitops', 'verify', '--json'], {cwd: dir})
    expect(run.exitCode, run.stdout + run.stderr).toBe(0)
    const result = run.json<Result>()
    assertMatchesSchema('gitops-verify.schema.json', result)
    expect(result.findings).toEqual([])
  })

  it('without origin and gitopsPolicy.preview.repositories, the source cannot be proven: a finding', async () => {
    const dir = await checkout({'argocd/previews.yaml': EXAMPLE}, false)
    const run = await runCli(['gitops', 'verify', '--json'], {cwd: dir})
    expect(run.exitCode).toBe(1)
    expect(at(run.json<Result>())).toEqual(['argocd/previews.yaml:42:18 preview-pr-input error'])
  })

  it('a foreign repository names only the allowed ones, never the credential of origin', async () => {
    const foreign = EXAMPLE.replace(
      'repoURL: https://github.com/ameideio/ameide-gitops.git',
      'repoURL: https://github.com/someone/fork.git',
    )
    const dir = await checkout({'argocd/previews.yaml': foreign})
    const run = await runCli(['gitops', 'verify'], {cwd: dir, env: {NO_COLOR: '1'}})
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toContain('https://github.com/ameideio/ameide-gitops.git')
    expect(run.stdout + run.stderr).not.toContain(CANARY)
  })

  it('a warning alone passes (exit 0); in SARIF it is level warning; embedded ApplicationSets at the outer line', async () => {
    const polling = EXAMPLE.replace('requeueAfterSeconds: 300', 'requeueAfterSeconds: 1800')
    const embedded =
      'extraObjects:\n  manifests: |-\n' +
      EXAMPLE.replace('project: previews', 'project: default')
        .split('\n')
        .map((l) => (l === '' ? '' : `    ${l}`))
        .join('\n')
    const dir = await checkout({'argocd/previews.yaml': polling, 'sources/values/_shared/apps/previews.yaml': embedded})
    const onlyWarning = await runCli(['gitops', 'verify', '--json', '--rule', 'preview-refresh'], {cwd: dir})
    expect(onlyWarning.exitCode).toBe(0)
    expect(onlyWarning.json<Result>().summary).toBe('pass')

    const sarifFile = path.join(dir, '..', `${path.basename(dir)}.sarif`)
    const run = await runCli(['gitops', 'verify', '--json', '--sarif', sarifFile], {cwd: dir})
    expect(run.exitCode).toBe(1)
    const result = run.json<Result>()
    assertMatchesSchema('gitops-verify.schema.json', result)
    expect(at(result)).toEqual([
      'argocd/previews.yaml:28:30 preview-refresh warning',
      // Line 39 of the example is line 41 of the values file (two lines above the block), four columns right.
      'sources/values/_shared/apps/previews.yaml:41:20 preview-project error',
    ])
    const sarif: unknown = JSON.parse(await readFile(sarifFile, 'utf8'))
    assertValidSarif(sarif)
    const [only] = sarif.runs
    const levels = (only.results ?? []).map((r) => `${r.ruleId} ${r.level}`)
    expect(levels).toEqual(['preview-refresh warning', 'preview-project error'])
    const rule = only.tool.driver.rules?.find((r) => r.id === 'preview-refresh')
    expect(rule?.defaultConfiguration?.level).toBe('warning')
    expect(rule?.helpUri).toContain('gitops-verify.md#rule-preview-refresh')
  })

  it('gitopsPolicy.preview in ameide.yaml: projects and webhook', async () => {
    const polling = EXAMPLE.replace('        requeueAfterSeconds: 300\n', '')
    const config = 'gitopsPolicy:\n  preview:\n    projects: [other]\n    webhook: true\n'
    const dir = await checkout({'argocd/previews.yaml': polling, 'ameide.yaml': config})
    const run = await runCli(['gitops', 'verify', '--json'], {cwd: dir})
    expect(at(run.json<Result>())).toEqual(['argocd/previews.yaml:38:16 preview-project error'])
  })
})
