/**
 * The kept steps between runs: one file under the checkout's git directory (src/cache/store.ts, `gitops-steps`), for
 * one CLI build and one template engine build. A command attaches it while it runs (./steps.ts); what the run used —
 * every result it reused or made, a pull request's base and head side by side — is what the file keeps. A file that
 * is missing, truncated, edited or of another build reads as empty; an entry not of the kept shape is never used.
 */
import {cacheFile, readCache, writeCache} from '../../cache/store.js'
import {openKeptAnswers} from '../../effects/gotemplate/answers.js'
import {ENGINE_PROTOCOL, engineBuild} from '../../effects/gotemplate/index.js'
import type {Read} from './reads.js'
import {attachSteps, VARIANTS_KEPT, type KeptStep, type StepStore} from './steps.js'

export const STEPS_CACHE = 'gitops-steps'

export interface KeptSteps {
  /** Writes what the run used (nothing when it used exactly what it found), and detaches the store. */
  save(): void
  /** Detaches the store without writing. */
  close(): void
}

/**
 * What a run keeps of its models between runs, opened together: the template engine's answers
 * (src/effects/gotemplate/answers.ts) and the kept steps. Both are saved, or closed, as one.
 */
export function openKept(root: string, version: string): KeptSteps {
  const answers = openKeptAnswers(root, version)
  const steps = openKeptSteps(root, version)
  return {
    save() {
      answers?.save()
      steps?.save()
    },
    close() {
      answers?.close()
      steps?.close()
    },
  }
}

/**
 * The kept steps of the checkout at `root` for this build (`version`: the CLI's), attached; undefined outside a git
 * work tree or without a built template engine.
 */
export function openKeptSteps(root: string, version: string): KeptSteps | undefined {
  const file = cacheFile(root, STEPS_CACHE)
  const build = engineBuild()
  if (!file || !build?.sha256) return undefined
  const fingerprint = `${ENGINE_PROTOCOL}\0${build.sha256}\0${version}`
  const found = readCache<unknown>(file, STEPS_CACHE, fingerprint)
  const used = new Map<string, KeptStep[]>()
  // A key is asked once per revision: its entry is checked once.
  const checked = new Map<string, KeptStep[] | undefined>()
  let added = false
  const store: StepStore = {
    get: (key) => {
      if (!checked.has(key)) {
        const entry = found.get(key)
        checked.set(key, Array.isArray(entry) ? entry.filter(isKeptStep) : undefined)
      }
      return checked.get(key)
    },
    use(key, kept) {
      const known = used.get(key) ?? []
      if (!known.includes(kept)) used.set(key, [...known, kept].slice(0, VARIANTS_KEPT))
      if (!foundIn(found.get(key), kept)) added = true
    },
  }
  const detach = attachSteps(store)
  return {
    save() {
      detach()
      if (added || used.size !== found.size) writeCache(file, STEPS_CACHE, fingerprint, used)
    },
    close: detach,
  }
}

const isString = (v: unknown): v is string => typeof v === 'string'

/**
 * Whether the file already holds `kept`: the same object, or one of the same reads and result — a process that runs
 * command after command (`ameide mcp`'s resident) reuses the step it kept in memory, not the file's copy of it.
 */
function foundIn(entries: unknown, kept: KeptStep): boolean {
  if (!Array.isArray(entries)) return false
  return entries.some(
    (e: unknown) => e === kept || (isKeptStep(e) && e.result === kept.result && sameReads(e.reads, kept.reads)),
  )
}

const sameReads = (a: readonly Read[], b: readonly Read[]) =>
  a.length === b.length && a.every((r, i) => r.every((part, j) => part === b[i][j]))

/** A kept step as this build writes it: string triples of reads and a result text. */
function isKeptStep(v: unknown): v is KeptStep {
  if (typeof v !== 'object' || v === null) return false
  const {reads, result} = v as Partial<KeptStep>
  return (
    isString(result) &&
    Array.isArray(reads) &&
    reads.every((r: unknown) => Array.isArray(r) && r.length === 3 && r.every(isString))
  )
}
