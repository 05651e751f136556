import {existsSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {Worker} from 'node:worker_threads'

import type {PrimitiveRef} from './discover.js'
import {checksFor, drain, verifyOne} from './primitive.js'
import type {CheckId, PrimitiveResult, VerifyTools} from './types.js'
import type {WorkerInput, WorkerMessage} from './worker.js'

/** Below this many primitives per thread a worker's start-up costs more than it saves. */
export const MIN_PRIMITIVES_PER_THREAD = 8

/** The compiled worker module; absent when running from TypeScript sources (tests), then all runs in-process. */
const WORKER_URL = new URL('./worker.js', import.meta.url)

/**
 * How many threads check primitives: 1 (this thread) unless AMEIDE_VERIFY_THREADS=N asks for more, then
 * up to N (the main thread plus workers), at most one per MIN_PRIMITIVES_PER_THREAD primitives.
 *
 * Opt-in because it does not pay on the 2-CPU machine bench/verify runs on: each worker is a fresh V8
 * isolate that boots (~40 ms) and compiles and warms up the tokenizers and regexes again (a cold pass
 * costs about twice a warm one), and the file reads do not scale across threads there, so 2 threads
 * measured the same or slower than 1 (see docs/commands/verify.md, Figures).
 */
export function threadCount(primitives: number, env: NodeJS.ProcessEnv = process.env): number {
  const wanted = Number.parseInt(env.AMEIDE_VERIFY_THREADS ?? '', 10)
  if (!Number.isInteger(wanted) || wanted <= 1) return 1
  if (!WORKER_URL.pathname.endsWith('.js') || !existsSync(fileURLToPath(WORKER_URL))) return 1
  return Math.max(1, Math.min(wanted, Math.floor(primitives / MIN_PRIMITIVES_PER_THREAD)))
}

/**
 * Verifies the primitives on `threads` threads: the main thread and `threads - 1` workers each claim
 * the next unclaimed primitive (an atomic counter in shared memory), so a slow primitive never holds up
 * a fixed share. Results are placed by index: the order is the input order whoever checked what.
 */
export async function verifyAll(opts: {
  repoRoot: string
  refs: PrimitiveRef[]
  tools: VerifyTools
  checks: CheckId[]
  concurrency: number
  threads: number
  onResult: (result: PrimitiveResult) => void
}): Promise<PrimitiveResult[]> {
  const {refs} = opts
  const results = new Array<PrimitiveResult>(refs.length)
  const next = new Int32Array(new SharedArrayBuffer(4))
  const claim = () => {
    const i = Atomics.add(next, 0, 1)
    return i < refs.length ? i : -1
  }
  let remaining = refs.length
  let settle!: (error?: unknown) => void
  const allDone = new Promise<void>((resolve, reject) => {
    settle = (error) => (error === undefined ? resolve() : reject(error))
  })
  const place = (index: number, result: PrimitiveResult) => {
    results[index] = result
    opts.onResult(result)
    if (--remaining === 0) settle()
  }
  allDone.catch(() => {}) // awaited below; a worker failing while this thread still works must not be unhandled
  if (remaining === 0) settle()

  const input: WorkerInput = {
    repoRoot: opts.repoRoot,
    refs,
    tools: opts.tools,
    checks: opts.checks,
    concurrency: opts.concurrency,
    next: next.buffer as SharedArrayBuffer,
  }
  const workers: Worker[] = []
  for (let t = 1; t < opts.threads; t++) {
    const worker = new Worker(WORKER_URL, {workerData: input, stdout: false, stderr: false})
    worker.on('message', (message: WorkerMessage) => {
      if ('index' in message) place(message.index, message.result)
    })
    worker.on('error', (error) => settle(error))
    worker.on('exit', (code) => {
      if (code !== 0 && remaining > 0) settle(new Error(`verify worker exited with code ${code}`))
    })
    workers.push(worker)
  }
  try {
    const checks = checksFor(opts.checks)
    await drain(refs, claim, opts.concurrency, (ref) => verifyOne(opts.repoRoot, ref, opts.tools, checks), place)
    await allDone
  } finally {
    // Every result is in (or one failed): a worker still starting up has nothing left to claim.
    await Promise.all(workers.map((w) => w.terminate()))
  }
  return results
}
