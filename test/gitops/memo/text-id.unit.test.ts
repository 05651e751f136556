/**
 * A revision's texts known without reading them (makeContext's textId, what the kept steps record for a text read):
 * a regular file's git blob id; `absent` for a plain path holding no file, only when every regular file's blob id is
 * known; nothing for a path through a link, a path spelled otherwise, or a revision whose blob ids are not all known.
 */
import * as yaml from 'yaml'
import {describe, expect, it} from 'vitest'

import {DEFAULT_GITOPS_POLICY} from '../../../src/core/config.js'
import {makeLayout} from '../../../src/gitops/layout/index.js'
import {makeContext, treeContext, type CheckoutIdentity} from '../../../src/gitops/model/context.js'
import type {MappedSource} from '../../../src/gitops/revision/source-repos.js'

const A = 'a'.repeat(40)
const context = (checkout: Partial<CheckoutIdentity>) =>
  makeContext('/nowhere', ['apps/web.yaml'], makeLayout(DEFAULT_GITOPS_POLICY), yaml, {
    trackedFiles: ['apps/web.yaml', 'linked'],
    repositories: [],
    links: new Map([['linked', 'apps']]),
    ...checkout,
  })

describe("a revision's texts known by their blob ids", () => {
  it('a regular file: its blob id; a plain path holding none: absent; through a link or spelled otherwise: unknown', () => {
    const ctx = context({blobIds: new Map([['apps/web.yaml', A]])})
    expect(ctx.textId?.('apps/web.yaml')).toBe(A)
    expect(ctx.textId?.('apps/other.yaml')).toBe('absent')
    expect(ctx.textId?.('apps')).toBe('absent')
    for (const p of [
      'linked',
      'linked/web.yaml',
      './apps/web.yaml',
      'apps//web.yaml',
      'apps/../apps/web.yaml',
      '/etc/x',
    ])
      expect(ctx.textId?.(p), p).toBeUndefined()
  })

  it('not every regular file known by its blob id: no path is said to hold nothing', () => {
    const ctx = context({
      blobIds: new Map([['apps/web.yaml', A]]),
      trackedFiles: ['apps/web.yaml', 'apps/x.yaml', 'linked'],
    })
    expect(ctx.textId?.('apps/web.yaml')).toBe(A)
    expect(ctx.textId?.('apps/other.yaml')).toBeUndefined()
  })

  it("another tree read through the revision's context (a pin, a mapped repository): none of its texts known so", () => {
    const ctx = context({blobIds: new Map([['apps/web.yaml', A]])})
    const tree = {dir: '/elsewhere', files: new Set(['apps/web.yaml']), confined: (p: string) => p}
    expect(treeContext(ctx, tree as unknown as MappedSource).textId).toBeUndefined()
  })

  it('the working tree (no blob ids): nothing known, every text read', () => {
    expect(context({}).textId).toBeUndefined()
  })
})
