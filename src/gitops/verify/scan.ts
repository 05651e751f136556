// One file of the GitOps checkout through the gate's per-file half: read, prefilter, parse, per-file rules. Any
// thread can run it (src/core/threads.ts, src/gitops/verify/worker.ts): tasks and verdicts are plain data.
import {createHash} from 'node:crypto'
import {readFileSync} from 'node:fs'
import path from 'node:path'

import type {LocalChart} from '../charts.js'
import {findImages, type FileImages} from '../facts.js'
import type {GitopsPolicy, Zone} from '../layout.js'
import {mayViolate} from './prefilter.js'
import {checkFile, type GitopsFinding} from './rules/index.js'

export interface ScanOptions {
  root: string
  policy: GitopsPolicy
  /** Parse every file (evidence needs every reference; tests compare both ways). */
  parseEveryFile: boolean
  /** Compute each parsed file's digest, for the cache. */
  hash: boolean
}

export interface FileTask {
  file: string
  zone: Zone
  /** The digest the cache holds an outcome for: a file that still hashes to it is not parsed. */
  known?: string
  /** The local Helm chart the file belongs to (its values are judged by what the chart reads; never cached). */
  chart?: LocalChart
}

export interface FileVerdict {
  /** The prefilter found nothing a rule could report: checked, not parsed. */
  clean?: true
  digest?: string
  /** The file hashes to `known`: the cached outcome stands. */
  cached?: true
  /** Not YAML (a Helm template…): why. */
  skipped?: string
  findings?: GitopsFinding[]
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

/** The verdict on each task, in order; `facts` receives what a parsed file holds (for evidence, main thread only). */
export async function scanFiles(
  options: ScanOptions,
  tasks: readonly FileTask[],
  facts?: (task: FileTask, found: FileImages) => void,
): Promise<FileVerdict[]> {
  // Loaded on the first file that needs parsing (a warm run may need none).
  let yaml: typeof import('yaml') | undefined
  const out: FileVerdict[] = []
  for (const task of tasks) {
    // Small files, read one after the other: synchronous reads beat thousands of round trips through the thread pool.
    const text = readFileSync(path.join(options.root, task.file), 'utf8')
    // A values file of a chart that reads no digest is always parsed: a `digest:` key that pins nothing is a finding.
    const digestIgnored = task.chart?.readsDigest === false
    if (!options.parseEveryFile && !digestIgnored && !mayViolate(text, task.zone, options.policy)) {
      out.push({clean: true})
      continue
    }
    const digest = options.hash ? sha256(text) : undefined
    if (digest !== undefined && digest === task.known) {
      out.push({digest, cached: true})
      continue
    }
    yaml ??= await import('yaml')
    const found = findImages(yaml, text)
    if (found.skipped) {
      out.push({digest, skipped: found.skipped})
      continue
    }
    facts?.(task, found)
    out.push({
      digest,
      findings: checkFile({
        file: task.file,
        zone: task.zone,
        found,
        policy: options.policy,
        text,
        yaml,
        ...(task.chart ? {chart: task.chart} : {}),
      }),
    })
  }
  return out
}
