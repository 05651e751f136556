import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, describe, expect, it} from 'vitest'

import {commitAll, git, initGitRepo, makeTempDir, runCleanups} from '../support/tmp.js'
import {runCheck, where, writeFiles} from './helpers.js'

/**
 * buf-lint and buf-breaking with the buf the project ships (@bufbuild/buf), on real git repositories: real lint
 * failures, and real breaking changes (a removed field, a changed type, a renamed RPC) against publish's base.
 */
afterAll(runCleanups)

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const ENV_PATH = `${path.join(ROOT, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH}`
const P = 'primitives/domain/orders'
const BUF_YAML = 'version: v2\nlint:\n  use:\n    - STANDARD\nbreaking:\n  use:\n    - FILE\n'
const PROTO = (body: string) => `syntax = "proto3";

package ameide.orders.v1;

service OrdersService {
${body}
}
`
const BASE_PROTO = `${PROTO(`  rpc PlaceOrder(PlaceOrderRequest) returns (PlaceOrderResponse);
  rpc CancelOrder(CancelOrderRequest) returns (CancelOrderResponse);`)}
message PlaceOrderRequest {
  string order_id = 1;
  int64 amount_cents = 2;
}
message PlaceOrderResponse {}
message CancelOrderRequest {}
message CancelOrderResponse {}
`
// A removed field (order_id), a changed type (amount_cents int64 → string), a renamed RPC (CancelOrder → VoidOrder).
const HEAD_PROTO = `${PROTO(`  rpc PlaceOrder(PlaceOrderRequest) returns (PlaceOrderResponse);
  rpc VoidOrder(CancelOrderRequest) returns (CancelOrderResponse);`)}
message PlaceOrderRequest {
  string amount_cents = 2;
}
message PlaceOrderResponse {}
message CancelOrderRequest {}
message CancelOrderResponse {}
`

async function repoWith(protoAtBase: string | null, protoAtHead: string): Promise<string> {
  const repo = await makeTempDir('ameide-buf-')
  await initGitRepo(repo)
  await writeFiles(repo, {'README.md': '# x\n'})
  if (protoAtBase !== null) {
    await writeFiles(path.join(repo, P), {
      'proto/buf.yaml': BUF_YAML,
      'proto/ameide/orders/v1/orders.proto': protoAtBase,
    })
  }
  await commitAll(repo, 'base')
  await git(repo, ['checkout', '-q', '-b', 'feature'])
  await writeFiles(path.join(repo, P), {'proto/buf.yaml': BUF_YAML, 'proto/ameide/orders/v1/orders.proto': protoAtHead})
  await commitAll(repo, 'change')
  return repo
}

describe('buf-lint and buf-breaking', () => {
  it('buf-breaking reports the removed field, the changed type and the renamed RPC against the merge-base with main', async () => {
    const repo = await repoWith(BASE_PROTO, HEAD_PROTO)
    const check = await runCheck(repo, 'domain', 'orders', 'buf-breaking', ENV_PATH)
    expect(check.status).toBe('fail')
    expect(check.note).toMatch(/merge-base with main/)
    const types = check.findings.map((f) => f.message.split(':')[0]).sort()
    expect(types).toEqual(expect.arrayContaining(['FIELD_NO_DELETE', 'FIELD_SAME_TYPE', 'RPC_NO_DELETE']))
    for (const f of check.findings) expect(f.file).toBe(`${P}/proto/ameide/orders/v1/orders.proto`)
    expect(where(check, P).some((w) => /orders\.proto:1[0-9]$/.test(w))).toBe(true)
  }, 120_000)

  it('buf-lint reports real lint failures with file, line and column; a clean module passes', async () => {
    const bad = await repoWith(null, `${BASE_PROTO}message badName { string OrderID = 1; }\n`)
    const lint = await runCheck(bad, 'domain', 'orders', 'buf-lint', ENV_PATH)
    expect(lint.status).toBe('fail')
    const messages = lint.findings.map((f) => f.message.split(':')[0])
    expect(messages).toEqual(expect.arrayContaining(['MESSAGE_PASCAL_CASE', 'FIELD_LOWER_SNAKE_CASE']))
    expect(lint.findings.every((f) => f.line > 0 && f.file.endsWith('orders.proto'))).toBe(true)
    const good = await repoWith(null, BASE_PROTO)
    expect((await runCheck(good, 'domain', 'orders', 'buf-lint', ENV_PATH)).status).toBe('pass')
  }, 120_000)

  it('skips with the reason: a module new since the base, a root commit, a primitive without a module', async () => {
    const fresh = await repoWith(null, BASE_PROTO)
    const newModule = await runCheck(fresh, 'domain', 'orders', 'buf-breaking', ENV_PATH)
    expect(newModule).toMatchObject({status: 'skip', note: expect.stringMatching(/new since/)})

    const root = await makeTempDir('ameide-buf-root-')
    await initGitRepo(root)
    await writeFiles(path.join(root, P), {
      'proto/buf.yaml': BUF_YAML,
      'proto/ameide/orders/v1/orders.proto': BASE_PROTO,
    })
    await commitAll(root, 'only commit')
    const rootCheck = await runCheck(root, 'domain', 'orders', 'buf-breaking', ENV_PATH)
    expect(rootCheck).toMatchObject({status: 'skip', note: expect.stringMatching(/no base to compare with/)})

    const none = await makeTempDir('ameide-buf-none-')
    await writeFiles(path.join(none, P), {'README.md': '# x\n'})
    expect(await runCheck(none, 'domain', 'orders', 'buf-lint')).toMatchObject({status: 'skip'})
  }, 120_000)
})
