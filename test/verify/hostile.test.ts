// primitive verify on hostile files inside a primitive, through the built CLI: a finding, a listed binary file or a
// clear error with the contract's exit code; never INTERNAL_ERROR, never a hang. docs/reliability.md points here.
import {execa} from 'execa'
import {randomBytes} from 'node:crypto'
import {chmod, mkdir, symlink, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {CLI, runCli} from '../support/cli.js'
import {assertMatchesSchema} from '../support/schema.js'
import {runCleanups} from '../support/tmp.js'
import {scaffoldedRepo} from './helpers.js'

const P = 'primitives/domain/orders'
const CHECKS = ['--check', 'image-policy', '--check', 'secrets']
let repo: string

beforeAll(async () => {
  repo = await scaffoldedRepo('ameide-verify-hostile-', [['domain', 'orders']])
  const bomb = ['a0: &a0 ["x","x","x","x","x","x","x","x","x"]']
  for (let i = 1; i < 10; i++)
    bomb.push(
      `a${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(',')}]`,
    )
  const files: Record<string, string | Buffer> = {
    'deploy/bomb.yaml': `${bomb.join('\n')}\nimage: nginx:latest\n`,
    'deploy/deep.yaml': `image: nginx:latest\nx: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`,
    'deploy/random.yaml': Buffer.concat([Buffer.from('image: ['), randomBytes(4096).filter((b) => b !== 0)]),
    'deploy/nul.yaml': Buffer.from('image: nginx:latest\u0000\n'),
    'deploy/bom.yaml': Buffer.from('\ufeffimage: nginx:latest\n'),
    'deploy/crlf.yaml': 'a: 1\r\nimage: nginx:latest\r\n',
    'deploy/long-line.yaml': `image: "${'a'.repeat(3 * 1024 * 1024)}"\n`,
    'deploy/dir.yaml/inner.yaml': 'image: nginx:latest\n',
  }
  for (const [rel, bytes] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(repo, P, rel)), {recursive: true})
    await writeFile(path.join(repo, P, rel), bytes)
  }
  await execa('mkfifo', [path.join(repo, P, 'deploy/fifo.yaml')])
  await symlink('loop-b.yaml', path.join(repo, P, 'deploy/loop-a.yaml'))
  await symlink('loop-a.yaml', path.join(repo, P, 'deploy/loop-b.yaml'))
})
afterAll(runCleanups)

const verify = (args: string[] = []) =>
  runCli(['primitive', 'verify', '--kind', 'domain', '--name', 'orders', '--json', ...CHECKS, ...args], {
    cwd: repo,
    timeoutMs: 60_000,
  })

describe('primitive verify on hostile files', () => {
  it('ends with findings (exit 1), lists the binary file, never INTERNAL_ERROR or a hang', async () => {
    const run = await verify()
    expect(run.exitCode, run.stderr).toBe(1)
    const doc = run.json()
    assertMatchesSchema('verify.schema.json', doc)
    const check = (id: string) => doc.primitives[0].checks.find((c: {id: string}) => c.id === id)
    const [policy, secrets] = [check('image-policy'), check('secrets')]
    const at = (f: {file: string; line: number; rule: string}) => `${f.file.replace(`${P}/`, '')}:${f.line} ${f.rule}`
    const found = policy.findings.map(at)
    // The alias bomb and the deep nesting do not parse: the tolerant scanner still reads their lines.
    for (const f of ['bomb.yaml:11', 'deep.yaml:1', 'bom.yaml:1', 'crlf.yaml:2', 'dir.yaml/inner.yaml:1']) {
      expect(found).toContain(`deploy/${f} floating-tag`)
    }
    // A NUL in the first 8 KiB makes a file binary: listed as not read by the secrets check.
    expect(secrets.skippedFiles).toEqual([
      {file: `${P}/deploy/nul.yaml`, reason: 'binary (a NUL byte in the first 8 KiB)'},
    ])
    expect(run.stdout).not.toContain('INTERNAL_ERROR')
  })

  it('a file the user may not read is exit 3 PERMISSION_DENIED naming the file (run as an unprivileged user)', async () => {
    const secret = path.join(repo, P, 'deploy/secret.yaml')
    await writeFile(secret, 'image: nginx:latest\n')
    // The repository readable by the unprivileged user (its folder under the temporary root, which is world-traversable):
    // never the whole temporary root, which holds other tests' trees (a container engine's network namespaces).
    await execa('chmod', ['a+x', path.dirname(repo)])
    await execa('chmod', ['-R', 'a+rX', repo])
    await chmod(secret, 0o000)
    const cmd = process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : []
    const args = [...cmd, process.execPath, CLI, 'primitive', 'verify', '--repo-root', repo, '--kind', 'domain']
    args.push('--name', 'orders', '--json', ...CHECKS)
    const run = await execa(args[0], args.slice(1), {reject: false, env: {HOME: repo, CI: 'true'}, timeout: 60_000})
    await chmod(secret, 0o644)
    expect(run.exitCode, run.stderr).toBe(3)
    const doc = JSON.parse(run.stdout)
    assertMatchesSchema('error.schema.json', doc)
    expect(doc.error.code).toBe('PERMISSION_DENIED')
    expect(doc.error.message).toContain('deploy/secret.yaml')
  })
})
