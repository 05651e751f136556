/**
 * Flux Kustomizations as a build applies them. kustomize-controller applies the Kustomization its parent's build
 * prints — patched by an overlay (flux2-multi-tenancy's `tenants/<env>` set `spec.path`), its variables substituted
 * by the parent's post-build — not the one its file holds. Where a build prints one whose fields that decide a render
 * (the field table's) differ from its file's, the printed object is planned as the file's are (the render plan's
 * `planFlux`, the Flux plan's own rules) in the parent's environment and rendered in the next wave, as Applications a
 * build prints are; its inputs are the parent's build's and its own, so a change to either is seen. The root planned
 * from the file is withdrawn where the builds of its wave print it, none as written: nothing deploys it then.
 */
import {canonicalJson} from '../../core/canonical-json.js'
import {renderingPart} from '../fields/check.js'
import {at} from '../kubernetes/objects.js'
import type {RenderedObject} from '../kubernetes/objects.js'
import {linedDocuments} from '../kubernetes/yaml-lines.js'
import {readFileSync} from '../../core/memory-fs/index.js'
import path from 'node:path'
import {inScope, type RenderPlan, type RenderRoot} from '../render/plan-types.js'
import {deployer} from './kustomize.js'
import type {RootInputs} from './root-inputs.js'
import type {TreeRoot} from './tree-kustomize.js'
import type {GateContext} from './types.js'

/** The plan's findings on Flux Kustomizations it could not plan from their files. */
export type FluxFindings = Pick<RenderPlan, 'notFound' | 'unavailable' | 'outside'>

/**
 * The plan's findings split: those on a Flux Kustomization of a file a root's build reads (`built`) are held, since
 * that build may print it otherwise — the printed one is then planned instead ({@link followPrinted}); the rest, and
 * after the waves what is still held, are recorded as they are.
 */
export function holdBuilt(plan: FluxFindings, built: ReadonlySet<string>): {now: FluxFindings; held: FluxFindings} {
  const now = (file: string) => !built.has(file)
  return {
    now: {
      notFound: plan.notFound.filter((u) => now(u.file)),
      unavailable: plan.unavailable.filter((u) => now(u.file)),
      outside: plan.outside.filter((o) => now(o.declaredIn)),
    },
    held: {
      notFound: plan.notFound.filter((u) => !now(u.file)),
      unavailable: plan.unavailable.filter((u) => !now(u.file)),
      outside: plan.outside.filter((o) => !now(o.declaredIn)),
    },
  }
}

/** Whether a finding on the Kustomization `name` of `file` is held; dropped when `release` (printed otherwise). */
function heldFor(ctx: GateContext, file: string, name: string, release: boolean): boolean {
  const held = ctx.fluxBuilt.held
  const of = (f: string, by: string | undefined) => f === file && by?.endsWith(`/${name}`) === true
  const found =
    held.notFound.some((u) => of(u.file, u.deployedBy)) ||
    held.unavailable.some((u) => of(u.file, u.deployedBy)) ||
    held.outside.some((o) => of(o.declaredIn, o.deployedBy))
  if (!found || !release) return found
  held.notFound = held.notFound.filter((u) => !of(u.file, u.deployedBy))
  held.unavailable = held.unavailable.filter((u) => !of(u.file, u.deployedBy))
  held.outside = held.outside.filter((o) => !of(o.declaredIn, o.deployedBy))
  return true
}

/** The roots the printed Kustomizations deploy, for the next wave. */
export interface PrintedFlux {
  roots: RenderRoot[]
  trees: TreeRoot[]
}

/**
 * Whether a root planned from a Flux Kustomization's file is applied only otherwise: the builds of its wave taken
 * so far (parents first) print that Kustomization, none as its file says. It is then withdrawn — what kustomize-
 * controller applies is the printed object, planned after the wave — and never reported as deployed by it.
 */
export function printedOtherwise(ctx: GateContext, r: RenderRoot): boolean {
  if (r.via !== 'flux' || r.declaredIn === undefined || r.tree !== undefined) return false
  const file = r.declaredIn
  const printed = ctx.builtKustomizations
    .map(({object}) => object)
    .filter((o) => o.origin === file && r.deployedBy?.endsWith(`/${o.name}`))
  if (printed.length === 0) return false
  const specs = specsIn(ctx, file)
  if (printed.some((o) => !specs.has(o.name) || differing(specs.get(o.name), renderingSpec(o.body)).length === 0))
    return false
  ctx.fluxBuilt.withdrawn.add(r)
  return true
}

/**
 * The Kustomizations this wave's builds printed that differ from their files, each planned as printed (its roots for
 * the next wave, or why not, named); where the file's root was rendered though no build prints it as written (the
 * build printing it lies in a later wave), what it deploys is not known: a finding naming the fields.
 */
export function followPrinted(ctx: GateContext, roots: RootInputs, planned: readonly RenderRoot[]): PrintedFlux {
  const next: PrintedFlux = {roots: [], trees: []}
  const built = ctx.builtKustomizations.splice(0).filter(({object}) => object.origin !== null)
  const fileSpecs = new Map<string, Map<string, unknown>>()
  const differs = built.map(({root, object}) => {
    const origin = object.origin!
    const specs = fileSpecs.get(origin) ?? specsIn(ctx, origin)
    fileSpecs.set(origin, specs)
    const fields = specs.has(object.name) ? differing(specs.get(object.name), renderingSpec(object.body)) : []
    if (specs.has(object.name) && fields.length === 0) ctx.fluxBuilt.asFiled.add(`${origin}\0${object.name}`)
    return {parent: root, object, origin, fields}
  })
  for (const {parent, object, origin, fields} of differs) {
    if (fields.length === 0) continue
    const filed = planned.filter(
      (r) => r.via === 'flux' && r.declaredIn === origin && r.deployedBy?.endsWith(`/${object.name}`),
    )
    const asFiled = ctx.fluxBuilt.asFiled.has(`${origin}\0${object.name}`)
    // Not planned from its file (a folder of no file, another source…): its finding stands where a build prints it
    // as written, else it gives way to the printed one's.
    if (filed.length === 0) {
      if (heldFor(ctx, origin, object.name, !asFiled)) planPrinted(ctx, roots, parent, object, next)
      continue
    }
    const rendered = filed.filter((r) => !ctx.fluxBuilt.withdrawn.has(r))
    if (rendered.length > 0 && !asFiled) unknownAsFiled(ctx, roots, parent, object, rendered, fields)
    else planPrinted(ctx, roots, parent, object, next)
  }
  return next
}

/**
 * A printed Kustomization planned by the plan's own rules, as its parent's build prints it: its roots keyed by the
 * parent's inputs and its own; where it cannot be planned (a path out of the revision or of no file, another source,
 * a field the gate does not apply), the same finding its file would have, naming the build.
 */
function planPrinted(
  ctx: GateContext,
  roots: RootInputs,
  parent: RenderRoot,
  object: RenderedObject,
  next: PrintedFlux,
): void {
  const origin = object.origin!
  const spec = canonicalJson(renderingSpec(object.body))
  const id = `flux-built\0${origin}\0${object.name}\0${parent.dir}\0${parent.environment ?? ''}\0${spec}`
  if (ctx.fluxBuilt.followed.has(id) || !roots.plan.planFlux) return
  ctx.fluxBuilt.followed.add(id)
  const plan = roots.plan.planFlux({obj: object.body, file: origin, line: 1}, parent.environment)
  const reads = [...new Set([...roots.inputsOf(parent), origin])]
  const by = `as ${parent.dir || '.'}${deployer(parent)} builds it`
  const environments = ctx.input.environments
  for (const r of plan.roots.filter((x) => inScope(environments, x.environment))) {
    const root = {...r, rule: `${r.rule ?? 'spec.path of a Flux Kustomization'}, ${by}`}
    roots.printedBy(root, reads)
    next.roots.push(root)
  }
  for (const t of plan.trees) if (t.tree !== undefined) next.trees.push(t as TreeRoot)
  for (const u of plan.notFound) {
    const message = `${u.message} (It is applied ${by}.)`
    ctx.out.failed({...u, message}, {id: `flux-path\0${id}`, reads, extra: canonicalJson({spec: u.spec})})
  }
  for (const u of plan.unavailable) {
    const message = `${u.message} (It is applied ${by}.)`
    // Over a folder of this revision, only its fields not rendered: its printed spec (the id) and what that folder's
    // build reads decide what it deploys — not the rest of what its parent builds (a folder of every app's folder).
    const own = u.root !== undefined ? [origin, ...folderReads(ctx.input.files, roots, u.root)] : reads
    ctx.out.unavailable(
      {...u, message},
      {id: `flux\0${id}`, reads: [...own, ...u.reads], extra: canonicalJson({message, spec: u.spec})},
    )
  }
  for (const o of plan.outside) if (inScope(environments, o.environment)) ctx.refusals.fluxPath(o, by)
}

/** The roots rendered from a file that a build prints otherwise, with none printing it as written: not known. */
function unknownAsFiled(
  ctx: GateContext,
  roots: RootInputs,
  parent: RenderRoot,
  object: RenderedObject,
  rendered: readonly RenderRoot[],
  fields: readonly string[],
): void {
  const origin = object.origin!
  // What the printed path deploys may itself print Flux Kustomizations over any folder: then any change may reach it.
  const own = pathReads(ctx, roots, object.body)
  const reach = ctx.apps.mayHoldFluxObjects(own) ? ctx.input.files : own
  for (const r of rendered) {
    const id = `flux-built\0${r.deployedBy}\0${r.dir}\0${parent.dir}`
    if (ctx.fluxBuilt.followed.has(id)) continue
    ctx.fluxBuilt.followed.add(id)
    const message = `Flux Kustomization ${r.deployedBy} is applied as ${parent.dir || '.'}${deployer(parent)} builds it, which sets ${fields.map((f) => `spec.${f}`).join(', ')} otherwise than ${origin}: the gate rendered ${r.dir || '.'} as the file says before that build was rendered, so what it deploys is not known.`
    ctx.out.unavailable(
      {file: origin, line: 1, message, environment: r.environment},
      {
        id,
        reads: [...roots.inputsOf(parent), ...roots.inputsOf(r), origin, ...reach],
        extra: canonicalJson(renderingSpec(object.body)),
      },
    )
  }
}

/**
 * What the printed Kustomization's own `spec.path` reads in this revision (the folder's files, and what its
 * kustomization reaches): a change there is a change to what it deploys.
 */
function pathReads(ctx: GateContext, roots: RootInputs, body: unknown): string[] {
  const spec = at(body, 'spec', 'path')
  if (typeof spec !== 'string') return []
  const dir = path.posix
    .normalize(spec.replace(/^\.?\/+/, ''))
    .replace(/^\.$/, '')
    .replace(/\/+$/, '')
  return folderReads(ctx.input.files, roots, dir)
}

/**
 * What a Flux Kustomization's build of `dir` (repo-relative) reads in this revision: the folder's files, and what each
 * kustomization in it reaches (kustomize-controller generates one over a folder of folders that includes theirs).
 */
export function folderReads(files: readonly string[], roots: RootInputs, dir: string): string[] {
  if (dir === '..' || dir.startsWith('../')) return []
  const within = (f: string) => dir === '' || f === dir || f.startsWith(`${dir}/`)
  const nested = [...roots.plan.kustomizations.keys()].filter(within)
  return [
    ...new Set([
      ...files.filter(within),
      ...nested.flatMap((d) => roots.inputsOf({dir: d, environment: null, via: 'flux'})),
    ]),
  ]
}

/** The Flux Kustomizations of a file, by name: the part of each spec that decides a render. */
function specsIn(ctx: GateContext, file: string): Map<string, unknown> {
  const specs = new Map<string, unknown>()
  let text: string
  try {
    text = readFileSync(path.join(ctx.input.root, file), 'utf8')
  } catch {
    return specs // unreadable: the Flux plan says so
  }
  for (const {value} of linedDocuments(ctx.input.yaml, text)) {
    if (at(value, 'kind') !== 'Kustomization') continue
    const api = at(value, 'apiVersion')
    const name = at(value, 'metadata', 'name')
    if (typeof api === 'string' && api.startsWith('kustomize.toolkit.fluxcd.io/') && typeof name === 'string')
      specs.set(name, renderingSpec(value))
  }
  return specs
}

const renderingSpec = (doc: unknown): unknown => renderingPart('Kustomization', 'spec', at(doc, 'spec')) ?? null

/** The top-level fields of two specs that differ. */
function differing(a: unknown, b: unknown): string[] {
  const doc = (v: unknown): Record<string, unknown> =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {}
  const keys = [...new Set([...Object.keys(doc(a)), ...Object.keys(doc(b))])].sort()
  return keys.filter((k) => canonicalJson(doc(a)[k] ?? null) !== canonicalJson(doc(b)[k] ?? null))
}
