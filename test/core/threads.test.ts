import {describe, expect, it} from 'vitest'

import {mapOnThreads, scanThreads} from '../../src/core/threads.js'

// The worker module is the built one (dist/), as in the CLI; the task here is the same computation, labelled.
const workerModule = new URL('../fixtures/threads/square.mjs', import.meta.url)
const items = Array.from({length: 60}, (_, i) => i)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
/** This thread's task: slow (10 ms an item), so that the workers, once loaded, take most items. */
const slowMain = async (n: number) => {
  await sleep(10)
  return {n, square: n * n, thread: 'main'}
}

describe('mapOnThreads', () => {
  it('gives the same results in input order on 1 or 3 threads; items a worker fails (13 throws, 29 kills it) run here', async () => {
    const task = slowMain
    const one = await mapOnThreads(items, {threads: 1, itemsPerWorker: 1, workerModule, task})
    const three = await mapOnThreads(items, {threads: 3, itemsPerWorker: 1, workerModule, task})
    expect(one.map((r) => r.thread)).toEqual(items.map(() => 'main'))
    expect(three.map(({n, square}) => ({n, square}))).toEqual(one.map(({n, square}) => ({n, square})))
    expect(three.filter((r) => r.thread === 'worker').length).toBeGreaterThan(items.length / 2)
    expect([three[13].thread, three[29].thread]).toEqual(['main', 'main'])
  })

  it("runs on this thread an item whose task failed on a worker (an error, a worker's death): its error is this thread's", async () => {
    const task = async (n: number) => {
      if (n === 13) throw new Error('thirteen, on the main thread')
      return slowMain(n)
    }
    const results = await mapOnThreads(
      items.filter((n) => n !== 13),
      {threads: 3, itemsPerWorker: 1, workerModule, task},
    )
    expect(results.map((r) => r.square)).toEqual(items.filter((n) => n !== 13).map((n) => n * n))
    await expect(mapOnThreads(items, {threads: 3, itemsPerWorker: 1, workerModule, task})).rejects.toThrow(
      'thirteen, on the main thread',
    )
  })

  it('starts no worker for fewer items than itemsPerWorker, nor for a module that is not built JavaScript', async () => {
    const task = (n: number) => ({n, square: n * n, thread: 'main'})
    const few = await mapOnThreads(items, {threads: 4, itemsPerWorker: 61, workerModule, task})
    expect(few.every((r) => r.thread === 'main')).toBe(true)
    const ts = new URL('../../src/verify/worker.ts', import.meta.url)
    const source = await mapOnThreads(items, {threads: 4, itemsPerWorker: 1, workerModule: ts, task})
    expect(source.every((r) => r.thread === 'main')).toBe(true)
  })

  it('scanThreads: AMEIDE_THREADS when a positive integer, else one fewer than the CPUs, from 1 to 4', () => {
    expect(scanThreads({AMEIDE_THREADS: '1'}, 8)).toBe(1)
    expect(scanThreads({AMEIDE_THREADS: '6'}, 2)).toBe(6)
    for (const bad of ['0', '-2', '1.5', 'many', '', undefined]) {
      expect([1, 2, 3, 4, 8, 64].map((cpus) => scanThreads({AMEIDE_THREADS: bad}, cpus))).toEqual([1, 1, 2, 3, 4, 4])
    }
  })
})
