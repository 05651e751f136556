import {parentPort, workerData} from 'node:worker_threads'

import type {PrimitiveRef} from './discover.js'
import {packPrimitiveFiles, type PackedFiles} from './files.js'

/** What the main thread hands the read-ahead worker (see parallel.ts). */
export interface ReaderInput {
  repoRoot: string
  refs: PrimitiveRef[]
  /** Int32Array over a SharedArrayBuffer, one slot per primitive: 0 unclaimed, 1 read here, 2 read by the main thread. */
  claims: SharedArrayBuffer
}

/** One primitive's files, or `failed` (the main thread then reads it itself and gets the error there). */
export type ReaderMessage = {index: number; packed: PackedFiles} | {index: number; failed: true}

// Reads only: lists and reads the files of every primitive the main thread has not claimed yet, in
// order, and transfers them. It loads nothing but node:fs, so it starts and warms up quickly.
const input = workerData as ReaderInput
const claims = new Int32Array(input.claims)
for (let index = 0; index < input.refs.length; index++) {
  if (Atomics.compareExchange(claims, index, 0, 1) !== 0) continue
  let message: ReaderMessage
  try {
    message = {index, packed: packPrimitiveFiles(input.repoRoot, input.refs[index].path)}
  } catch {
    message = {index, failed: true}
  }
  parentPort!.postMessage(message, 'packed' in message ? [message.packed.bytes] : [])
}
