/**
 * An Argo CD directory source in the render gate: refused when it could read outside the revision, unavailable
 * when it holds a submodule, else read as Argo CD reads it (./directory.ts), its jsonnet evaluated by the render
 * module (./directory-jsonnet.ts; unavailable without it), and judged.
 */
import {canonicalJson} from '../../core/canonical-json.js'
import type {Jsonnet} from '../../effects/render-module/jsonnet.js'
import type {DirectoryDeployable} from '../model/model.js'
import {crdScopesDigest} from '../kubernetes/crd-scopes.js'
import {renderDirectory} from '../argocd/directory/render.js'
import {evaluateDirectoryJsonnet} from '../argocd/directory/jsonnet.js'
import type {DirectoryStatus, GateContext} from './types.js'
import type {RenderedObject} from '../kubernetes/objects.js'
import {gitlinksUnder, gitlinkText} from '../render/refusals.js'
import type {RenderRoot} from '../render/plan-types.js'

/** One Argo CD directory source, read as the repo-server reads it (no tool runs), judged like a render. */
export async function renderOneDirectory(ctx: GateContext, d: DirectoryDeployable): Promise<void> {
  const {input, out, report, refusals, judge, apps, covered, linked, skipUnless} = ctx
  // Another tree's manifests are in its commit (part of the key), none of this revision's files.
  const inputs = [...new Set([...(d.tree ? [] : d.manifests), ...d.reads])]
  const where = {application: d.application, dir: d.dir, environment: d.environment, declaredIn: d.file}
  const root: RenderRoot = {...where, via: 'argocd'}
  const status: DirectoryStatus = {...where, status: 'rendered', objects: 0}
  report.directories.push(status)
  const site = {file: d.file, line: d.line, environment: d.environment, application: d.application}
  // Another tree's folder was confined to it, its refused links with it, when it was read.
  const paths = [...(d.tree ? [] : [d.dir]), ...inputs]
  if (refusals.check(`Application ${d.application}: folder ${d.dir || '.'}`, paths, site)) {
    status.status = 'refused'
    return
  }
  const source = (d.spec as {source?: {directory?: {recurse?: unknown}}} | null)?.source
  const submodules = d.tree ? [] : gitlinksUnder(input.checkout.gitlinks, [d.dir], source?.directory?.recurse !== true)
  if (submodules.length > 0) {
    status.status = 'unavailable'
    out.unavailable(
      {...site, message: `Application ${d.application}: directory source ${d.dir || '.'}: ${gitlinkText(submodules)}`},
      {id: `gitlink\0${d.file}\0${d.application}`, reads: inputs, extra: JSON.stringify({d: d.spec, submodules})},
    )
    return
  }
  // Jsonnet may import any file of the revision: every file is an input of its key.
  const keyed = d.jsonnet && !d.tree ? [...new Set([...inputs, ...input.files])] : inputs
  const crds = crdScopesDigest(ctx.crds)
  const key = input.cache?.key(
    `directory\0${d.file}\0${d.application}\0${d.dir}`,
    [...keyed, ...linked([...(d.tree ? [] : [d.dir]), ...keyed])].filter(
      (f) => f !== d.file || d.manifests.includes(f),
    ),
    // Another tree's commit: two commits never share a render.
    canonicalJson({spec: d.spec, ...(crds ? {crds} : {}), ...(d.tree ? {tree: d.tree.commit} : {})}),
  )
  const unit = {kind: 'directory' as const, dir: d.dir, environment: d.environment, application: d.application}
  // Jsonnet builds objects in code: whatever it reads may make an Application.
  const mayMake = () => [...d.manifests, ...(d.jsonnet ? inputs.filter((f) => f !== d.file) : [])]
  if (key !== undefined && skipUnless?.(mayMake)(unit, key)) {
    status.status = 'skipped'
    return
  }
  const result = await renderDirectoryObjects(ctx, d, key)
  if (!result.ok) {
    status.status = result.status
    return
  }
  for (const f of inputs) covered.add(f)
  status.objects = result.objects.length
  input.onRendered?.({...unit, declaredIn: d.file, objects: result.objects})
  apps.collect(undefined, () => result.objects, root)
  await judge.judge(result.objects, root, d.file)
}

/** Its objects (its jsonnet evaluated first), or its render-unavailable or render-failed finding given. */
async function renderDirectoryObjects(
  ctx: GateContext,
  d: DirectoryDeployable,
  key: string | undefined,
): Promise<{ok: true; objects: RenderedObject[]} | {ok: false; status: 'unavailable' | 'failed'}> {
  const {input, out} = ctx
  const home = d.tree?.dir ?? input.root
  const evaluated = await evaluateDirectoryJsonnet(d, home, await jsonnetOf(input))
  if (!evaluated.ok && evaluated.status === 'unavailable') {
    const message = `Application ${d.application}: directory source ${d.dir || '.'} ${evaluated.message}`
    out.unavailable(
      {file: d.file, line: d.line, message, environment: d.environment, application: d.application},
      {
        renderKey: key,
      },
    )
    return {ok: false, status: 'unavailable'}
  }
  const result = evaluated.ok
    ? renderDirectory(d, home, input.yaml, evaluated.docs, ctx.crds)
    : {ok: false as const, message: evaluated.message}
  // Another tree's manifests are no files of this revision: its findings point at the Application.
  if (result.ok && d.tree) for (const o of result.objects) o.origin = null
  if (result.ok) return result
  const site = {file: d.file, line: d.line, environment: d.environment, application: d.application}
  const message = `Application ${d.application}: directory source ${d.dir || '.'} does not render: ${result.message}`
  if (!evaluated.ok && evaluated.limit) out.limited({...site, message})
  else out.failed({...site, message}, {renderKey: key})
  return {ok: false, status: 'failed'}
}

/** The gate's jsonnet: the input's, else the render module's (looked up once per gate input). */
const jsonnets = new WeakMap<object, Promise<Jsonnet | undefined>>()
function jsonnetOf(input: GateContext['input']): Promise<Jsonnet | undefined> {
  if (input.jsonnet !== undefined) return Promise.resolve(input.jsonnet ?? undefined)
  if (!jsonnets.has(input))
    jsonnets.set(
      input,
      import('../render/renderers.js').then((r) => r.findJsonnet()),
    )
  return jsonnets.get(input)!
}
