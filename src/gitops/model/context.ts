/** What reading the deployables needs: the checkout (tracked files), the layout, this repository's URLs. */
import {readFileSync, readTextOrUndefined} from '../../core/memory-fs/index.js'
import path from 'node:path'

import {gitRemoteUrl} from '../../effects/git.js'
import {sharedTemplateEngine} from '../../effects/gotemplate/index.js'
import type {YamlModule} from '../../images/yaml/index.js'
import type {Layout} from '../layout/index.js'
import {sameRepository} from '../revision/repositories.js'
import type {MappedRead, MappedSource, SourceRepositories} from '../revision/source-repos.js'
import type {RefusedLink} from '../revision/links.js'
import type {Revision} from '../revision/model.js'
import type {Pin, Pinned} from '../revision/pinned.js'
import {confinedPath} from '../revision/paths.js'
import {linedDocuments, type LinedDoc} from '../kubernetes/yaml-lines.js'
import type {ExpansionContext} from './types.js'

export interface DeployablesContext extends ExpansionContext {
  /** The checkout's root (absolute): never the ApplicationSet expansion's (it reads through its context only). */
  root: string
  files: ReadonlySet<string>
  layout: Layout
  yaml: YamlModule
  /** The environment of a repo-relative file (an overlay's), or null. */
  envOf(file: string): string | null
  /** A repo-relative file's YAML documents (cached). */
  docsOf(file: string): LinedDoc[]
  /** The repo-relative path `p` resolves to after symlinks, or undefined when it leaves the repository. */
  confined(p: string): string | undefined
  /**
   * The namespace kustomize gives the objects of a file: the `namespace:` of the outermost kustomization that
   * includes it through one chain of `resources` (a file several kustomizations include: undefined).
   */
  namespaceOf?(file: string): string | undefined
  /** Which revision a same-repository source deploys (undefined: the one under review); absent: the one read. */
  pinned?: Pinned
  /** Another repository mapped to a local checkout (--source-repo), read at `targetRevision`; undefined: unmapped. */
  sourceRepository?(url: string, targetRevision: string | undefined): MappedRead | undefined
  /** This repository at a pin's commit, read as a mapped repository is; undefined: the clone does not hold it. */
  pinnedTree?(pin: Pin): MappedSource | undefined
}

/** What the checkout says of itself: the files git tracks and the URLs that name this repository. */
export interface CheckoutIdentity {
  /** `git ls-files` (outside a git repository: the files found), sorted. */
  trackedFiles: readonly string[]
  /** Its `origin` remote and the URLs the policy lists (gitopsPolicy.preview.repositories). */
  repositories: readonly string[]
  /** The revision's refused links (src/gitops/revision): every deployable that could read one is refused. */
  refused?: readonly RefusedLink[]
  /** Its in-bounds links (path → where it resolves): their targets are inputs of the render cache keys. */
  links?: ReadonlyMap<string, string>
  /** Its gitlinks (submodule path → commit): whatever would read one is render-unavailable, named. */
  gitlinks?: ReadonlyMap<string, string>
  /** Each regular file's git blob id, where git gave it (a commit's files; none for the working tree). */
  blobIds?: ReadonlyMap<string, string>
  /**
   * Which revision a same-repository source deploys (../revision/pinned.ts): undefined for the revision under review;
   * absent, every source deploys the revision read.
   */
  pinned?: Pinned
  /** The other repositories mapped to local checkouts (../source-repos.ts). */
  sources?: SourceRepositories
}

/** The URLs that name the repository at `root`: its origin (credentials removed) and `listed` (the policy's). */
export async function repositoryUrls(root: string, listed: readonly string[]): Promise<string[]> {
  const origin = await gitRemoteUrl(root)
  const clean = origin?.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1')
  return [...new Set([...(clean ? [clean] : []), ...listed])]
}

/** A revision's {@link CheckoutIdentity} (src/gitops/revision): its tracked files and links, this repository's URLs. */
export function checkoutOf(
  revision: Pick<Revision, 'tracked' | 'refused' | 'links'> & Partial<Pick<Revision, 'gitlinks' | 'blobIds'>>,
  repositories: readonly string[],
  pinned?: Pinned,
  sources?: SourceRepositories,
): CheckoutIdentity {
  return {
    ...(pinned ? {pinned} : {}),
    ...(sources ? {sources} : {}),
    trackedFiles: revision.tracked,
    repositories,
    refused: revision.refused,
    links: revision.links,
    ...(revision.gitlinks ? {gitlinks: revision.gitlinks} : {}),
    ...(revision.blobIds && revision.blobIds.size > 0 ? {blobIds: revision.blobIds} : {}),
  }
}

/**
 * The documents of a text, parsed once for every context of the process: a pull request's base and head hold the same
 * bytes in nearly every values file, and the models only read what they get. At most {@link TEXTS_KEPT} texts.
 */
const parsedTexts = new Map<string, LinedDoc[]>()
const TEXTS_KEPT = 20_000

function documentsOf(yaml: YamlModule, text: string): LinedDoc[] {
  let docs = parsedTexts.get(text)
  if (docs === undefined) {
    if (parsedTexts.size >= TEXTS_KEPT) parsedTexts.clear()
    docs = linedDocuments(yaml, text)
    parsedTexts.set(text, docs)
  }
  return docs
}

/** The texts of the revision at `root`, each read once: undefined where a path leaves it or holds no readable file. */
function textReader(root: string): (file: string) => string | undefined {
  const texts = new Map<string, string | undefined>()
  return (file) => {
    if (!texts.has(file)) {
      let text: string | undefined
      try {
        // Confined after symlinks, as every path a deployable names (a git generator's files included).
        text = confinedPath(root, file) === undefined ? undefined : readTextOrUndefined(path.join(root, file))
      } catch {
        text = undefined
      }
      texts.set(file, text)
    }
    return texts.get(file)
  }
}

/** A revision's reading context. Where a path leads is memoized: the revision is read-only (value files are shared). */
export function makeContext(
  root: string,
  files: readonly string[],
  layout: Layout,
  yaml: YamlModule,
  checkout: CheckoutIdentity,
): DeployablesContext {
  const docs = new Map<string, LinedDoc[]>()
  const confinedPaths = new Map<string, string | undefined>()
  const confined = (p: string) => {
    if (!confinedPaths.has(p)) confinedPaths.set(p, confinedPath(root, p))
    return confinedPaths.get(p)
  }
  let graph: ReturnType<typeof kustomizeGraph> | undefined
  const readText = textReader(root)
  return {
    root,
    trackedFiles: checkout.trackedFiles,
    maxApplications: layout.policy.maxApplications,
    files: new Set(files),
    layout,
    yaml,
    isThisRepository: (url) => checkout.repositories.some((mine) => sameRepository(mine, url)),
    ...(checkout.pinned ? {pinned: checkout.pinned} : {}),
    ...(checkout.sources
      ? {
          sourceRepository: checkout.sources.read.bind(checkout.sources),
          pinnedTree: checkout.sources.pinned.bind(checkout.sources),
        }
      : {}),
    named: checkout.repositories.length > 0,
    readText,
    ...(checkout.blobIds ? {textId: textIdOf(checkout)} : {}),
    templateEngine: sharedTemplateEngine,
    envOf(file) {
      const zone = layout.zoneOf(file)
      return zone?.kind === 'overlay' ? zone.env : null
    },
    docsOf(file) {
      if (!docs.has(file)) {
        const text = readText(file)
        docs.set(file, text === undefined ? [] : documentsOf(yaml, text))
      }
      return docs.get(file)!
    },
    confined,
    namespaceOf(file) {
      graph ??= kustomizeGraph(files, (f) => this.docsOf(f))
      const g = graph
      // Every namespace the file's objects get, one per chain of kustomizations up to a root (the outermost that
      // sets one wins, as kustomize applies the outer overlay last); one answer only when every chain agrees.
      const outcomes = (key: string, depth: number): Set<string | undefined> => {
        const known = g.memo.get(key)
        if (known) return known
        const parents = g.parents.get(key) ?? []
        const out = new Set<string | undefined>()
        if (parents.length === 0 || depth > 32) out.add(undefined)
        for (const p of depth > 32 ? [] : parents) {
          for (const outer of outcomes(p, depth + 1)) out.add(outer ?? g.namespaces.get(p))
        }
        g.memo.set(key, out)
        return out
      }
      const found = outcomes(file, 0)
      return found.size === 1 ? [...found][0] : undefined
    },
  }
}

/**
 * `ctx` over another tree (this repository at a pinned commit, a mapped repository): its files, paths confined to it
 * and its texts, so a source read from it is read as one of the revision under review is. Its files' environments
 * are the revision's (by path); kustomize's namespaces of the revision do not apply to it.
 */
export function treeContext(ctx: DeployablesContext, tree: MappedSource): DeployablesContext {
  const texts = new Map<string, string | undefined>()
  const readText = (file: string) => {
    if (!texts.has(file)) {
      let text: string | undefined
      try {
        text = tree.confined(file) === undefined ? undefined : readFileSync(path.join(tree.dir, file), 'utf8')
      } catch {
        text = undefined
      }
      texts.set(file, text)
    }
    return texts.get(file)
  }
  const docs = new Map<string, LinedDoc[]>()
  const out: DeployablesContext = {
    ...ctx,
    root: tree.dir,
    trackedFiles: [...tree.files],
    files: tree.files,
    readText,
    confined: tree.confined,
    docsOf(file) {
      if (!docs.has(file)) {
        const text = readText(file)
        docs.set(file, text === undefined ? [] : documentsOf(ctx.yaml, text))
      }
      return docs.get(file)!
    },
  }
  delete out.namespaceOf
  // Its texts are the other tree's: none is known by the revision's blob ids.
  delete out.textId
  return out
}

/** An empty, `.` or `..` step of a path. */
const ODD_STEP = /(?:^|\/)\.{0,2}(?:\/|$)/

/** What `textId` answers for a path that holds no text in the revision. */
export const NO_TEXT = 'absent'

/**
 * A file's text known without reading it: git's blob id of a regular file the revision holds at that very path (its
 * bytes, so its text, are the blob's); {@link NO_TEXT} for a plain path (no empty, `.` or `..` step) with no link on
 * its way that holds no regular file, when every regular file's blob id is known; undefined for anything else.
 */
function textIdOf(checkout: CheckoutIdentity): ((file: string) => string | undefined) | undefined {
  const {blobIds} = checkout
  if (!blobIds) return undefined
  const links = checkout.links ?? new Map<string, string>()
  const whole = blobIds.size === checkout.trackedFiles.length - links.size
  const plain = (file: string) => {
    if (ODD_STEP.test(file)) return false
    if (links.size === 0) return true
    for (let at = file.indexOf('/'); at !== -1; at = file.indexOf('/', at + 1))
      if (links.has(file.slice(0, at))) return false
    return !links.has(file)
  }
  return (file) => blobIds.get(file) ?? (whole && plain(file) ? NO_TEXT : undefined)
}

const KUSTOMIZATION_NAMES = new Set(['kustomization.yaml', 'kustomization.yml', 'Kustomization'])

/** Which kustomization folders include each file and folder (`resources`), and each one's `namespace:`. */
function kustomizeGraph(
  files: readonly string[],
  docsOf: (file: string) => LinedDoc[],
): {parents: Map<string, string[]>; namespaces: Map<string, string>; memo: Map<string, Set<string | undefined>>} {
  const parents = new Map<string, string[]>()
  const namespaces = new Map<string, string>()
  const all = new Set(files)
  for (const file of files) {
    if (!KUSTOMIZATION_NAMES.has(path.posix.basename(file))) continue
    const dir = path.posix.dirname(file) === '.' ? '' : path.posix.dirname(file)
    const doc = docsOf(file)[0]?.value as Record<string, unknown> | undefined
    if (!doc || typeof doc !== 'object') continue
    if (typeof doc.namespace === 'string' && doc.namespace) namespaces.set(dir, doc.namespace)
    for (const r of Array.isArray(doc.resources) ? doc.resources : []) {
      if (typeof r !== 'string' || r.includes('://')) continue
      const target = path.posix.normalize(path.posix.join(dir, r)).replace(/\/$/, '')
      if (target.startsWith('..')) continue
      const key = all.has(target) ? target : target === '.' ? '' : target
      parents.set(key, [...(parents.get(key) ?? []), dir])
    }
  }
  return {parents, namespaces, memo: new Map()}
}
