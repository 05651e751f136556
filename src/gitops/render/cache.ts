/**
 * The render cache: per root, kustomize's answer keyed by the root's inputs — every file of the kustomizations it
 * reaches, by git blob id — and per Helm deployable, helm's answer keyed by the chart's files, every value file, the
 * deployable's spec and the renderers' versions; under the checkout's git directory (src/cache/store.ts). A warm
 * run renders nothing.
 */
import {createHash} from 'node:crypto'
import {readFileSync} from 'node:fs'
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

export class RenderCache {
  private dirty = false

  private constructor(
    private readonly root: string,
    private readonly file: string,
    private readonly fingerprint: string,
    private readonly entries: Map<string, Entry>,
  ) {}

  /** The cache of the checkout at `root` (null outside a git work tree); `version`: the CLI build and the renderer. */
  static open(root: string, version: string): RenderCache | null {
    const file = cacheFile(root, NAME)
    if (!file) return null
    const fingerprint = createHash('sha256').update(`${NAME}\0${version}`).digest('hex')
    return new RenderCache(root, file, fingerprint, readCache<Entry>(file, NAME, fingerprint))
  }

  /**
   * The key of a root's inputs (repo-relative files): their paths and blob ids, and `extra` (a Helm deployable's
   * spec, the helm and kustomize versions, the Kubernetes version and API list).
   */
  key(dir: string, inputs: readonly string[], extra = ''): string {
    const hash = createHash('sha256').update(dir).update(`\0${extra}`)
    for (const f of [...inputs].sort()) {
      let id = 'missing'
      try {
        id = blobId(readFileSync(path.join(this.root, f)))
      } catch {
        // a missing input is part of the key: kustomize will say what is missing
      }
      hash.update(`\0${f}\0${id}`)
    }
    return hash.digest('hex')
  }

  get(dir: string, key: string): BuildResult | undefined {
    const entry = this.entries.get(dir)
    return entry?.key === key ? entry.result : undefined
  }

  set(dir: string, key: string, result: BuildResult): void {
    this.entries.set(dir, {key, result})
    this.dirty = true
  }

  save(): void {
    if (!this.dirty) return
    writeCache(this.file, NAME, this.fingerprint, this.entries)
  }
}
