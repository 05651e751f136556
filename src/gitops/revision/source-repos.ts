/**
 * Repositories other than the one under review, mapped to local checkouts (`--source-repo URL=PATH`, and
 * `gitopsPolicy.sourceRepositories` in ameide.yaml; the flag wins for the same repository). A source whose `repoURL`
 * names one (compared as ./repositories.ts compares URLs: scheme, user, `.git`, a trailing `/` and case do not matter;
 * `git@host:org/repo` is `https://host/org/repo`) is read from that checkout at the revision Argo CD would deploy —
 * its `targetRevision` (a branch, a tag, a commit; empty or `HEAD`: the checkout's HEAD) resolved there with git —
 * through the same reader as the revision under review (./revision/index.ts): its tracked files of that commit, held
 * in memory, its links checked, nothing of its working tree. A repository no mapping names stays render-unavailable,
 * the flag named as the fix ({@link unmappedFix}). This repository at a commit a pinned source names (./pinned.ts) is
 * read the same way, from its clone: one kind of tree for every source read outside the revision under review.
 */
import {statSync} from '../../core/memory-fs/index.js'
import path from 'node:path'

import {prerequisiteError, usageError} from '../../core/errors.js'
import {gitRevisionReadSync} from '../../effects/git.js'
import type {Pin} from './pinned.js'
import {sameRepository} from './repositories.js'
import {confinedPath, readCommitSync, refusedUnder, type Revision} from './index.js'

/** One mapping: a repository URL and the local checkout (absolute) it is read from. */
export interface SourceRepoEntry {
  url: string
  path: string
  /** Where it was given: `--source-repo`, or ameide.yaml. */
  from: 'flag' | 'config'
}

/** A mapped repository read at a source's revision. */
export interface MappedSource {
  /** The URL as the mapping writes it (`this repository` for a pinned revision of the one under review). */
  url: string
  /** The commit read. */
  commit: string
  /** Where its files are mounted, in memory (absolute). */
  dir: string
  /** Its repo-relative files. */
  files: ReadonlySet<string>
  /** The repo-relative path `p` leads to after links, or undefined when it leaves that revision (or through a refused link). */
  confined(p: string): string | undefined
  /** Its gitlinks (submodule path → commit): another repository each, never held. */
  gitlinks: ReadonlyMap<string, string>
}

/** A mapped repository read, or why it could not be (its targetRevision names nothing there). */
export type MappedRead = MappedSource | {problem: string}

/** How an unmapped repository is named as the fix. */
export const unmappedFix = (url: string): string =>
  `map a local checkout of it with --source-repo ${url || '<url>'}=<path> (or gitopsPolicy.sourceRepositories)`

/** `--source-repo URL=PATH` values (relative paths from the current directory): INVALID_SOURCE_REPO when malformed. */
export function parseSourceRepoFlags(values: readonly string[] | undefined, cwd = process.cwd()): SourceRepoEntry[] {
  return (values ?? []).map((value) => {
    const eq = value.indexOf('=')
    const url = eq > 0 ? value.slice(0, eq).trim() : ''
    const dir = eq > 0 ? value.slice(eq + 1).trim() : ''
    if (url === '' || dir === '')
      throw usageError('INVALID_SOURCE_REPO', `--source-repo ${JSON.stringify(value)} is not URL=PATH.`, [
        'Give the repository URL an Application names and a local clone of it: --source-repo https://github.com/org/charts=../charts',
      ])
    return {url, path: path.resolve(cwd, dir), from: 'flag' as const}
  })
}

/**
 * The mappings in force: the flag's, then the configuration's (paths relative to the checkout `root`) for the
 * repositories the flag does not name. Each path must be a git repository (INVALID_SOURCE_REPO for a flag,
 * CONFIG_INVALID for ameide.yaml).
 */
export function sourceRepoEntries(
  flags: readonly SourceRepoEntry[],
  configured: Readonly<Record<string, string>> | undefined,
  root: string,
): SourceRepoEntry[] {
  const fromConfig = Object.entries(configured ?? {}).map(([url, dir]): SourceRepoEntry => ({
    url,
    path: path.resolve(root, dir),
    from: 'config',
  }))
  const entries = [...flags, ...fromConfig.filter((c) => !flags.some((f) => sameRepository(f.url, c.url)))]
  for (const e of entries) requireRepository(e)
  return entries
}

function requireRepository(e: SourceRepoEntry): void {
  let isDir = false
  try {
    isDir = statSync(e.path).isDirectory()
  } catch {
    isDir = false
  }
  const ok = isDir && gitRevisionReadSync(e.path, ['rev-parse', '--git-dir']).ok
  if (ok) return
  const problem = `${e.path} (mapped to ${e.url}) is not a git repository`
  if (e.from === 'flag') throw usageError('INVALID_SOURCE_REPO', `--source-repo: ${problem}.`)
  throw prerequisiteError('CONFIG_INVALID', `ameide.yaml gitopsPolicy.sourceRepositories: ${problem}.`)
}

const COMMIT = /^[0-9a-f]{7,40}$/i

/** How a tree of this repository names its repository (a mapped one's is its URL). */
const THIS_REPOSITORY = 'this repository'

/**
 * The trees of one run read from git objects besides the revision under review — the mapped repositories, and this
 * repository at the commits its pinned sources name — each read once per commit, all unmounted by `remove`.
 */
export class SourceRepositories {
  private readonly reads = new Map<string, MappedRead>()
  private readonly revisions: Revision[] = []
  private readonly trees = new Map<string, MappedSource>()

  /** `clone`: this repository's clone, where a source pinned to another revision of it is read (gitops diff). */
  constructor(
    readonly entries: readonly SourceRepoEntry[],
    private readonly clone?: string,
  ) {}

  /** The mapping that names `url`, if any. */
  entryOf(url: string): SourceRepoEntry | undefined {
    return url === '' ? undefined : this.entries.find((e) => sameRepository(e.url, url))
  }

  /** `url` read at `targetRevision`; undefined when no mapping names it. Throws REVISION_UNREADABLE as the reader does. */
  read(url: string, targetRevision: string | undefined): MappedRead | undefined {
    const entry = this.entryOf(url)
    if (!entry) return undefined
    const ref = (targetRevision ?? '').trim()
    const key = `${entry.path}\0${ref}`
    if (!this.reads.has(key)) this.reads.set(key, this.readAt(entry, ref))
    return this.reads.get(key)
  }

  /**
   * This repository at the commit a pinned source deploys, read as a mapped repository is; undefined when the clone
   * does not hold it (a ref it lacks, a semver range, a commit it does not have): nothing is fetched.
   */
  pinned(pin: Pin): MappedSource | undefined {
    const written = pin.commit ?? (pin.kind === 'commit' ? pin.ref : undefined)
    const clone = this.clone
    const commit = clone !== undefined && written !== undefined ? resolveRef(clone, written) : undefined
    return commit === undefined ? undefined : this.mounted(clone!, THIS_REPOSITORY, commit, 'pinned')
  }

  private readAt(entry: SourceRepoEntry, ref: string): MappedRead {
    const commit = resolveRef(entry.path, ref)
    if (commit === undefined)
      return {
        problem: `${entry.url} is mapped to ${entry.path}, where targetRevision ${JSON.stringify(ref || 'HEAD')} names no branch, tag or commit`,
      }
    return this.mounted(entry.path, entry.url, commit, 'source')
  }

  /** The clone at `repo` read at `commit`, once a run (its mount's label names the commit: render keys hold it). */
  private mounted(repo: string, url: string, commit: string, label: string): MappedSource {
    const at = `${repo}\0${commit}`
    const known = this.trees.get(at)
    if (known) return known
    const r = readCommitSync(repo, commit, `${label}-${commit}`)
    this.revisions.push(r)
    const tree: MappedSource = {
      url,
      commit,
      dir: r.dir,
      files: new Set(r.files),
      gitlinks: r.gitlinks,
      confined: (p) => {
        const file = confinedPath(r.dir, p)
        return file === undefined || refusedUnder(r.refused, [file]).length > 0 ? undefined : file
      },
    }
    this.trees.set(at, tree)
    return tree
  }

  async remove(): Promise<void> {
    await Promise.all(this.revisions.splice(0).map((r) => r.remove()))
    this.trees.clear()
    this.reads.clear()
  }
}

/**
 * The commit `ref` names in the clone at `repo`, as Argo CD resolves a targetRevision: empty or `HEAD`, the HEAD;
 * `refs/…` as written; else a branch (local, then origin's), a tag, a commit. Undefined when it names none.
 */
export function resolveRef(repo: string, ref: string): string | undefined {
  if (ref.startsWith('-') || /[\s\0]/.test(ref)) return undefined
  const candidates =
    ref === '' || ref === 'HEAD'
      ? ['HEAD']
      : ref.startsWith('refs/')
        ? [ref]
        : [`refs/heads/${ref}`, `refs/remotes/origin/${ref}`, `refs/tags/${ref}`, ...(COMMIT.test(ref) ? [ref] : [])]
  for (const c of candidates) {
    const r = gitRevisionReadSync(repo, ['rev-parse', '--verify', '--quiet', `${c}^{commit}`])
    if (r.ok) return r.stdout.toString('utf8').trim()
  }
  return undefined
}
