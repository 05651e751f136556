/**
 * A root that fails is an unknown, never an absence. The Applications of the files a root no Application deploys
 * names (./built-declarations.ts) are applied as its build prints them; where the root is not rendered (failed,
 * unavailable, refused, past a limit) they are not printed in that revision, so each is unknown there: a not-rendered
 * finding on its file names it, the root and the root's error, keyed by the root's inputs and every file its sources
 * read — any change it could reach makes `gitops diff` incomplete, and it is neither "removed" nor "added".
 */
import {canonicalJson} from '../../core/canonical-json.js'
import type {Deployed} from '../deployables/index.js'
import type {RenderRoot} from '../render/plan-types.js'
import {filesWithPrefix} from '../revision/paths.js'
import type {RenderFindings} from '../render/gate-findings.js'
import type {KustomizationNode} from '../kustomize/kustomizations.js'

/** An Application (or an ApplicationSet's part) a root's build prints: where, and what its sources read. */
export interface PrintedApplication {
  file: string
  line: number
  application?: string
  /** Repo-relative files its sources read; `unknown`: what it reads cannot be said. */
  reads: readonly string[] | 'unknown'
  /** What the root names cannot be read (why): what it applies may be anything, so it reads the whole revision. */
  unbounded?: string
}

/** Per root, what its build prints (roots printing nothing are left out). */
export type PrintedBy = ReadonlyMap<RenderRoot, readonly PrintedApplication[]>

/** What the Applications of `files` deploy, as the Applications they are: one entry per Application and file. */
export function printedApplications(
  deployed: Deployed,
  files: ReadonlySet<string>,
  revisionFiles: readonly string[],
): PrintedApplication[] {
  const under = (dir: string) => filesWithPrefix(revisionFiles, dir ? `${dir}/` : '')
  const parts: PrintedApplication[] = [
    ...deployed.kustomize.map((k) => ({
      file: k.declaredIn,
      line: 1,
      application: k.application,
      reads: k.tree ? [k.declaredIn] : [k.declaredIn, ...under(k.dir)],
    })),
    ...deployed.helm
      .filter((d) => d.kind === 'Application')
      .map((d) => ({
        file: d.file,
        line: d.line,
        application: d.application,
        reads: [
          ...(d.tree || d.remote ? [] : under(d.chart)),
          ...d.valueFiles,
          ...d.setFile.map((f) => f.path),
          ...d.reads,
        ],
      })),
    ...deployed.directory.map((d) => ({
      file: d.file,
      line: d.line,
      application: d.application,
      reads: [...(d.tree ? [] : under(d.dir)), ...d.reads],
    })),
    ...deployed.unrenderable.map((u) => ({
      file: u.file,
      line: u.line,
      ...(u.application !== undefined ? {application: u.application} : {}),
      reads: u.inputs === 'unknown' ? ('unknown' as const) : u.inputs.reads,
    })),
  ]
  return merged(parts.filter((p) => files.has(p.file)))
}

/**
 * What a root names that cannot be read — a kustomization that does not parse, a file declaring a deployable that was
 * not read, and, where what it reads names Argo CD or Flux kinds (`controllers`), a resource, base or component the
 * revision does not hold —: what it applies cannot be bounded (it may be Applications over any folder), so each is an
 * entry over the whole revision. (A plain overlay's missing base is its own failure, keyed by its own inputs.)
 */
export function unbounded(
  nodes: ReadonlyArray<Pick<KustomizationNode, 'file' | 'files' | 'unreadable' | 'missing'>>,
  unread: ReadonlySet<string>,
  revisionFiles: readonly string[],
  controllers: boolean,
): PrintedApplication[] {
  const entry = (file: string, why: string): PrintedApplication => ({
    file,
    line: 1,
    reads: revisionFiles,
    unbounded: why,
  })
  return nodes.flatMap((n) => [
    ...(n.unreadable !== undefined ? [entry(n.file, `${n.file} could not be read`)] : []),
    ...(controllers ? (n.missing ?? []) : []).map((m) =>
      entry(n.file, `${n.file} names ${m || '.'}, which the revision does not hold`),
    ),
    ...n.files.filter((f) => unread.has(f)).map((f) => entry(f, `${f} could not be read`)),
  ])
}

/** One entry per file and Application, its sources' reads together. */
function merged(parts: readonly PrintedApplication[]): PrintedApplication[] {
  const out = new Map<string, PrintedApplication>()
  for (const p of parts) {
    const key = `${p.file}\0${p.application ?? ''}`
    const had = out.get(key)
    const reads = had?.reads === 'unknown' || p.reads === 'unknown' ? 'unknown' : [...(had?.reads ?? []), ...p.reads]
    out.set(key, {...p, line: had ? Math.min(had.line, p.line) : p.line, reads})
  }
  return [...out.values()]
}

/**
 * The Applications `root` prints, each unknown in this revision since the root is not rendered (`why`, its own
 * finding's message): a not-rendered finding each, about the root's inputs and what its sources read.
 */
export function unknownPrinted(
  out: RenderFindings,
  printedBy: PrintedBy,
  root: RenderRoot,
  rootInputs: () => readonly string[],
  why: string,
): void {
  for (const p of printedBy.get(root) ?? []) {
    const name = p.application !== undefined ? `Application ${p.application}` : `What ${p.file} declares`
    const message =
      p.unbounded !== undefined
        ? `What ${root.dir || '.'} applies is unknown in this revision: it is not rendered (${why}) and ${p.unbounded}, so it may deploy anything the revision holds.`
        : `${name} is applied as ${root.dir || '.'}'s build prints it, and that root is not rendered (${why}): what it deploys is unknown in this revision, neither absent nor deployed.`
    const site = {
      file: p.file,
      line: p.line,
      environment: root.environment,
      ...(p.application !== undefined ? {application: p.application} : {}),
      message,
    }
    const about =
      p.reads === 'unknown'
        ? ('unknown' as const)
        : {
            id: `printed\0${root.dir}\0${p.file}\0${p.application ?? ''}\0${p.unbounded ?? ''}`,
            reads: [...new Set([...rootInputs(), ...p.reads])],
            // Not the message: the root's error may name where the revision is read.
            extra: canonicalJson({printedBy: root.dir, application: p.application ?? null}),
          }
    out.failed(site, about)
  }
}

/** Per root no Application deploys, the Flux roots of the Kustomizations its files declare (it applies them). */
export type FluxPrintedBy = ReadonlyMap<RenderRoot, readonly RenderRoot[]>

/** The Flux roots whose Kustomization a file of another root's build declares, by that root. */
export function fluxPrinted(
  roots: readonly RenderRoot[],
  filesOf: (r: RenderRoot) => readonly string[],
): Map<RenderRoot, RenderRoot[]> {
  const out = new Map<RenderRoot, RenderRoot[]>()
  const flux = roots.filter((f) => f.via === 'flux' && f.declaredIn !== undefined)
  if (flux.length === 0) return out
  for (const r of roots) {
    if (r.via === 'argocd' || r.tree !== undefined) continue
    const files = new Set(filesOf(r))
    const applied = flux.filter((f) => f !== r && files.has(f.declaredIn!))
    if (applied.length > 0) out.set(r, applied)
  }
  return out
}

/**
 * The Flux roots of `list` a root that is not rendered applies (`failed`: each such root and why), each with the
 * root and why: what kustomize-controller builds for them is unknown in this revision.
 */
export function unknownFluxRoots(
  fluxPrintedBy: FluxPrintedBy,
  failed: ReadonlyMap<RenderRoot, string>,
): Map<RenderRoot, {by: RenderRoot; why: string}> {
  const out = new Map<RenderRoot, {by: RenderRoot; why: string}>()
  for (const [root, why] of failed) for (const f of fluxPrintedBy.get(root) ?? []) out.set(f, {by: root, why})
  return out
}

/**
 * `list` with each root after the roots of `list` whose build applies its Flux Kustomization (`fluxPrintedBy`), in
 * its order otherwise: what a parent prints is known before its children are taken. A cycle keeps its order.
 */
export function parentsFirst(list: readonly RenderRoot[], fluxPrintedBy: FluxPrintedBy): RenderRoot[] {
  const parents = new Map<RenderRoot, RenderRoot[]>()
  for (const p of list) for (const c of fluxPrintedBy.get(p) ?? []) parents.set(c, [...(parents.get(c) ?? []), p])
  if (parents.size === 0) return [...list]
  const depth = new Map<RenderRoot, number>()
  const depthOf = (r: RenderRoot, path: Set<RenderRoot>): number => {
    const known = depth.get(r)
    if (known !== undefined) return known
    if (path.has(r)) return 0
    path.add(r)
    const d = Math.max(0, ...(parents.get(r) ?? []).map((p) => depthOf(p, path) + 1))
    path.delete(r)
    depth.set(r, d)
    return d
  }
  const ordered = list.map((r, i) => ({r, i, d: depthOf(r, new Set())}))
  return ordered.sort((a, b) => a.d - b.d || a.i - b.i).map((x) => x.r)
}
