/**
 * Renders the plan's roots with kustomize, outside the checkout: a temporary folder holds a link to the checkout and,
 * per root, a wrapper kustomization that includes the root and asks for build metadata (origin and transformer
 * annotations), so every object says which file declared it and which kustomizations changed it. kustomize only
 * reads the checkout. Roots render a few at a time; a root whose inputs (their git blob ids) are unchanged since the
 * last run is answered from the cache and not rendered.
 */
import {canonicalJson} from '../../core/canonical-json.js'
import {mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {mapConcurrent} from '../../core/concurrency.js'
import {rememberable, type BuildResult, type Kustomize} from '../../effects/kustomize.js'
import type {RenderCache} from './cache.js'
import {repoRelative} from '../revision/paths.js'
import {CHECKOUT_LINK} from './checkout-link.js'
import type {ArgoKustomize} from '../deployables/kustomize-options.js'
import type {RenderRoot} from './roots.js'

export {CHECKOUT_LINK} from './checkout-link.js'

export interface RenderedRoot {
  root: RenderRoot
  result: BuildResult
  /** Answered from the cache (nothing rendered). */
  cached: boolean
  /** Not rendered: `skip` said its output is not needed (`result` is then empty). */
  skipped?: boolean
  /** The render-cache key of its inputs (with a cache). */
  key?: string
}

export async function renderRoots(
  checkout: string,
  roots: readonly RenderRoot[],
  kustomize: Kustomize,
  options: {
    concurrency: number
    cache?: RenderCache
    inputsOf: (root: RenderRoot) => string[]
    extra?: string
    /** Told each root's cache key: true leaves the root unrendered (`gitops diff`: its inputs did not change). */
    skip?: (root: RenderRoot, key: string) => boolean
    /**
     * A root with no kustomization of its own: the resources (relative to it) of the kustomization kustomize-controller
     * generates for it, which the wrapper lists itself.
     */
    resourcesOf?: (root: RenderRoot) => string[] | undefined
    /** Kustomization fields the wrapper sets over the root (a Flux Kustomization's). */
    editsOf?: (root: RenderRoot) => Record<string, unknown> | undefined
    /** An Argo CD Application's kustomize options, applied to the root's own kustomization as its repo-server does. */
    argoOf?: (root: RenderRoot) => ArgoKustomize | undefined
  },
): Promise<RenderedRoot[]> {
  const argo = roots.map((r) => options.argoOf?.(r))
  const edits = roots.map((r, i) => (argo[i] ? argo[i] : options.editsOf?.(r)))
  // What the render reads besides files: the Application's kustomize options and its destination namespace; a Flux
  // root's fields and the Kustomization that deploys it (a folder a Kustomization starts deploying is rendered anew).
  const keys = roots.map((r, i) =>
    options.cache?.key(
      r.dir,
      options.inputsOf(r),
      edits[i] || r.namespace || r.flux || r.deployedBy
        ? `${options.extra ?? ''}\0${JSON.stringify(edits[i] ?? {})}${r.namespace ? `\0namespace=${r.namespace}` : ''}${
            r.flux ? `\0flux=${canonicalJson({substitute: r.flux.substitute, meta: r.flux.commonMetadata})}` : ''
          }${r.deployedBy ? `\0deployedBy=${r.declaredIn ?? ''}\0${r.deployedBy}` : ''}`
        : options.extra,
    ),
  )
  const skipped = roots.map((r, i) => keys[i] !== undefined && options.skip?.(r, keys[i]) === true)
  const answers: Array<BuildResult | undefined> = roots.map((r, i) =>
    skipped[i] ? {ok: true, yaml: ''} : options.cache?.get(r.dir, keys[i]!),
  )
  const todo = roots.map((_, i) => i).filter((i) => answers[i] === undefined)
  if (todo.length > 0) {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'ameide-render-'))
    try {
      const revision = realpathSync(checkout)
      symlinkSync(revision, path.join(tmp, 'repo'), 'dir')
      const settled = await mapConcurrent(todo, options.concurrency, async (i) => {
        const wrapper = path.join(tmp, `w${i}`)
        mkdirSync(wrapper)
        const target = roots[i].dir === '' ? CHECKOUT_LINK.slice(0, -1) : `${CHECKOUT_LINK}${roots[i].dir}`
        const generated = options.resourcesOf?.(roots[i])
        const resources = generated ? generated.map((r) => `${target}/${r}`) : [target]
        // A Flux Kustomization's fields (JSON is YAML); its components are relative to the root.
        const fields = Object.entries((!argo[i] && edits[i]) || {}).map(([k, v]) =>
          k === 'components'
            ? `${k}: ${JSON.stringify((v as string[]).map((c) => `${target}/${c}`))}\n`
            : `${k}: ${JSON.stringify(v)}\n`,
        )
        writeFileSync(
          path.join(wrapper, 'kustomization.yaml'),
          `resources:\n${resources.map((r) => `  - ${JSON.stringify(r)}\n`).join('')}${fields.join('')}buildMetadata: [originAnnotations, transformerAnnotations]\n`,
        )
        // The generated kustomization's files lie outside the wrapper: read as kustomize-controller reads them.
        // In the sandbox kustomize sees the wrappers and the revision, nothing else.
        const a = argo[i]
        const argocd = a && {
          cwd: path.join(revision, roots[i].dir),
          request: JSON.stringify({...a, repoRoot: revision}),
        }
        return kustomize.build(wrapper, {
          reads: [tmp, revision],
          ...(generated ? {loadRestrictionsNone: true} : {}),
          ...(argocd ? {argocd} : {}),
        })
      })
      settled.forEach((s, n) => {
        if (!s.ok) throw s.error
        const i = todo[n]
        answers[i] = {...s.value}
        // kustomize names files by their resolved paths: made repo-relative, the temporary folder never shown.
        if (!s.value.ok) {
          const message = repoRelative(
            s.value.message.replaceAll(`${realpathSync(checkout)}/`, '').replaceAll(`${tmp}/repo/`, ''),
            checkout,
          ).replaceAll(tmp, '<render>')
          answers[i] = {...s.value, message}
        }
        // Not run (no sandbox) or stopped at a limit: that says nothing of the inputs, so it is not remembered.
        if (rememberable(s.value)) options.cache?.set(roots[i].dir, keys[i]!, answers[i]!)
      })
    } finally {
      rmSync(tmp, {recursive: true, force: true})
    }
  }
  return roots.map((root, i) => ({
    root,
    result: answers[i]!,
    cached: !todo.includes(i) && !skipped[i],
    ...(skipped[i] ? {skipped: true} : {}),
    ...(keys[i] !== undefined ? {key: keys[i]} : {}),
  }))
}
