/**
 * The template engine's answers kept between runs, under the checkout's git directory (src/cache/store.ts), for the
 * engine build that gave them: `gitops diff` attaches them while it runs (./memo.ts), so a second diff of the same
 * ApplicationSets asks the engine nothing and never starts it. The file keeps what the run used and what it found,
 * up to {@link ANSWERS_KEPT} answers (past it, only what the run used): a run whose ApplicationSet expansions were
 * kept whole (src/gitops/memo) asks nothing, and the next one that expands again still finds its answers.
 */
import {cacheFile, readCache, writeCache} from '../../cache/store.js'
import {ENGINE_PROTOCOL, engineBuild} from './index.js'
import {attachAnswers, type AnswerStore} from './memo.js'

const NAME = 'gitops-templates'
const ANSWERS_KEPT = 50_000

export interface KeptAnswers {
  /** Writes what the run used (nothing when it used what it found), and detaches the store. */
  save(): void
  /** Detaches the store without writing. */
  close(): void
}

/**
 * The kept answers of the checkout at `root` for this engine build (`version`: the CLI's), attached; undefined
 * outside a git work tree or without a built engine (its build's hash is part of every answer's key).
 */
export function openKeptAnswers(root: string, version: string): KeptAnswers | undefined {
  const file = cacheFile(root, NAME)
  const build = engineBuild()
  if (!file || !build?.sha256) return undefined
  const fingerprint = `${ENGINE_PROTOCOL}\0${build.sha256}\0${version}`
  const found = readCache<unknown>(file, NAME, fingerprint)
  const used = new Map<string, unknown>()
  let added = false
  const store: AnswerStore = {
    known: found.size,
    get: (id) => found.get(id) ?? used.get(id),
    use(id, value) {
      if (!found.has(id) && !used.has(id)) added = true
      used.set(id, value)
    },
  }
  const detach = attachAnswers(store)
  return {
    save() {
      detach()
      const kept = found.size + used.size <= ANSWERS_KEPT ? new Map([...found, ...used]) : used
      if (added || kept.size !== found.size) writeCache(file, NAME, fingerprint, kept)
    },
    close: detach,
  }
}
