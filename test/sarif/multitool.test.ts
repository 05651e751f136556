import {execa} from 'execa'
import {mkdir, readFile, writeFile} from 'node:fs/promises'
import {createRequire} from 'node:module'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import type {Log} from 'sarif'

import {ruleName} from '../../src/sarif/sarif.js'
import {runCli} from '../support/cli.js'
import {gitopsRepo} from '../support/gitops-fixture.js'
import {commitAll, initGitRepo, makeTempDir, runCleanups} from '../support/tmp.js'

/**
 * Issue 26 §7: Microsoft's SARIF Multitool (its npm package, a devDependency), with the SARIF and GitHub rule kinds
 * code scanning applies, reports no error and no warning on either command's SARIF. It is a second validator nobody
 * on the project wrote; notes (style advice such as message ids) are not asked for.
 */
afterAll(runCleanups)

const MULTITOOL = createRequire(import.meta.url)('@microsoft/sarif-multitool') as string

/** The Multitool's errors and warnings on `file`, as `ruleId: message` lines. */
async function multitool(file: string): Promise<string[]> {
  const out = path.join(path.dirname(file), `${path.basename(file)}.validation.sarif`)
  const run = await execa(
    MULTITOOL,
    ['validate', '--rule-kind', 'Sarif;Gh', '--level', 'Error;Warning', '-o', out, file],
    {
      reject: false,
      env: {DOTNET_CLI_TELEMETRY_OPTOUT: '1'},
    },
  )
  expect(run.exitCode, String(run.stdout)).toBe(0)
  const log = JSON.parse(await readFile(out, 'utf8')) as Log
  return (log.runs[0].results ?? []).map(
    (r) => `${r.ruleId}: ${r.message.text ?? r.message.id} ${JSON.stringify(r.message.arguments ?? [])}`,
  )
}

describe('SARIF Multitool (Sarif;Gh rules)', () => {
  it('primitive verify --sarif: 0 errors, 0 warnings', async () => {
    const repo = await makeTempDir('ameide-multitool-')
    await initGitRepo(repo)
    const dir = path.join(repo, 'primitives/domain/orders')
    await mkdir(dir, {recursive: true})
    await writeFile(path.join(dir, 'Dockerfile'), 'FROM golang:1.22 AS build\nFROM alpine:latest\n')
    await writeFile(path.join(dir, 'main.go'), 'package main\n\n// AMEIDE_SCAFFOLD: implement\nfunc main() {}\n')
    await commitAll(repo, 'primitive')
    const run = await runCli(['primitive', 'verify', '--all', '--sarif', 'verify.sarif'], {cwd: repo})
    expect(run.exitCode).toBe(1)
    const log = JSON.parse(await readFile(path.join(repo, 'verify.sarif'), 'utf8')) as Log
    expect(log.runs[0].results!.length).toBeGreaterThan(3)
    expect(await multitool(path.join(repo, 'verify.sarif'))).toEqual([])
  })

  it('gitops verify --sarif: 0 errors, 0 warnings', async () => {
    const repo = await gitopsRepo()
    const run = await runCli(['gitops', 'verify', '--sarif', 'gitops.sarif'], {cwd: repo})
    expect(run.exitCode).toBe(1)
    const log = JSON.parse(await readFile(path.join(repo, 'gitops.sarif'), 'utf8')) as Log
    expect(log.runs[0].results!.length).toBeGreaterThan(3)
    for (const rule of log.runs[0].tool.driver.rules!) expect(rule.name).toBe(ruleName(rule.id))
    expect(await multitool(path.join(repo, 'gitops.sarif'))).toEqual([])
  })

  it('is not blind: a rule whose name equals its id draws SARIF1001', async () => {
    const repo = await makeTempDir('ameide-multitool-')
    const file = path.join(repo, 'bad.sarif')
    const log: Log = {
      version: '2.1.0',
      runs: [
        {
          tool: {
            driver: {
              name: 'x',
              informationUri: 'https://example.com',
              rules: [{id: 'a-b', name: 'a-b', helpUri: 'https://example.com'}],
            },
          },
          results: [],
        },
      ],
    }
    await writeFile(file, JSON.stringify(log))
    expect((await multitool(file)).map((l) => l.split(':')[0])).toContain('SARIF1001')
  })
})

describe('rule names', () => {
  it('are the id in PascalCase', () => {
    expect(ruleName('secrets/github-pat')).toBe('SecretsGithubPat')
    expect(ruleName('image-not-pinned')).toBe('ImageNotPinned')
  })
})
