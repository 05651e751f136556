import {parentPort, workerData} from 'node:worker_threads'

import type {PrimitiveRef} from './discover.js'
import {checksFor, drain, verifyOne} from './primitive.js'
import type {CheckId, VerifyTools} from './types.js'

/** What the main thread hands a verify worker (see parallel.ts). */
export interface WorkerInput {
  repoRoot: string
  refs: PrimitiveRef[]
  tools: VerifyTools
  checks: CheckId[]
  concurrency: number
  /** Int32Array over a SharedArrayBuffer: [0] is the next unclaimed primitive index. */
  next: SharedArrayBuffer
}

/** Messages to the main thread: one per primitive, then `done`. */
export type WorkerMessage = {index: number; result: import('./types.js').PrimitiveResult} | {done: true}

const input = workerData as WorkerInput
const next = new Int32Array(input.next)
const checks = checksFor(input.checks)
const claim = () => {
  const i = Atomics.add(next, 0, 1)
  return i < input.refs.length ? i : -1
}
await drain(
  input.refs,
  claim,
  input.concurrency,
  (ref) => verifyOne(input.repoRoot, ref, input.tools, checks),
  (index, result) => parentPort!.postMessage({index, result} satisfies WorkerMessage),
)
parentPort!.postMessage({done: true} satisfies WorkerMessage)
