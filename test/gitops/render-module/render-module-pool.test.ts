/**
 * The render module's threads (src/effects/render-module/host.ts Pool), over stand-in threads: a request goes to a
 * thread that ran its affinity before (a chart folder whose files that thread keeps) when one is free or frees, to
 * a request no thread ran before next, else to the oldest waiting — no thread idles while a request waits.
 */
import {describe, expect, it} from 'vitest'

import type {Thread} from '../../../src/effects/render-module/host.js'
import {Pool} from '../../../src/effects/render-module/pool.js'

/** Stand-in threads, named in the order the pool starts them, each ready `startMs` after it is asked for. */
function pool(size = 2, startMs = 0, started: string[] = []) {
  const start = async (): Promise<Thread> => {
    const name = `T${started.length + 1}`
    started.push(name)
    await new Promise((resolve) => setTimeout(resolve, startMs))
    const ask = () => Promise.reject(new Error('unused'))
    return {name, held: new Set(), ran: new Set(), dead: false, ask} as Thread
  }
  return new Pool(size, start)
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const named = (t: Thread) => (t as Thread & {name: string}).name

/** Both threads started (the second after a request waited for the first) and free again: T1 ran `a`, T2 `b`. */
async function twoThreads() {
  const p = pool()
  const t1 = await p.take('a')
  const t2 = await p.take('b') // waits GROW_AFTER_MS for a second thread
  expect([named(t1), named(t2)]).toEqual(['T1', 'T2'])
  return {p, t1, t2}
}

describe('the render threads: a second one for a backlog', () => {
  it('a request waiting while the first thread starts is no backlog: served by it, no second thread', async () => {
    const started: string[] = []
    const p = pool(2, 400, started)
    const first = p.take()
    const second = p.take()
    p.give(await first)
    expect(named(await second)).toBe('T1')
    await sleep(400)
    expect(started).toEqual(['T1'])
  })

  it('requests waiting behind a busy thread for GROW_AFTER_MS start a second', async () => {
    const started: string[] = []
    const p = pool(2, 0, started)
    await p.take()
    const waiting = p.take()
    await sleep(100)
    expect(started).toEqual(['T1'])
    expect(named(await waiting)).toBe('T2')
  })
})

describe('the render threads: affinity without idling', () => {
  it('a free thread that ran the affinity is taken, though another was freed last', async () => {
    const {p, t1, t2} = await twoThreads()
    p.give(t1)
    p.give(t2)
    expect(named(await p.take('a'))).toBe('T1')
    expect(named(await p.take('c'))).toBe('T2')
  })

  it('a freed thread takes a waiting request of its affinity first, then one no thread ran, then the oldest', async () => {
    const {p, t1, t2} = await twoThreads()
    const order: string[] = []
    const wait = (affinity: string) => p.take(affinity).then((t) => (order.push(`${affinity}→${named(t)}`), t))
    const [b, a1, a2, fresh] = [wait('b'), wait('a'), wait('a'), wait('fresh')]
    p.give(t2) // ran b: the `b` behind nothing else it ran
    p.give(t1) // ran a: the older `a`
    const [byT2, byT1] = await Promise.all([b, a1])
    expect(order).toEqual(['b→T2', 'a→T1'])
    // Waiting: `a` (T1 ran it; the oldest), then `fresh` (no thread ran it). T2 frees first: `fresh`.
    p.give(byT2)
    expect(named(await fresh)).toBe('T2')
    p.give(byT1)
    expect(named(await a2)).toBe('T1')
    expect(order).toEqual(['b→T2', 'a→T1', 'fresh→T2', 'a→T1'])
  })

  it('no thread idles while a request waits: a request of the other thread’s affinity takes the one freed', async () => {
    const {p, t1, t2} = await twoThreads()
    const waiting = p.take('a') // T1 ran it, but T1 stays busy
    p.give(t2)
    expect(named(await waiting)).toBe('T2')
    p.give(t1)
    expect(named(await p.take())).toBe('T1')
  })
})

describe('the render threads: a start that fails', () => {
  /** A pool whose threads never start: each start fails `ms` after it is asked for. */
  const failing = (ms: number, starts: {count: number}) =>
    new Pool<Thread>(2, async () => {
      starts.count++
      await sleep(ms)
      throw new Error('the helper could not confine itself')
    })

  it('fails every request that waited for it, none left hanging (the caller turns to WebAssembly)', async () => {
    const starts = {count: 0}
    const p = failing(50, starts)
    const takes = [p.take('a'), p.take('b'), p.take()]
    const settled = await Promise.race([Promise.allSettled(takes), sleep(2_000).then(() => 'hung')])
    expect(settled).not.toBe('hung')
    expect((settled as PromiseSettledResult<Thread>[]).map((s) => s.status)).toEqual([
      'rejected',
      'rejected',
      'rejected',
    ])
    expect(starts.count).toBe(1)
    // The next request tries again.
    await expect(p.take()).rejects.toThrow('could not confine itself')
    expect(starts.count).toBe(2)
  })

  it('a dead thread whose replacement fails: the request waiting for it fails too', async () => {
    let fail = false
    const p = new Pool<Thread>(1, async () => {
      if (fail) throw new Error('no second start')
      return {held: new Set(), ran: new Set(), dead: false} as unknown as Thread
    })
    const t = await p.take()
    const waiting = p.take()
    fail = true
    ;(t as {dead: boolean}).dead = true
    p.give(t)
    const settled = await Promise.race([
      waiting.then(
        () => 'served',
        () => 'failed',
      ),
      sleep(2_000).then(() => 'hung'),
    ])
    expect(settled).toBe('failed')
  })
})
