import {expect} from 'vitest'

import {mkdir, writeFile} from 'node:fs/promises'
import path from 'node:path'

import type {Kind} from '../../src/primitives/kinds.js'
import type {CheckId, CheckResult} from '../../src/verify/types.js'
import {verifyPrimitives} from '../../src/verify/verify.js'
import {runCli} from '../support/cli.js'
import {initGitRepo, makeTempDir} from '../support/tmp.js'

/** Writes files (path → content) under `dir`, creating folders. */
export async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    const target = path.join(dir, rel)
    await mkdir(path.dirname(target), {recursive: true})
    await writeFile(target, content)
  }
}

/** A temp git repository with these primitives scaffolded by the CLI (`[kind, name]` pairs). */
export async function scaffoldedRepo(prefix: string, primitives: Array<[Kind, string]>): Promise<string> {
  const repo = await makeTempDir(prefix)
  await initGitRepo(repo)
  for (const [kind, name] of primitives) {
    const run = await runCli(['primitive', 'scaffold', '--kind', kind, '--name', name, '--json'], {cwd: repo})
    expect(run.exitCode, run.stderr).toBe(0)
  }
  return repo
}

/** A temp repository holding one primitive with exactly these files. */
export async function primitiveWith(kind: Kind, name: string, files: Record<string, string>): Promise<string> {
  const repo = await makeTempDir('ameide-verify-')
  await writeFiles(path.join(repo, 'primitives', kind, name), files)
  return repo
}

/** Runs one check of the real verify core on a primitive and returns its result. */
export async function runCheck(
  repo: string,
  kind: Kind,
  name: string,
  id: CheckId,
  envPath?: string,
): Promise<CheckResult> {
  const result = await verifyPrimitives({repoRoot: repo, selection: {mode: 'one', kind, name}, checks: [id], envPath})
  const check = result.primitives[0].checks[0]
  expect(check.id).toBe(id)
  return check
}

/** Findings as compact `rule@file:line` strings (file relative to the primitive). */
export function where(check: CheckResult, primitivePath: string): string[] {
  return check.findings.map((f) => `${f.rule}@${f.file.replace(`${primitivePath}/`, '')}:${f.line}`)
}
