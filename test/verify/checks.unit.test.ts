import {afterAll, describe, expect, it} from 'vitest'

import {runCleanups} from '../support/tmp.js'
import {primitiveWith, runCheck, where} from './helpers.js'

afterAll(runCleanups)

const D = 'primitives/domain/orders'
const GO_MOD = 'module github.com/ameideio/ameide/primitives/domain/orders\n\ngo 1.24\n'

describe('shape', () => {
  it('fails with one finding per missing required file, and passes when all exist', async () => {
    const repo = await primitiveWith('agent', 'triage', {'README.md': '# x\n', 'src/main.py': ''})
    const check = await runCheck(repo, 'agent', 'triage', 'shape')
    expect(check.status).toBe('fail')
    const missing = check.findings.map((f) => f.file)
    expect(missing).toContain('primitives/agent/triage/pyproject.toml')
    expect(missing).not.toContain('primitives/agent/triage/README.md')
    expect(check.findings.every((f) => f.rule === 'missing-file' && f.hint.includes('scaffold'))).toBe(true)
  })
})

describe('scaffold-markers', () => {
  it('reports every occurrence with its line and column, in any file', async () => {
    const repo = await primitiveWith('domain', 'orders', {
      'a_test.go': 'package a\n\nfunc T() { t.Fatalf("AMEIDE_SCAFFOLD: x AMEIDE_SCAFFOLD") }\n',
      'notes.md': 'AMEIDE_SCAFFOLD\n',
      'clean.go': 'package a\n',
    })
    const check = await runCheck(repo, 'domain', 'orders', 'scaffold-markers')
    expect(check.status).toBe('fail')
    expect(check.findings.map((f) => `${f.file}:${f.line}:${f.column}`)).toEqual([
      `${D}/a_test.go:3:22`,
      `${D}/a_test.go:3:41`,
      `${D}/notes.md:1:1`,
    ])
  })

  it('passes without markers', async () => {
    const repo = await primitiveWith('domain', 'orders', {'a.go': 'package a // AMEIDE_ SCAFFOLD split\n'})
    expect((await runCheck(repo, 'domain', 'orders', 'scaffold-markers')).status).toBe('pass')
  })
})

describe('tests', () => {
  it.each([
    ['domain', 'x/handlers_test.go', 'x/handlers.go'],
    ['agent', 'tests/test_agent.py', 'tests/agent_tests.py'],
    ['agent', 'src/agent_test.py', 'src/testing.py'],
    ['uisurface', 'tests/server.spec.ts', 'tests/server.test.js'],
  ] as const)('%s: %s counts, %s does not', async (kind, good, bad) => {
    const failing = await primitiveWith(kind, 'p', {[bad]: ''})
    const fail = await runCheck(failing, kind, 'p', 'tests')
    expect(fail.status).toBe('fail')
    expect(fail.findings[0].rule).toBe('no-tests')
    const passing = await primitiveWith(kind, 'p', {[good]: '', [bad]: ''})
    expect((await runCheck(passing, kind, 'p', 'tests')).status).toBe('pass')
  })

  it('a test file in another language does not count', async () => {
    const repo = await primitiveWith('domain', 'orders', {'tests/test_x.py': '', 'x.test.ts': ''})
    expect((await runCheck(repo, 'domain', 'orders', 'tests')).status).toBe('fail')
  })
})

describe('imports', () => {
  it('Go: forbidden and cross-primitive imports fail, aliased ones too; own module, tests, comments and strings do not', async () => {
    const repo = await primitiveWith('domain', 'orders', {
      'go.mod': GO_MOD,
      'internal/a/a.go': [
        'package a',
        '',
        '// import "buf.build/gen/go/in/comment"',
        'import (',
        '\tcorepb "github.com/ameideio/ameide/packages/ameide_core_proto/gen/go"',
        '\tother "github.com/ameideio/ameide/primitives/domain/billing/internal/x"',
        '\t"github.com/ameideio/ameide/primitives/domain/orders/internal/ports"',
        '\t"github.com/ameideio/ameide/primitives/domain/orders-extra/x"',
        '\t"github.com/ameideio/ameide-sdk-go/proto/orders"',
        ')',
        '',
        'var s = "buf.build/gen/go/in/string"',
      ].join('\n'),
      'internal/a/a_test.go': 'package a\n\nimport "buf.build/gen/go/tests/may"\n',
    })
    const check = await runCheck(repo, 'domain', 'orders', 'imports')
    expect(where(check, D)).toEqual([
      'sdk-only@internal/a/a.go:5',
      'cross-primitive@internal/a/a.go:6',
      'cross-primitive@internal/a/a.go:8',
    ])
    expect(check.findings[0].column).toBe(10)
  })

  it('Go: domain handlers must not import a broker; the dispatcher may', async () => {
    const broker =
      'package h\n\nimport (\n\twm "github.com/ThreeDotsLabs/watermill/message"\n\t"github.com/segmentio/kafka-go"\n)\n'
    const repo = await primitiveWith('domain', 'orders', {
      'go.mod': GO_MOD,
      'internal/handlers/handlers.go': broker,
      'internal/dispatcher/dispatcher.go': broker,
    })
    const check = await runCheck(repo, 'domain', 'orders', 'imports')
    expect(where(check, D)).toEqual([
      'handler-broker@internal/handlers/handlers.go:4',
      'handler-broker@internal/handlers/handlers.go:5',
    ])
  })

  it('TypeScript: core proto, @buf, SDK internals and other primitives fail; the SDK barrel and test files do not', async () => {
    const repo = await primitiveWith('uisurface', 'portal', {
      'src/a.ts': [
        "import {x} from '@ameide/core-proto'",
        "export * from '@buf/ameide_core.bufbuild_es'",
        "const o = require('../../../primitives/domain/orders/src/index.js')",
        "const p = await import('@ameideio/ameide-sdk-ts/src/_proto/x.js')",
        "// import '@ameide/core-proto'",
        'const s = "import \'@buf/in-string\'"',
        "export * from '@ameideio/ameide-sdk-ts/proto.js'",
      ].join('\n'),
      'tests/a.test.ts': "import {x} from '@ameide/core-proto'\n",
    })
    const check = await runCheck(repo, 'uisurface', 'portal', 'imports')
    expect(where(check, 'primitives/uisurface/portal')).toEqual([
      'sdk-only@src/a.ts:1',
      'sdk-only@src/a.ts:2',
      'cross-primitive@src/a.ts:3',
      'sdk-internal@src/a.ts:4',
    ])
  })

  it('TS/JS: generated code nested past any recursion is read, or, past the compiler’s own, an error finding', async () => {
    const chain = Array.from({length: 20_000}, () => '"a"').join(' + ') // 20,000 levels of binary expression
    const parens = `${'('.repeat(20_000)}1${')'.repeat(20_000)}` // deeper than the TypeScript parser recurses
    const repo = await primitiveWith('uisurface', 'portal', {
      'src/long.ts': `export const s = ${chain}\nimport x from '@buf/deep'\n`,
      'src/nested.ts': `import x from '@buf/nested'\nexport const y = ${parens}\n`,
      'src/plain.ts': 'export const n = (((1)))\n',
    })
    const check = await runCheck(repo, 'uisurface', 'portal', 'imports')
    expect(check.status).toBe('fail')
    expect(where(check, 'primitives/uisurface/portal')).toEqual([
      'sdk-only@src/long.ts:2',
      'unparsable@src/nested.ts:0',
    ])
  })

  it('TS/JS: export * [as ns] from is caught; JSX text, attributes, templates and regexes that read like imports are not', async () => {
    const page = [
      "import {useState} from 'react'",
      '',
      'export function Orders() {',
      '  const re = /require\\(["\']@buf\\/regex["\']\\)/',
      '  return (',
      '    <section title="import x from \'@ameide/core-proto\'">',
      '      <h1>import Order from "@buf/ameide_core.bufbuild_es"</h1>',
      "      <p>require('../../../primitives/domain/orders/src/index.js') is not how to reach orders</p>",
      '      <>// import "@buf/fallback"</>',
      '      {`export * from "@buf/template"`}',
      '    </section>',
      '  )',
      '}',
      "export * as proto from '@buf/ameide_core.bufbuild_es'",
      '',
    ].join('\n')
    const repo = await primitiveWith('uisurface', 'portal', {
      'src/orders.tsx': page,
      'src/legacy.jsx': page,
      'src/reexport.mts': "// generated code is forbidden:\nexport * from '@ameide/core-proto/v1'\n",
      'src/script.cjs': "'use strict'\nconst p = require(`@buf/x`)\n",
    })
    const check = await runCheck(repo, 'uisurface', 'portal', 'imports')
    expect(where(check, 'primitives/uisurface/portal')).toEqual([
      'sdk-only@src/legacy.jsx:14',
      'sdk-only@src/orders.tsx:14',
      'sdk-only@src/reexport.mts:2',
      'sdk-only@src/script.cjs:2',
    ])
    expect(check.findings.find((f) => f.file.endsWith('orders.tsx'))?.column).toBe(25)
    expect(check.note).toMatch(/4 TS\/JS file\(s\) naming a forbidden path parsed/)
  })

  it('Python: multi-line and continued imports of core proto or other primitives fail; strings and comments do not', async () => {
    const repo = await primitiveWith('agent', 'triage', {
      'src/agent.py': [
        '"""from primitives.domain.orders import handlers"""',
        'from primitives.domain.orders import (',
        '    handlers,',
        ')',
        'import ameide_core_proto.orders.v1 \\',
        '    as orders',
        'from ameide_sdk._proto import internal',
        '# import ameide_core_proto',
        'from ameide_sdk import client',
      ].join('\n'),
      'tests/test_agent.py': 'import ameide_core_proto\n',
    })
    const check = await runCheck(repo, 'agent', 'triage', 'imports')
    expect(where(check, 'primitives/agent/triage')).toEqual([
      'cross-primitive@src/agent.py:2',
      'sdk-only@src/agent.py:5',
      'sdk-internal@src/agent.py:7',
    ])
  })

  it('passes a clean primitive', async () => {
    const repo = await primitiveWith('domain', 'orders', {
      'go.mod': GO_MOD,
      'cmd/main.go': 'package main\n\nimport "fmt"\n',
    })
    expect((await runCheck(repo, 'domain', 'orders', 'imports')).status).toBe('pass')
  })
})

describe('secrets', () => {
  // Built at run time so this test file itself holds no secret-shaped literal.
  const ghp = 'ghp_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8'
  const aws = 'AKIA' + 'Q7ZK3M9XW2PLR5TB'
  const google = 'AIza' + 'SyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q'
  const slack = 'xoxb-' + '283746501923-Xw937qtWSXJss1lFaKe'
  const jwt = 'eyJhbGciOiJIUzI1NiJ9' + '.eyJzdWIiOiIxMjM0NTY3ODkwIn0' + '.c2lnbmF0dXJlc2lnbmF0dXJl'
  const key = '-----BEGIN ' + 'RSA PRIVATE KEY-----'
  const keyBlock = [
    key,
    'MIIEpAIBAAKCAQEAn6O8li+SX4m98LLYt/PKSzEmQ++ZBD7Loh9P13f4yQ92EF3y',
    'xR5MsXFu9PRsrYQA7/4UTPHiC4y2sAVCBg4C2yyBpUa9EfvnFNBVCxBt1SaGkQWz',
    '-----END ' + 'RSA PRIVATE KEY-----',
  ].join('\n')
  const pat = 'github_pat_' + '11BQZ7WJY0kT3mX9pL2vR8_nH4cD6fG1jK5sA7wE9rT3yU8iO2pL4kJ6hG8fD1sA3zX5cV7bN9mQ2wE4rT6yU8i'

  it('finds each kind of secret, shows only a redacted form, and honours a suppression with a reason', async () => {
    const repo = await primitiveWith('domain', 'orders', {
      'config.go': [
        `var a = "${ghp}"`,
        `var b = "${aws}"`,
        `google: ${google}`,
        `slack = '${slack}'`,
        `auth := "${jwt}"`,
        keyBlock,
        `pat = "${pat}"`,
        'dbPassword := "Zx9!qT4#mLp2$wRv"',
        `var c = "${ghp}" // ameide:allow-secret(documented test fixture, revoked)`,
        `var d = "${ghp}" // ameide:allow-secret()`,
      ].join('\n'),
    })
    const check = await runCheck(repo, 'domain', 'orders', 'secrets')
    expect(check.status).toBe('fail')
    expect(where(check, D)).toEqual([
      'github-pat@config.go:1',
      'aws-access-key-id@config.go:2',
      'google-api-key@config.go:3',
      'slack-token@config.go:4',
      'jwt@config.go:5',
      'private-key@config.go:6',
      'github-fine-grained-pat@config.go:10',
      'generic-secret@config.go:11',
      'github-pat@config.go:13',
    ])
    const text = JSON.stringify(check)
    for (const secret of [ghp, aws, google, slack, jwt, pat, 'Zx9!qT4#mLp2$wRv', keyBlock.split('\n')[1]])
      expect(text).not.toContain(secret)
    expect(text).toContain('-----BEGIN RSA PRIVATE KEY-----…(')
    expect(check.findings[0].message).toContain('ghp_…(40 chars)')
    expect(check.findings.at(-1)!.hint).toContain('no reason')
    expect(check.note).toContain('1 finding(s) suppressed')
  })

  it('does not match secrets split across lines, placeholders, env lookups or low-entropy values', async () => {
    const repo = await primitiveWith('domain', 'orders', {
      'config.go': [
        `var a = "${ghp.slice(0, 20)}" +`,
        `\t"${ghp.slice(20)}"`,
        `var k = "${key.slice(0, 15)}" + "${key.slice(15)}"`,
        'password := os.Getenv("DB_PASSWORD")',
        'token: ${TOKEN}',
        'api_key = "<your-api-key-here>"',
        'secretName := "orders-v1-credentials"',
        'tokenURL := "https://oauth2.example.com/token"',
        'password = "changeme-changeme"',
        key, // a header without a key body
        `token := "${'x'.repeat(40)}"`,
        `example := "${'AKIA' + 'IOSFODNN7EXAMPLE'}"`,
      ].join('\n'),
    })
    const check = await runCheck(repo, 'domain', 'orders', 'secrets')
    expect(check.findings).toEqual([])
    expect(check.status).toBe('pass')
  })
})
