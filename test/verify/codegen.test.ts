import {execa} from 'execa'
import {appendFile, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli} from '../support/cli.js'
import {runCleanups} from '../support/tmp.js'
import {primitiveWith, runCheck, where, writeFiles} from './helpers.js'

afterAll(runCleanups)

/** npm @bufbuild/buf and @bufbuild/protoc-gen-es, installed as devDependencies. */
const BIN = fileURLToPath(new URL('../../node_modules/.bin', import.meta.url))
const WITH_BUF = `${BIN}${path.delimiter}${process.env.PATH}`
const WITHOUT_BUF = '/usr/bin:/bin'

const P = 'primitives/uisurface/portal'
const TEMPLATE = 'packages/ameide_core_proto/buf.gen.uisurface-portal.local.yaml'

async function repoWithGeneratedCode(): Promise<string> {
  const repo = await primitiveWith('uisurface', 'portal', {'src/server/server.ts': 'export {}\n'})
  await writeFiles(repo, {
    'packages/ameide_core_proto/buf.yaml': 'version: v2\n',
    'packages/ameide_core_proto/ameide/orders/v1/orders.proto': [
      'syntax = "proto3";',
      'package ameide.orders.v1;',
      'message PlaceOrderRequest { string order_id = 1; }',
      '',
    ].join('\n'),
    [TEMPLATE]: [
      'version: v2',
      'plugins:',
      '  - local: protoc-gen-es',
      `    out: ../../${P}/internal/gen`,
      '    opt: target=ts',
      '',
    ].join('\n'),
  })
  // Commit-equivalent: what `buf generate` writes is the committed generated code.
  await execa(path.join(BIN, 'buf'), ['generate', '.', '--template', path.basename(TEMPLATE)], {
    cwd: path.join(repo, 'packages/ameide_core_proto'),
    env: {PATH: WITH_BUF},
  })
  return repo
}

describe('codegen', () => {
  let repo: string
  beforeAll(async () => {
    repo = await repoWithGeneratedCode()
  })

  it('passes when the committed generated code matches a fresh buf generate', async () => {
    const check = await runCheck(repo, 'uisurface', 'portal', 'codegen', WITH_BUF)
    expect(check.findings).toEqual([])
    expect(check.status).toBe('pass')
    expect(check.note).toContain(TEMPLATE)
  })

  it('fails on drift, listing each changed, missing or stale file', async () => {
    const drifted = await repoWithGeneratedCode()
    const generated = `${P}/internal/gen/ameide/orders/v1/orders_pb.ts`
    await appendFile(path.join(drifted, generated), '\n// hand edit\n')
    await writeFile(path.join(drifted, P, 'internal/gen/stale_pb.ts'), 'export {}\n')
    const check = await runCheck(drifted, 'uisurface', 'portal', 'codegen', WITH_BUF)
    expect(check.status).toBe('fail')
    expect(where(check, P)).toEqual([
      'codegen-drift@internal/gen/ameide/orders/v1/orders_pb.ts:0',
      'codegen-drift@internal/gen/stale_pb.ts:0',
    ])
    expect(check.findings[0].message).toContain('differs')
    expect(check.findings[1].message).toContain('stale')
    expect(check.findings[0].hint).toContain('buf generate --template buf.gen.uisurface-portal.local.yaml')
  })

  it('fails (not skips) with the install hint when buf is missing, and the CLI exits 3', async () => {
    const check = await runCheck(repo, 'uisurface', 'portal', 'codegen', WITHOUT_BUF)
    expect(check.status).toBe('fail')
    expect(check.findings.map((f) => f.rule)).toEqual(['tool-missing'])
    expect(check.findings[0].hint).toContain('@bufbuild/buf')
    const run = await runCli(
      [
        'primitive',
        'verify',
        '--kind',
        'uisurface',
        '--name',
        'portal',
        '--check',
        'codegen',
        '--repo-root',
        repo,
        '--json',
      ],
      {
        env: {PATH: WITHOUT_BUF},
      },
    )
    expect(run.exitCode).toBe(3)
    expect(run.json().summary).toBe('fail')
  })

  it('fails a buf.gen*.yaml whose out is "." or outside the generated roots', async () => {
    const bad = await primitiveWith('domain', 'orders', {
      'buf.gen.yaml':
        'version: v2\nplugins:\n  - local: protoc-gen-go\n    out: .\n  - local: protoc-gen-es\n    out: src/gen\n  - local: protoc-gen-x\n    out: internal/gen\n',
    })
    const check = await runCheck(bad, 'domain', 'orders', 'codegen', WITH_BUF)
    expect(where(check, 'primitives/domain/orders')).toEqual([
      'codegen-out-path@buf.gen.yaml:4',
      'codegen-out-path@buf.gen.yaml:6',
    ])
  })

  it('fails generated code that no template regenerates, and skips a primitive without generated code', async () => {
    const orphan = await primitiveWith('domain', 'orders', {'internal/gen/x.go': 'package gen\n'})
    const check = await runCheck(orphan, 'domain', 'orders', 'codegen', WITH_BUF)
    expect(check.findings.map((f) => f.rule)).toEqual(['codegen-no-template'])
    const none = await primitiveWith('domain', 'orders', {'cmd/main.go': 'package main\n'})
    const skipped = await runCheck(none, 'domain', 'orders', 'codegen', WITHOUT_BUF)
    expect(skipped.status).toBe('skip')
    expect(skipped.note).toContain('no generated code')
  })
})
