/**
 * The render cache: per root, kustomize's answer keyed by the root's inputs — every file of the kustomizations it
 * reaches, by git blob id — and per Helm deployable, helm's answer keyed by the chart's files, every value file, the
 * deployable's spec and the renderers' versions; under the checkout's git directory (src/cache/store.ts). A warm
 * run renders nothing. `gitops diff` opens its own cache (`keep: 'touched'`): an entry per key, not per root, so the
 * answers of both revisions stay side by side, and a view of it (`at`) keys the files of a revision held
 * outside the checkout; what a run did not touch is dropped when it saves.
 */
import {createHash} from 'node:crypto'
import {readFileSync} from '../../core/memory-fs/index.js'
import path from 'node:path'

import {cacheFile, readCache, writeCache} from '../../cache/store.js'
import type {BuildResult} from '../../effects/kustomize.js'

const NAME = 'gitops-render'

interface Entry {
  key: string
  /** kustomize's answer, or a Helm deployable's (helm's answer and its differential verdicts). */
  result: BuildResult
}

/** git's blob id of a file's bytes (`git hash-object`). */
export function blobId(bytes: Buffer): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex')
}

/** A render key: the unit's id, `extra`, and every input (repo-relative, sorted) with its blob id. */
export function renderKeyDigest(
  dir: string,
  inputs: readonly string[],
  extra: string,
  blobIdOf: (f: string) => string,
): string {
  let text = `${dir}\0${extra}`
  for (const f of [...inputs].sort()) text += `\0${f}\0${blobIdOf(f)}`
  return createHash('sha256').update(text).digest('hex')
}

interface State {
  dirty: boolean
  /** Starts empty and is never saved (`--no-cache`: the keys still tell what did not change). */
  fresh?: boolean
  /** With `keep: 'touched'`: the entries this run read or wrote. */
  touched?: Set<string>
  /** Each input's blob id by its absolute path, hashed once a run (a revision's files do not change under it). */
  blobs: Map<string, string>
}

export class RenderCache {
  private constructor(
    private readonly root: string,
    private readonly file: string,
    private readonly name: string,
    private readonly fingerprint: string,
    private readonly entries: Map<string, Entry>,
    private readonly state: State,
    private readonly blobIds?: ReadonlyMap<string, string>,
  ) {}

  /**
   * The cache of the checkout at `root` (null outside a git work tree); `version`: the CLI build and the renderer.
   * `options.name`: another cache file; `options.keep: 'touched'`: one entry per key (every revision's answers kept
   * side by side), and only the entries this run used are saved; `options.fresh`: start empty, never save.
   */
  static open(
    root: string,
    version: string,
    options: {name?: string; keep?: 'touched'; fresh?: boolean} = {},
  ): RenderCache | null {
    const name = options.name ?? NAME
    const file = cacheFile(root, name)
    if (!file) return null
    const fingerprint = createHash('sha256').update(`${name}\0${version}`).digest('hex')
    const state: State = {
      dirty: false,
      blobs: new Map(),
      ...(options.keep === 'touched' ? {touched: new Set<string>()} : {}),
      ...(options.fresh ? {fresh: true} : {}),
    }
    const entries = options.fresh ? new Map<string, Entry>() : readCache<Entry>(file, name, fingerprint)
    return new RenderCache(root, file, name, fingerprint, entries, state)
  }

  /** Whether it holds no render at all (a first run, `--no-cache`, or a new CLI or renderer): everything renders. */
  get empty(): boolean {
    return this.entries.size === 0
  }

  /**
   * The same cache, keying the files of another folder (a revision held in memory); `blobIds`: the blob ids git gave
   * for its regular files (by repo-relative path), taken as they are instead of hashing those files again.
   */
  at(root: string, blobIds?: ReadonlyMap<string, string>): RenderCache {
    return new RenderCache(root, this.file, this.name, this.fingerprint, this.entries, this.state, blobIds)
  }

  /**
   * Whether `other` keys the same files the same way: a view of the same folder, the same blob ids, in the same run
   * (the blob ids it hashed are this run's).
   */
  sameRevision(other: RenderCache): boolean {
    return other.root === this.root && other.blobIds === this.blobIds && other.state === this.state
  }

  private slot(dir: string, key: string): string {
    return this.state.touched ? `${dir}\0${key}` : dir
  }

  /**
   * The key of a root's inputs (repo-relative files): their paths and blob ids, and `extra` (a Helm deployable's
   * spec, the helm and kustomize versions, the Kubernetes version and API list).
   */
  key(dir: string, inputs: readonly string[], extra = ''): string {
    return renderKeyDigest(dir, inputs, extra, (f) => this.blobIdOf(f))
  }

  /** An input's blob id as its key takes it: git's for the revision, else its bytes' ('missing': unreadable). */
  blobIdOf(f: string): string {
    // An absolute input is a file of another tree held in memory (a mapped repository, a pinned revision).
    return this.blobIds?.get(f) ?? this.idOf(path.isAbsolute(f) ? f : path.join(this.root, f))
  }

  /** A file's blob id ('missing' when it cannot be read: kustomize will say what is missing), once a run. */
  private idOf(file: string): string {
    let id = this.state.blobs.get(file)
    if (id === undefined) {
      try {
        id = blobId(readFileSync(file))
      } catch {
        id = 'missing'
      }
      this.state.blobs.set(file, id)
    }
    return id
  }

  get(dir: string, key: string): BuildResult | undefined {
    const slot = this.slot(dir, key)
    const entry = this.entries.get(slot)
    if (entry?.key !== key) return undefined
    this.state.touched?.add(slot)
    return entry.result
  }

  set(dir: string, key: string, result: BuildResult): void {
    const slot = this.slot(dir, key)
    this.entries.set(slot, {key, result})
    this.state.touched?.add(slot)
    this.state.dirty = true
  }

  save(): void {
    if (this.state.fresh) return
    const {touched} = this.state
    if (touched) {
      const stale = [...this.entries.keys()].filter((k) => !touched.has(k))
      for (const k of stale) this.entries.delete(k)
      if (stale.length > 0) this.state.dirty = true
    }
    if (!this.state.dirty) return
    writeCache(this.file, this.name, this.fingerprint, this.entries)
    this.state.dirty = false
  }
}
