import {existsSync} from 'node:fs'
import {availableParallelism} from 'node:os'
import {fileURLToPath} from 'node:url'
import {Worker} from 'node:worker_threads'

import type {PrimitiveRef} from './discover.js'
import {mapLimit, readPrimitiveFiles, unpackPrimitiveFiles} from './files.js'
import {checksFor, verifyOne} from './primitive.js'
import type {CheckId, PrimitiveResult, SourceFile, VerifyTools} from './types.js'
import type {ReaderInput, ReaderMessage} from './worker.js'

/** Below this many primitives the read-ahead worker's start-up (~30 ms) costs more than it saves. */
export const MIN_PRIMITIVES_FOR_READER = 16

/** The compiled worker module; absent when running from TypeScript sources (tests), then all runs in-process. */
const WORKER_URL = new URL('./worker.js', import.meta.url)

/**
 * How many threads verify uses: 1 unless AMEIDE_VERIFY_THREADS=2 (or more) asks for the read-ahead
 * worker (this thread checks, a worker reads files ahead), and only from MIN_PRIMITIVES_FOR_READER
 * primitives on more than one CPU.
 *
 * Opt-in because neither split paid on the 2-CPU machine bench/verify runs on. Workers that each check
 * a share of the primitives: every worker is a fresh V8 isolate that compiles and warms up the
 * tokenizers and regexes again (a cold pass costs about twice a warm one). The read-ahead worker: it
 * takes a third of the CPU off the checking thread, but the second CPU is not idle in a single-threaded
 * run either (V8's concurrent GC and compiler threads use about half of it), so the wall time did not
 * improve (docs/commands/verify.md, Figures).
 */
export function threadCount(primitives: number, env: NodeJS.ProcessEnv = process.env): number {
  const wanted = Number.parseInt(env.AMEIDE_VERIFY_THREADS ?? '', 10)
  if (!Number.isInteger(wanted) || wanted < 2) return 1
  if (availableParallelism() < 2 || primitives < MIN_PRIMITIVES_FOR_READER) return 1
  if (!WORKER_URL.pathname.endsWith('.js') || !existsSync(fileURLToPath(WORKER_URL))) return 1
  return 2
}

/**
 * Verifies the primitives in order on this thread, up to `concurrency` at once (they only overlap while
 * codegen waits for buf). With `threads` 2, a worker reads the files of primitives ahead; a primitive the
 * worker has not claimed yet is read here (a per-primitive atomic claim), so nothing waits on a slow or
 * still-starting worker. Results are in input order.
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
  const {repoRoot, refs} = opts
  const checks = checksFor(opts.checks)
  const run = async (ref: PrimitiveRef, files?: SourceFile[]) => {
    const result = await verifyOne(repoRoot, ref, opts.tools, checks, files)
    opts.onResult(result)
    return result
  }
  if (opts.threads < 2 || refs.length === 0) return mapLimit(refs, opts.concurrency, (ref) => run(ref))

  const claims = new Int32Array(new SharedArrayBuffer(4 * refs.length))
  const arrived = new Map<number, ReaderMessage>()
  const waiting = new Map<number, (message: ReaderMessage) => void>()
  const worker = new Worker(WORKER_URL, {
    workerData: {repoRoot, refs, claims: claims.buffer as SharedArrayBuffer} satisfies ReaderInput,
  })
  const deliver = (message: ReaderMessage) => {
    const waiter = waiting.get(message.index)
    if (waiter) {
      waiting.delete(message.index)
      waiter(message)
    } else arrived.set(message.index, message)
  }
  worker.on('message', deliver)
  // A worker that dies leaves its claimed primitives undelivered: they are read here instead.
  const orphan = () => {
    for (const index of [...waiting.keys()]) deliver({index, failed: true})
  }
  worker.on('error', orphan)
  worker.on('exit', orphan)
  let exited = false
  worker.on('exit', () => (exited = true))

  const filesOf = async (index: number): Promise<SourceFile[]> => {
    const ref = refs[index]
    if (Atomics.compareExchange(claims, index, 0, 2) === 0) return readPrimitiveFiles(repoRoot, ref.path)
    const message =
      arrived.get(index) ??
      (exited
        ? ({index, failed: true} as const)
        : await new Promise<ReaderMessage>((resolve) => waiting.set(index, resolve)))
    arrived.delete(index)
    return 'packed' in message
      ? unpackPrimitiveFiles(repoRoot, ref.path, message.packed)
      : readPrimitiveFiles(repoRoot, ref.path)
  }
  try {
    return await mapLimit(refs, opts.concurrency, async (ref, index) => run(ref, await filesOf(index)))
  } finally {
    await worker.terminate()
  }
}
