/**
 * A render request's trees (src/effects/render-module/requests.ts `askThread`): what cannot be sent is this process's
 * failure, never a render's answer a cache may keep; a tree past the limits is what the inputs are.
 */
import {describe, expect, it, vi} from 'vitest'

import {mount, MemoryTree, unmount} from '../../../src/core/memory-fs/index.js'
import {askThread} from '../../../src/effects/render-module/requests.js'
import {SNAPSHOT_LIMITS} from '../../../src/effects/render-module/tree.js'
import {rememberable} from '../../../src/effects/kustomize.js'

const LIMITS = {cpuMs: 1000, memoryBytes: 1 << 20, outputBytes: 1 << 20, objects: 10, wallMs: 1000}

const file = (text: string) => ({kind: 'file' as const, bytes: new TextEncoder().encode(text), executable: false})

const request = (root: string) => ({roots: [root], files: {}, cwd: root, commands: []})

/** A thread that answers every request it is asked, and records them. */
function thread() {
  return {
    held: new Set<string>(),
    ask: vi.fn(async (_request: {trees: Array<{snapshot?: unknown}>}) => ({ok: true as const, results: [], cpuMs: 0})),
  }
}

describe("a render request's trees", () => {
  it('a revision unmounted before its render: unavailable, never asked, nothing a cache keeps', async () => {
    const root = mount(new MemoryTree(), 'gone')
    unmount(root)
    const t = thread()
    const run = await askThread(t, request(root), LIMITS as never)
    expect(run).toEqual({ok: false, unavailable: true, message: expect.stringContaining('not held in memory any more')})
    expect(t.ask).not.toHaveBeenCalled()
    expect(rememberable({ok: false, unavailable: true, message: ''})).toBe(false)
  })

  it('a revision past the snapshot limits: a failure of its inputs (kept as any render failure)', async () => {
    const tree = new MemoryTree()
    for (let i = 0; i <= SNAPSHOT_LIMITS.files; i++) tree.set(`f${i}.yaml`, file(''))
    const root = mount(tree, 'large')
    try {
      const run = await askThread(thread(), request(root), LIMITS as never)
      expect(run).toEqual({ok: false, message: expect.stringContaining('holds more than')})
    } finally {
      unmount(root)
    }
  })

  it('a mounted revision: sent once, then known by its mount', async () => {
    const tree = new MemoryTree()
    tree.set('kustomization.yaml', file('resources: []\n'))
    const root = mount(tree, 'kept')
    const t = thread()
    await askThread(t, request(root), LIMITS as never)
    await askThread(t, request(root), LIMITS as never)
    const sent = t.ask.mock.calls.map(([r]) => r.trees[0].snapshot)
    expect(sent.map((s) => s !== undefined)).toEqual([true, false])
    unmount(root)
  })
})
