/**
 * Renders the plan's roots with kustomize, outside the checkout: a scratch folder in memory holds a link to the checkout and,
 * per root, a wrapper kustomization that includes the root and asks for build metadata (origin and transformer
 * annotations), so every object says which file declared it and which kustomizations changed it. kustomize only
 * reads the checkout. Roots render a few at a time; a root whose inputs (their git blob ids) are unchanged since the
 * last run is answered from the cache and not rendered.
 */
import {canonicalJson} from '../../core/canonical-json.js'
import path from 'node:path'

import {mapConcurrent} from '../../core/concurrency.js'
import {mkdirSync, realpathSync, rmSync, scratchFolder, symlinkSync, writeFileSync} from '../../core/memory-fs/index.js'
import {rememberable, type BuildResult, type Kustomize} from '../../effects/kustomize.js'
import type {RenderCache} from './cache.js'
import {repoRelative} from '../revision/paths.js'
import {CHECKOUT_LINK} from '../kubernetes/checkout-link.js'
import type {ArgoKustomize, GitArtifact} from '../model/render-inputs.js'
import type {RenderRoot} from './plan-types.js'

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

type RenderOptions = {
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
  /** The kustomization fields set over the root (its inputs; the controllers' edits are applied by preparation). */
  editsOf?: (root: RenderRoot) => Record<string, unknown> | undefined
  /** An Argo CD Application's kustomize options, applied to the root's own kustomization as its repo-server does. */
  argoOf?: (root: RenderRoot) => ArgoKustomize | undefined
  /** A Flux root's GitRepository artifact, when making it may leave out a file the build reads (./artifact.ts). */
  artifactOf?: (root: RenderRoot) => GitArtifact | undefined
  /** How a root's `helmCharts` inflate (kustomize --enable-helm), where they do. */
  helmOf?: (root: RenderRoot) => RootHelm | undefined
  /** Every root built with `--load-restrictor LoadRestrictionsNone` (Argo CD's build options say so; part of the key). */
  loadRestrictionsNone?: boolean
}

/** A root built with kustomize `--enable-helm` (src/gitops/gate/helm-inflation.ts). */
export interface RootHelm {
  /** `--helm-kube-version` and each `--helm-api-versions`. */
  kubeVersion: string
  apiVersions: readonly string[]
  /** What decides its render besides its files: the charts fetched for it, by version (part of its cache key). */
  key: string
  /** The fetched charts' files where kustomize looks for them (absolute under `revision`), or why there are none. */
  files: (revision: string) => Promise<{files: Record<string, string>} | {failure: BuildResult & {ok: false}}>
}

/** What one root's render takes besides its files. */
interface RootInputs {
  argo?: ArgoKustomize
  artifact?: GitArtifact
  helm?: RootHelm
  key?: string
}

export async function renderRoots(
  checkout: string,
  roots: readonly RenderRoot[],
  kustomize: Kustomize,
  options: RenderOptions,
): Promise<RenderedRoot[]> {
  const inputs = roots.map((r): RootInputs => {
    const argo = options.argoOf?.(r)
    const artifact = options.artifactOf?.(r)
    const helm = options.helmOf?.(r)
    const edits = argo ?? r.flux?.generate ?? options.editsOf?.(r)
    return {argo, artifact, helm, key: cacheKey(r, edits, artifact, options, helm)}
  })
  const skipped = roots.map((r, i) => inputs[i].key !== undefined && options.skip?.(r, inputs[i].key) === true)
  const answers: Array<BuildResult | undefined> = roots.map((r, i) =>
    skipped[i] ? {ok: true, yaml: ''} : options.cache?.get(r.dir, inputs[i].key!),
  )
  const todo = roots.map((_, i) => i).filter((i) => answers[i] === undefined)
  if (todo.length > 0) {
    const built = await buildInScratch(checkout, todo, (i) => ({root: roots[i], ...inputs[i]}), kustomize, options)
    built.forEach((result, n) => {
      const i = todo[n]
      answers[i] = result
      // Not run (no render module) or stopped at a limit: that says nothing of the inputs, so it is not remembered.
      if (rememberable(result)) options.cache?.set(roots[i].dir, inputs[i].key!, result)
    })
  }
  return roots.map((root, i) => ({
    root,
    result: answers[i]!,
    cached: !todo.includes(i) && !skipped[i],
    ...(skipped[i] ? {skipped: true} : {}),
    ...(inputs[i].key !== undefined ? {key: inputs[i].key} : {}),
  }))
}

/**
 * Whether a root is built with `--load-restrictor LoadRestrictionsNone`: a Flux root always (kustomize-controller's
 * build, fluxcd/pkg/kustomize SecureBuild, reads any file of its source's tree), an Application's where Argo CD's build
 * options say so (`options`); the module sees the revision only either way.
 */
const unrestrictedBuild = (r: RenderRoot, options: RenderOptions): boolean =>
  r.via === 'flux' || options.loadRestrictionsNone === true

/**
 * A root's render-cache key: its files, and what the render reads besides them — the Application's kustomize options
 * and its destination namespace; a Flux root's fields and the Kustomization that deploys it (a folder a Kustomization
 * starts deploying is rendered anew).
 */
function cacheKey(
  r: RenderRoot,
  edits: Record<string, unknown> | ArgoKustomize | undefined,
  artifact: GitArtifact | undefined,
  options: RenderOptions,
  helm?: RootHelm,
): string | undefined {
  const unrestricted = unrestrictedBuild(r, options)
  const extra =
    edits || r.namespace || r.flux || r.deployedBy || helm || unrestricted
      ? `${options.extra ?? ''}\0${JSON.stringify(edits ?? {})}${unrestricted ? '\0loadRestrictionsNone' : ''}${r.namespace ? `\0namespace=${r.namespace}` : ''}${
          r.flux ? `\0flux=${canonicalJson({substitute: r.flux.substitute, meta: r.flux.commonMetadata})}` : ''
        }${r.deployedBy ? `\0deployedBy=${r.declaredIn ?? ''}\0${r.deployedBy}` : ''}${
          artifact ? `\0artifact=${canonicalJson(artifact)}` : ''
        }${helm ? `\0helm=${canonicalJson({kube: helm.kubeVersion, api: helm.apiVersions, charts: helm.key})}` : ''}`
      : options.extra
  return options.cache?.key(r.dir, options.inputsOf(r), extra)
}

/**
 * Builds roots `todo` in a scratch folder in memory: a link to the checkout and, per root, a wrapper kustomization
 * that includes it and asks for build metadata. kustomize sees the wrappers and the revision, nothing else. A
 * failure's message names files repo-relative, the scratch folder never.
 */
async function buildInScratch(
  checkout: string,
  todo: readonly number[],
  inputsOf: (i: number) => RootInputs & {root: RenderRoot},
  kustomize: Kustomize,
  options: RenderOptions,
): Promise<BuildResult[]> {
  const tmp = scratchFolder('render')
  try {
    const revision = realpathSync(checkout)
    symlinkSync(revision, path.join(tmp, 'repo'), 'dir')
    const settled = await mapConcurrent(todo, options.concurrency, async (i) => {
      const {root, argo, artifact, helm} = inputsOf(i)
      const charts = helm ? await helm.files(revision) : {files: {}}
      if ('failure' in charts) return charts.failure
      const wrapper = path.join(tmp, `w${i}`)
      mkdirSync(wrapper)
      const target = root.dir === '' ? CHECKOUT_LINK.slice(0, -1) : `${CHECKOUT_LINK}${root.dir}`
      const generated = options.resourcesOf?.(root)
      const prepare = preparation(root, {argo, generated, artifact}, revision)
      // The folder's kustomization, generated by kustomize-controller where it has none, unless the module writes it.
      const resources = generated && !prepare ? generated.map((r) => `${target}/${r}`) : [target]
      writeFileSync(
        path.join(wrapper, 'kustomization.yaml'),
        `resources:\n${resources.map((r) => `  - ${JSON.stringify(r)}\n`).join('')}buildMetadata: [originAnnotations, transformerAnnotations]\n`,
      )
      // The generated kustomization's files lie outside the wrapper: read as kustomize-controller reads them.
      return kustomize.build(wrapper, {
        reads: [tmp, revision],
        ...(generated || unrestrictedBuild(root, options) ? {loadRestrictionsNone: true} : {}),
        ...(prepare ? {prepare} : {}),
        ...(helm ? {helm: {kubeVersion: helm.kubeVersion, apiVersions: helm.apiVersions}, files: charts.files} : {}),
      })
    })
    return settled.map((s) => {
      if (!s.ok) throw s.error
      if (s.value.ok) return {...s.value}
      // kustomize names files by their resolved paths: made repo-relative, the scratch folder never shown.
      const message = repoRelative(
        s.value.message.replaceAll(`${revision}/`, '').replaceAll(`${tmp}/repo/`, ''),
        checkout,
      ).replaceAll(tmp, '<render>')
      return {...s.value, message}
    })
  } finally {
    rmSync(tmp, {recursive: true, force: true})
  }
}

/**
 * What the controllers do to a root's folder before it builds, as render-module commands run in the folder: for a
 * Flux root, source-controller's artifact of its GitRepository made of the revision (what it leaves out removed),
 * then kustomize-controller's generator (a Flux Kustomization's fields; the kustomization of a folder that has none);
 * for an Argo CD Application, its kustomize options (its repo-server's `kustomize edit`s).
 */
function preparation(
  root: RenderRoot,
  by: {argo?: ArgoKustomize; generated?: string[]; artifact?: GitArtifact},
  revision: string,
): {cwd: string; commands: string[][]} | undefined {
  const cwd = path.join(revision, root.dir)
  if (by.argo) return {cwd, commands: [['argocd', 'kustomize-edit', JSON.stringify({...by.argo, repoRoot: revision})]]}
  const commands: string[][] = []
  // What source-controller leaves out of a GitRepository's artifact (.sourceignore, spec.ignore, spec.sparseCheckout).
  if (by.artifact) commands.push(['flux', 'artifact', JSON.stringify({dir: revision, ...by.artifact})])
  // With an artifact made, the generator runs even with no field: it lists what of the folder the artifact holds.
  if (root.flux?.generate || (by.artifact && by.generated)) {
    const request = JSON.stringify({...root.flux?.generate, ...(by.generated ? {resources: by.generated} : {})})
    commands.push(['flux', 'generate', request])
  }
  return commands.length > 0 ? {cwd, commands} : undefined
}
