// The checks that read only a primitive's files (no tool, no network), as one job per primitive that any thread can
// run: read the files once, feed the cache's digest, run the checks. `primitive verify` spreads these jobs over the
// cores (src/core/threads.ts, src/verify/worker.ts); the checks that run a tool stay on the main thread.

import type {PrimitiveRef} from './discover.js'
import {readPrimitiveFiles} from './files.js'
import type {CheckId, CheckResult, SourceFile, VerifyTools} from './types.js'

/** node:crypto, loaded at its first use: only when a primitive is checked (docs/performance.md, the fixed cost). */
const crypto = () => process.getBuiltinModule('node:crypto')

/** Checks whose result depends only on the primitive's kind, name, path and files (cacheable, any thread). */
export const FILE_CHECKS: ReadonlySet<CheckId> = new Set<CheckId>([
  'shape',
  'scaffold-markers',
  'tests',
  'imports',
  'secrets',
  'image-policy',
  'naming',
  'process-bpmn',
])

/** One primitive's file checks (plain data: it crosses to a worker thread). */
export interface FileJob {
  ref: PrimitiveRef
  /** The listing the cache took (else the job lists the folder). */
  rels?: string[]
  /** The file checks to run. */
  want: CheckId[]
  /** Hash exactly what the checks see (path, size, text of every file), for the cache. */
  hash: boolean
  /** A cached entry: when the files hash to `digest`, the results it has (`have`) stand and only the rest run. */
  known?: {digest: string; have: CheckId[]}
}

export interface FileJobResult {
  rels: string[]
  sizes: number[]
  digest?: string
  /** The files hashed to `known.digest`. */
  matched: boolean
  /** The checks run, in the report order. */
  results: CheckResult[]
}

/** Runs one {@link FileJob}. Reads only. */
export async function runFileJob(repoRoot: string, tools: VerifyTools, job: FileJob): Promise<FileJobResult> {
  const hash = job.hash ? crypto().createHash('sha256') : undefined
  const files = readPrimitiveFiles(repoRoot, job.ref.path, {rels: job.rels, hash})
  const digest = hash?.digest('hex')
  const matched = job.known !== undefined && digest === job.known.digest
  const want = matched ? job.want.filter((id) => !job.known!.have.includes(id)) : job.want
  const results = want.length > 0 ? await runChecks(repoRoot, job.ref, tools, want, files) : []
  return {rels: files.map((f) => f.rel), sizes: files.map((f) => f.size), digest, matched, results}
}

/** The checks `want` on one primitive's files: their modules load here, at the first primitive with a check to run. */
async function runChecks(
  repoRoot: string,
  ref: PrimitiveRef,
  tools: VerifyTools,
  want: CheckId[],
  files: SourceFile[],
): Promise<CheckResult[]> {
  const {checksFor, verifyOne} = await import('./primitive.js')
  return (await verifyOne(repoRoot, ref, tools, checksFor(want), files)).checks
}
