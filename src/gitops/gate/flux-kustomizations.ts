/**
 * Flux Kustomizations as a build applies them. kustomize-controller applies the Kustomization its parent's build
 * prints — patched by an overlay (flux2-multi-tenancy's `tenants/<env>` set `spec.path`), its variables substituted
 * by the parent's post-build — while the gate plans each Kustomization from its file. Where a build prints one whose
 * fields that decide a render (the field table's) differ from its file's, what it deploys is not what the gate
 * rendered: `render-unavailable`, naming the fields, on the root it deploys; its inputs are the build's and that
 * root's, so a change to either makes the diff incomplete, never a wrong "changed" or "No change".
 */
import {canonicalJson} from '../../core/canonical-json.js'
import {renderingPart} from '../fields/check.js'
import {at} from '../kubernetes/objects.js'
import {linedDocuments} from '../kubernetes/yaml-lines.js'
import {readFileSync} from '../../core/memory-fs/index.js'
import path from 'node:path'
import type {RenderRoot} from '../render/plan-types.js'
import {deployer, type RootInputs} from './kustomize.js'
import type {GateContext} from './types.js'

/** The Kustomizations this wave's builds printed, each held to its file: a finding where they differ. */
export function holdToFiles(ctx: GateContext, roots: RootInputs, planned: readonly RenderRoot[]): void {
  const fileSpecs = new Map<string, Map<string, unknown>>()
  const seen = new Set<string>()
  for (const {root: parent, object} of ctx.builtKustomizations.splice(0)) {
    if (object.origin === null) continue
    const specs = fileSpecs.get(object.origin) ?? specsIn(ctx, object.origin)
    fileSpecs.set(object.origin, specs)
    if (!specs.has(object.name)) continue
    const fields = differing(specs.get(object.name), renderingSpec(object.body))
    if (fields.length === 0) continue
    for (const r of planned) {
      if (r.via !== 'flux' || r.declaredIn !== object.origin || !r.deployedBy?.endsWith(`/${object.name}`)) continue
      const id = `flux-built\0${r.deployedBy}\0${r.dir}\0${parent.dir}`
      if (seen.has(id)) continue
      seen.add(id)
      const message = `Flux Kustomization ${r.deployedBy} is applied as ${parent.dir || '.'}${deployer(parent)} builds it, which sets ${fields.map((f) => `spec.${f}`).join(', ')} otherwise than ${object.origin}: the gate renders ${r.dir || '.'} as the file says, so what it deploys is not known.`
      ctx.out.unavailable(
        {file: object.origin, line: 1, message, environment: r.environment},
        {
          id,
          reads: [...roots.inputsOf(parent), ...roots.inputsOf(r), ...pathReads(ctx, roots, object.body)],
          extra: canonicalJson(renderingSpec(object.body)),
        },
      )
    }
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
  if (dir.startsWith('..')) return []
  const under = ctx.input.files.filter((f) => dir === '' || f.startsWith(`${dir}/`))
  if (!roots.plan.kustomizations.has(dir)) return under
  return [...under, ...roots.inputsOf({dir, environment: null, via: 'flux'})]
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
