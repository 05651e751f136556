/**
 * What a revision is, for every reader and renderer of a GitOps repository (`gitops diff`, `gitops verify --render`,
 * `--print-layout`): its tracked files, held in memory and mounted where no host path reaches
 * (core/memory-fs: every reader's file functions answer from it) — no `.git`, no untracked or ignored file — with its
 * symbolic links checked once (./links.ts). A refused link is not kept, so no renderer can read through it; an
 * in-bounds one is, and keeps working. Nothing of it is written to the host's disk.
 *
 * - A commit is read from git objects (`git ls-tree -r -z`, `git cat-file --batch`): raw blobs, their modes, links
 *   as links; no checkout, so no filter driver (LFS), hook or attribute of the user's configuration runs.
 * - The working tree (commit null): the files git tracks (`git ls-files -z -s`), their working-tree bytes; a deleted
 *   one is absent; a path under a folder that became a link is skipped (git does not follow it either).
 * - Outside a git repository (`verify` on a plain folder): the files a walk finds (not entering `.git`,
 *   `node_modules`), the same check on their links.
 */
import {lstatSync, readdirSync, readFileSync, readlinkSync, realpathSync, type Stats} from 'node:fs'
import path from 'node:path'

import {failureError} from '../../core/errors.js'
import {MemoryTree, mount, unmount} from '../../core/memory-fs/index.js'
import {gitRevisionRead, gitRevisionReadSync} from '../../effects/git.js'
import {keepCommit, keptCommit, type HeldValue} from './kept.js'
import {checkLinks} from './links.js'
import type {Revision} from './model.js'

export {REFUSAL_TEXT, refusedUnder} from './links.js'
export type {Revision} from './model.js'
export {confinedPath, repoRelative} from './paths.js'

interface Entry {
  path: string
  /** A regular file: its bytes come from `bytes`; a link: its target as written; a gitlink: the commit it names. */
  kind: 'file' | 'link' | 'gitlink'
  executable: boolean
  target?: string
  bytes?: () => Uint8Array
  /** A file read from git objects: its blob id. */
  oid?: string
}

/** A revision of the repository at `root`: `commit`, or the working tree (null). */
export async function readRevision(root: string, commit: string | null, label = 'revision'): Promise<Revision> {
  const [revision] = await readRevisions(root, [{commit, label}])
  return revision
}

/**
 * Several revisions of the repository at `root`, each as {@link readRevision} reads it: the commits' blobs in one
 * `git cat-file --batch`, a blob the revisions share read once (a pull request's base and head share nearly all).
 * `listed` is told when the trees are listed and git reads their blobs (the caller's own work then waits on nothing).
 */
export async function readRevisions(root: string, wanted: readonly Wanted[], listed?: () => void): Promise<Revision[]> {
  const kept = wanted.map((w) => (w.commit === null ? undefined : keptCommit(w.commit)))
  const trees = await Promise.all(
    wanted.map((w, i) => (w.commit === null || kept[i] ? undefined : listCommit(root, w.commit, w.label))),
  )
  const reading = readBlobs(root, trees, wanted)
  listed?.()
  const objects = await reading
  const entries = await Promise.all(
    wanted.map((w, i) =>
      kept[i] ? [] : trees[i] ? entriesOf(trees[i], objects, w.commit!, w.label) : fromWorkingTree(root),
    ),
  )
  const made: Revision[] = []
  try {
    for (const [i, w] of wanted.entries()) {
      const k = kept[i]
      made.push(
        k ? mounted(k.tree, k.value, w.commit, w.label) : held(entries[i], w.commit, w.label, trees[i], objects),
      )
    }
  } catch (e) {
    for (const r of made) unmount(r.dir)
    throw e
  }
  return made
}

/** A revision to read: a commit, or the working tree (null); its label names it in messages and its mount. */
interface Wanted {
  commit: string | null
  label: string
}

/** The entries held in memory and mounted; a commit's kept where the process keeps commits (./kept.ts). */
function held(
  entries: Entry[],
  commit: string | null,
  label: string,
  tree?: Tree,
  objects?: Map<string, Buffer>,
): Revision {
  const memory = new MemoryTree()
  const value = hold(memory, entries)
  memory.freeze()
  if (commit !== null) {
    const bytes = tree?.items.reduce((n, i) => n + (objects?.get(i.oid)?.length ?? 0), 0) ?? 0
    keepCommit(commit, {tree: memory, value, bytes})
  }
  return mounted(memory, value, commit, label)
}

/** A frozen tree mounted at a path of its own: the revision a reader gets. */
function mounted(tree: MemoryTree, value: HeldValue, commit: string | null, label: string): Revision {
  const dir = mount(tree, label)
  return {...value, dir, commit, remove: () => Promise.resolve(unmount(dir))}
}

/** The commit's tree (`git ls-tree -r -z`). */
async function listCommit(root: string, commit: string, label: string): Promise<Tree> {
  const listed = await gitRevisionRead(root, ['ls-tree', '-r', '-z', '--full-tree', commit])
  if (!listed.ok) throw unreadable(commit, label, listed.stderr)
  return parseTree(listed.stdout)
}

/** The bytes of every blob of `trees`, each read once; a failure is said of the first commit wanted. */
async function readBlobs(
  root: string,
  trees: ReadonlyArray<Tree | undefined>,
  wanted: readonly Wanted[],
): Promise<Map<string, Buffer>> {
  const oids = [...new Set(trees.flatMap((t) => t?.items.map((i) => i.oid) ?? []))]
  if (oids.length === 0) return new Map()
  const blobs = await gitRevisionRead(root, ['cat-file', '--batch'], `${oids.join('\n')}\n`)
  const first = wanted.find((w) => w.commit !== null)!
  if (!blobs.ok) throw unreadable(first.commit!, first.label, blobs.stderr)
  return parseBatch(blobs.stdout)
}

/**
 * A commit of the repository at `root` read as {@link readRevision} reads one, synchronously: a repository mapped
 * with --source-repo, read when a source first names it. Throws REVISION_UNREADABLE as readRevision does.
 */
export function readCommitSync(root: string, commit: string, label: string): Revision {
  const kept = keptCommit(commit)
  if (kept) return mounted(kept.tree, kept.value, commit, label)
  const listed = gitRevisionReadSync(root, ['ls-tree', '-r', '-z', '--full-tree', commit])
  if (!listed.ok) throw unreadable(commit, label, listed.stderr)
  const tree = parseTree(listed.stdout)
  const oids = [...new Set(tree.items.map((i) => i.oid))]
  const blobs = oids.length === 0 ? EMPTY : gitRevisionReadSync(root, ['cat-file', '--batch'], `${oids.join('\n')}\n`)
  if (!blobs.ok) throw unreadable(commit, label, blobs.stderr)
  const objects = parseBatch(blobs.stdout)
  return held(entriesOf(tree, objects, commit, label), commit, label, tree, objects)
}

const EMPTY = {ok: true, stdout: Buffer.alloc(0), stderr: ''}

const unreadable = (commit: string, label: string, stderr: string) =>
  failureError(
    'REVISION_UNREADABLE',
    `The ${label} revision ${commit.slice(0, 12)} could not be read from git objects: ${stderr.trim() || 'git failed'}`,
    ['In a shallow or partial clone fetch the revision (git fetch --unshallow), then run again.'],
  )

interface Tree {
  items: Array<{mode: string; oid: string; path: string}>
  gitlinks: Entry[]
}

/** `git ls-tree -r -z` output: its blobs, and its gitlinks. */
function parseTree(stdout: Buffer): Tree {
  const items: Tree['items'] = []
  const gitlinks: Entry[] = []
  for (const record of stdout.toString('utf8').split('\0')) {
    const m = /^(\d+) (\w+) ([0-9a-f]+)\t(.+)$/s.exec(record)
    if (m && m[2] === 'blob') items.push({mode: m[1], oid: m[3], path: m[4]})
    // A submodule: recorded, never skipped silently (its readers are render-unavailable).
    else if (m && m[2] === 'commit') gitlinks.push({path: m[4], kind: 'gitlink', executable: false, target: m[3]})
  }
  return {items, gitlinks}
}

/** The tree's entries, each blob's bytes from `objects`. */
function entriesOf(tree: Tree, objects: Map<string, Buffer>, commit: string, label: string): Entry[] {
  return [
    ...tree.gitlinks,
    ...tree.items.map((i): Entry => {
      const bytes = objects.get(i.oid)
      if (bytes === undefined) throw unreadable(commit, label, `object ${i.oid.slice(0, 12)} is missing`)
      return i.mode === '120000'
        ? {path: i.path, kind: 'link', executable: false, target: bytes.toString('utf8')}
        : {path: i.path, kind: 'file', executable: i.mode === '100755', bytes: () => bytes, oid: i.oid}
    }),
  ]
}

/** `git cat-file --batch` output: each object's bytes. */
function parseBatch(out: Buffer): Map<string, Buffer> {
  const objects = new Map<string, Buffer>()
  let at = 0
  while (at < out.length) {
    const eol = out.indexOf(0x0a, at)
    if (eol < 0) break
    const header = out.toString('utf8', at, eol).split(' ')
    at = eol + 1
    if (header[1] === 'missing' || header.length < 3) continue
    const size = Number(header[2])
    objects.set(header[0], out.subarray(at, at + size))
    at += size + 1
  }
  return objects
}

/** The tracked files' working-tree bytes (outside git: the files a walk finds). */
async function fromWorkingTree(root: string): Promise<Entry[]> {
  const listed = await gitRevisionRead(root, ['ls-files', '-z', '-s'])
  const gitlinks: Entry[] = []
  for (const r of listed.ok ? listed.stdout.toString('utf8').split('\0') : []) {
    const m = /^160000 ([0-9a-f]+) \d\t(.+)$/s.exec(r)
    if (m) gitlinks.push({path: m[2], kind: 'gitlink', executable: false, target: m[1]})
  }
  const paths = listed.ok
    ? [
        ...new Set(
          listed.stdout
            .toString('utf8')
            .split('\0')
            .flatMap((r) => /^\d+ [0-9a-f]+ \d\t(.+)$/s.exec(r)?.[1] ?? []),
        ),
      ]
    : walk(root)
  const real = realpathSync(root)
  const folders = new Map<string, boolean>([['', true]])
  // A folder is read only when it is a real folder of the checkout (not a link to one, as git itself does not).
  const isFolder = (rel: string): boolean => {
    const known = folders.get(rel)
    if (known !== undefined) return known
    const parent = path.posix.dirname(rel)
    let ok = isFolder(parent === '.' ? '' : parent)
    if (ok) {
      try {
        ok = lstatSync(path.join(real, rel)).isDirectory()
      } catch {
        ok = false
      }
    }
    folders.set(rel, ok)
    return ok
  }
  const entries: Entry[] = [...gitlinks]
  const submodules = new Set(gitlinks.map((g) => g.path))
  for (const rel of paths) {
    if (submodules.has(rel)) continue
    const parent = path.posix.dirname(rel)
    if (rel.split('/').includes('.git') || !isFolder(parent === '.' ? '' : parent)) continue
    const abs = path.join(real, rel)
    let st: Stats
    try {
      st = lstatSync(abs)
    } catch {
      continue // deleted in the working tree: absent from the revision
    }
    if (st.isSymbolicLink()) entries.push({path: rel, kind: 'link', executable: false, target: readlinkSync(abs)})
    else if (st.isFile()) {
      entries.push({path: rel, kind: 'file', executable: (st.mode & 0o111) !== 0, bytes: () => readFileSync(abs)})
    }
  }
  return entries
}

/** Files and links of a folder outside git: `.git` and `node_modules` not entered, links not followed. */
function walk(root: string): string[] {
  const out: string[] = []
  const visit = (rel: string) => {
    for (const e of readdirSync(path.join(root, rel), {withFileTypes: true})) {
      const child = rel === '' ? e.name : `${rel}/${e.name}`
      if (e.isDirectory()) {
        if (e.name !== '.git' && e.name !== 'node_modules') visit(child)
      } else if (e.isFile() || e.isSymbolicLink()) out.push(child)
    }
  }
  visit('')
  return out
}

/** Holds the entries in `tree`: files, then the links the check let through. */
function hold(
  tree: MemoryTree,
  entries: Entry[],
): Pick<Revision, 'files' | 'tracked' | 'links' | 'refused' | 'gitlinks' | 'blobIds'> {
  const regular = new Set<string>()
  const blobIds = new Map<string, string>()
  const targets = new Map<string, string>()
  const gitlinks = new Map<string, string>()
  for (const e of entries) {
    if (!safePath(e.path)) continue
    if (e.kind === 'gitlink') gitlinks.set(e.path, e.target!)
    else if (e.kind === 'link') targets.set(e.path, e.target!)
    else {
      tree.set(e.path, {kind: 'file', bytes: e.bytes!(), executable: e.executable})
      regular.add(e.path)
      if (e.oid !== undefined) blobIds.set(e.path, e.oid)
    }
  }
  const {refused, resolved} = checkLinks(targets)
  for (const [link] of resolved) tree.set(link, {kind: 'link', target: targets.get(link)!})
  const listed = (p: string) => !p.startsWith('.github/') && !p.split('/').includes('node_modules')
  const files = [...regular, ...[...resolved].filter(([, to]) => regular.has(to)).map(([link]) => link)]
  return {
    files: files.filter(listed).sort(),
    tracked: [...regular, ...resolved.keys()].sort(),
    links: resolved,
    refused,
    gitlinks,
    blobIds,
  }
}

/** A repo-relative path git could hold: no empty, `.`, `..` or `.git` step, not absolute. */
const safePath = (p: string): boolean =>
  p !== '' && !p.startsWith('/') && p.split('/').every((s) => s !== '' && s !== '.' && s !== '..' && s !== '.git')
