/**
 * The kept steps of the process: an ApplicationSet's expansion keyed by what it was given (the document's file and
 * text, the template engine's build, this build of the expansion) and kept with the reads it recorded (./reads.ts).
 * A kept expansion is reused only when every recorded read answers the same of the current context; else the step
 * runs again, recorded, and its result is kept beside the others of that key (a pull request's base and head, and
 * other heads, each their own). Kept in memory for the process (bounded) and in the stores attached while a command
 * runs (./store.ts: on disk under the git directory), which is what the next run, and the next `ameide mcp` call (its
 * own process), reads.
 */
import {createHash} from 'node:crypto'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import {engineBuild} from '../../effects/gotemplate/index.js'
import {namesUnstable} from '../../effects/gotemplate/memo.js'
import {expandApplicationSet, type ApplicationSetSource} from '../argocd/applicationset/index.js'
import type {ApplicationSetExpansion, ExpansionContext} from '../model/types.js'
import {fromKept, keptText} from './kept.js'
import {record, stillHolds, type Read} from './reads.js'

/** One kept result of a step: what it read (each answer's digest) and its result as JSON text. */
export interface KeptStep {
  reads: Read[]
  result: string
}

/** A store attached while a command runs: the kept steps it found, and those the run used (found or new). */
export interface StepStore {
  get(key: string): readonly KeptStep[] | undefined
  use(key: string, kept: KeptStep): void
}

/** Kept results per key (the most recent first); the characters of results the process keeps, at most. */
export const VARIANTS_KEPT = 4
const CHARS_KEPT = 64 * 1024 * 1024
const FORMAT = 'ameide-step/applicationset-expansion/1'

const memory = new Map<string, KeptStep[]>()
let held = 0
const stores = new Set<StepStore>()

/** Attaches `store` to the process's kept steps until the returned function detaches it. */
export function attachSteps(store: StepStore): () => void {
  stores.add(store)
  return () => stores.delete(store)
}

/** Forgets what the process kept (tests: a cold run in the same process). */
export function forgetSteps(): void {
  memory.clear()
  held = 0
}

/**
 * `expandApplicationSet(ctx, source)`, a kept result when its reads still hold. A step given the answers of a server
 * (a pull request, clusters, an SCM provider) is never kept, nor one whose engine failed or whose templates name the
 * clock or chance, nor a result that is not plain data.
 */
export function keptExpansion(ctx: ExpansionContext, source: ApplicationSetSource): ApplicationSetExpansion {
  const key = stepKey(ctx, source)
  if (key === undefined) return expandApplicationSet(ctx, source)
  const inputs = {ctx, lineOf: source.lineOf}
  const asked = new Map<string, string | undefined>()
  for (const kept of keptFor(key)) {
    if (!stillHolds(kept.reads, inputs, asked)) continue
    const result = fromKept(kept.result, source.lineOf)
    if (result === undefined) continue
    keep(key, kept)
    return result
  }
  const recording = record(inputs)
  const fresh = expandApplicationSet(recording.ctx, {...source, lineOf: recording.lineOf})
  const reads = recording.stop()
  const text = recording.engineFailed || fresh.unavailable.length > 0 ? undefined : keptText(fresh)
  if (text !== undefined) keep(key, {reads, result: text})
  return fresh
}

/** The key of a step that may be kept, or undefined (a server's answers given, the engine's build unknown). */
function stepKey(ctx: ExpansionContext, source: ApplicationSetSource): string | undefined {
  if (ctx.pullRequest !== undefined || ctx.clusters !== undefined || ctx.scm !== undefined) return undefined
  const engine = engineIdentity()
  if (engine === undefined || actionsOf(source.text).some(namesUnstable)) return undefined
  return createHash('sha256')
    .update([FORMAT, EXPANSION_BUILD, engine, source.file, source.text].join('\0'))
    .digest('hex')
}

/** The template engine's build (its sha256), read once for the process. */
let engineRead: {sha256: string | undefined} | undefined
const engineIdentity = () => (engineRead ??= {sha256: engineBuild()?.sha256}).sha256

/** The Go template actions of a text (`{{ … }}`): where a function of the clock or of chance can be called. */
const actionsOf = (text: string): string[] => text.match(/\{\{[\s\S]*?\}\}/g) ?? []

/**
 * This build of the expansion: the file this module was loaded from — in the bundle, a chunk named by the hash of its
 * content and of the chunks it imports (the expansion's among them).
 */
const EXPANSION_BUILD = path.basename(fileURLToPath(import.meta.url))

/** The kept results of a key: the process's, then each attached store's. */
export function keptFor(key: string): KeptStep[] {
  const out = [...(memory.get(key) ?? [])]
  for (const store of stores) for (const kept of store.get(key) ?? []) if (!out.includes(kept)) out.push(kept)
  return out
}

/** Keeps `kept` first among its key's results, in the process and in every attached store. */
export function keep(key: string, kept: KeptStep): void {
  const others = (memory.get(key) ?? []).filter((k) => k !== kept)
  forget(key)
  const variants = [kept, ...others].slice(0, VARIANTS_KEPT)
  const size = variants.reduce((n, k) => n + k.result.length, 0)
  // The least recently used keys go first; a result larger than the bound is kept by the stores only.
  while (memory.size > 0 && held + size > CHARS_KEPT) forget(memory.keys().next().value!)
  if (size <= CHARS_KEPT) {
    memory.set(key, variants)
    held += size
  }
  for (const store of stores) store.use(key, kept)
}

function forget(key: string): void {
  for (const k of memory.get(key) ?? []) held -= k.result.length
  memory.delete(key)
}
