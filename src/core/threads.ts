// CPU-bound scans (both verifies) on every core: the items go out one at a time from one queue to this thread and
// to worker threads that run the same task from a worker module. Results keep the input order, so the output does
// not depend on the number of threads. A worker is only a helper: an item whose task fails on a worker (an error,
// the worker dying or not loading) is run again on this thread, so every error is exactly the one a single thread
// gives, and a machine where workers cannot start still gets the whole answer.
import {availableParallelism} from 'node:os'
import {fileURLToPath} from 'node:url'

/** node:worker_threads, loaded at its first use: a scan of a few items starts no worker (docs/performance.md, the fixed cost). */
const workerThreads = () => process.getBuiltinModule('node:worker_threads')

/** At most this many threads: the scans are short, and each worker costs a module load (≈ 50 ms). */
const MAX_THREADS = 4

/**
 * Threads a scan may use: `AMEIDE_THREADS` (a positive integer; 1 keeps everything on this thread), else one fewer
 * than the CPUs this process may use, at most {@link MAX_THREADS}. One CPU is left to V8's own garbage collector and
 * compiler threads, which a single-threaded scan already keeps half busy: on 2 CPUs a worker made both verifies'
 * cold runs slower (docs/performance.md), so there the default is one thread.
 */
export function scanThreads(env: NodeJS.ProcessEnv = process.env, cpus = availableParallelism()): number {
  const wanted = Number(env.AMEIDE_THREADS)
  if (Number.isInteger(wanted) && wanted >= 1) return wanted
  return Math.max(1, Math.min(MAX_THREADS, cpus - 1))
}

export interface ThreadOptions<T, R> {
  /** Threads in all, this one included (see {@link scanThreads}). */
  threads: number
  /** Workers are started only for this many items each (a worker costs a module load; small scans stay here). */
  itemsPerWorker: number
  /** The worker module (it calls {@link serveTasks} with the same task); workers start only for a built `.js`/`.mjs` (not under a TypeScript loader). */
  workerModule: URL
  /** Given to every worker as `workerData` (structured-cloned: plain data only). */
  workerData?: unknown
  /** The task, as run on this thread. */
  task: (item: T) => Promise<R> | R
}

/** Runs `task` over `items` on this thread and on worker threads; the results are in the input order. */
export async function mapOnThreads<T, R>(items: readonly T[], options: ThreadOptions<T, R>): Promise<R[]> {
  const results = new Array<R>(items.length)
  const retry: number[] = []
  let next = 0
  const workers = Math.min(options.threads - 1, Math.floor(items.length / options.itemsPerWorker))
  const runnable = /\.[cm]?js$/.test(fileURLToPath(options.workerModule))
  const helpers =
    runnable && workers > 0
      ? Array.from({length: workers}, () =>
          startWorker(options, (index, value) => (results[index] = value as R), {
            take: () => (next < items.length ? next++ : -1),
            item: (index) => items[index],
            failed: (index) => retry.push(index),
          }),
        )
      : []
  // This thread works too, yielding between items so that the workers' answers are taken in as they come.
  while (next < items.length) {
    const index = next++
    results[index] = await options.task(items[index])
    if (helpers.length > 0) await new Promise<void>((resolve) => setImmediate(resolve))
  }
  await Promise.all(helpers)
  for (const index of retry.sort((a, b) => a - b)) results[index] = await options.task(items[index])
  return results
}

interface Queue {
  /** The next item's index, or -1 when none is left. */
  take(): number
  item(index: number): unknown
  /** The item's task failed on the worker: run it again on this thread. */
  failed(index: number): void
}

type WorkerMessage = {ready: true} | {index: number; value: unknown} | {index: number; failed: true}

/** One worker: fed one item at a time once its module has loaded; settles when the queue is empty or it fails. */
function startWorker<T, R>(
  options: ThreadOptions<T, R>,
  done: (index: number, value: unknown) => void,
  queue: Queue,
): Promise<void> {
  return new Promise<void>((resolve) => {
    let current = -1
    let settled = false
    const worker = new (workerThreads().Worker)(options.workerModule, {workerData: options.workerData})
    const finish = () => {
      if (current >= 0) queue.failed(current)
      current = -1
      if (!settled) {
        settled = true
        void worker.terminate()
        resolve()
      }
    }
    const feed = () => {
      current = queue.take()
      if (current < 0) finish()
      else worker.postMessage({index: current, item: queue.item(current)})
    }
    worker.on('message', (message: WorkerMessage) => {
      if ('ready' in message) return feed()
      if ('failed' in message) queue.failed(message.index)
      else done(message.index, message.value)
      current = -1
      feed()
    })
    worker.on('error', finish)
    worker.on('exit', finish)
  })
}

/**
 * The worker side of {@link mapOnThreads}: answers each item with the task's result, or with `failed` (the item is
 * then run again on the main thread, which reports the error).
 */
export function serveTasks<T, R>(task: (item: T) => Promise<R> | R): void {
  const port = workerThreads().parentPort
  if (!port) throw new Error('serveTasks runs in a worker thread')
  port.on('message', async ({index, item}: {index: number; item: T}) => {
    try {
      port.postMessage({index, value: await task(item)})
    } catch {
      port.postMessage({index, failed: true})
    }
  })
  port.postMessage({ready: true})
}
