/**
 * The render plan (reads only): per environment, the render roots — kustomizations under the environment's overlays
 * (the layout's overlay globs, and kustomize's `overlays/<env>/` whatever the preset) that no other kustomization of
 * that environment includes, the `spec.path` of Flux `Kustomization`s from a
 * GitRepository (a folder without a kustomization is built from the one kustomize-controller generates for it) and
 * the kustomize folders Argo CD Applications deploy (found with the other deployables in
 * src/gitops/deployables, which also holds the Helm ones), and, where no Argo CD Application or Flux
 * Kustomization says what is deployed, a top-level kustomization (the checkout's root or a folder of it, not
 * `base`/`components`, no Component) that nothing includes: what `kustomize build <folder>` is run on. Where Flux
 * Kustomizations build folders of an overlay glob, its other folders are not overlay roots (nothing deploys them), and
 * so where Argo CD Applications deploy some (./waves.ts asks once they are all known); a folder a declared root builds
 * (what its kustomizations include too) is never also a guessed root. `gitopsPolicy.render.roots` replaces the
 * discovery of kustomize roots. Each root says which rule found it.
 */
import {textMatches} from '../../core/memory-fs/index.js'
import path from 'node:path'

import {envMatcher} from '../../core/glob.js'
import type {YamlModule} from '../../images/yaml/index.js'
import type {KustomizeUse} from '../model/model.js'
import {BASE_FOLDERS, type Layout} from '../layout/index.js'
import type {Pin, Pinned} from '../revision/pinned.js'
import type {MappedSource} from '../revision/source-repos.js'
import {fluxKustomizationRoots, scanRevision} from '../flux/kustomization/roots.js'
import {generatedNode, reachable, readKustomizations, type KustomizationNode} from '../kustomize/kustomizations.js'
import {clean, envOf, inScope, type RenderPlan, type RenderRoot} from '../render/plan-types.js'

export type {RenderPlan, RenderRoot} from '../render/plan-types.js'

/** The overlay glob (of the policy, configured or detected) a kustomization file's environment comes from. */
function overlayRule(layout: Layout, file: string): string {
  const glob = layout.policy.overlays.find((g) => g.includes('{env}') && envMatcher(g).exec(file) !== undefined)
  return glob ? `overlay glob ${glob}` : 'overlay'
}

const TOP_LEVEL_EXCLUDED = new Set([...BASE_FOLDERS, 'components', 'component'])

/** A kustomization at the checkout's root or one folder down, not a base or a Component: built as it is. */
function topLevel(root: string, node: KustomizationNode): boolean {
  if (node.generated || node.dir.includes('/') || TOP_LEVEL_EXCLUDED.has(node.dir)) return false
  return textMatches(path.join(root, node.file), /^kind:\s*["']?Component["']?\s*$/m) === false
}

/** The plan for `environments` (undefined: every one). */
export function planRender(
  root: string,
  files: readonly string[],
  layout: Layout,
  yaml: YamlModule,
  environments: readonly string[] | undefined,
  /** Roots the deployables name (Argo CD Applications over a kustomize folder of the checkout). */
  deployed: readonly RenderRoot[] = [],
  /** Whether a URL names this repository (a Flux GitRepository of another repository is not rendered). */
  isThisRepository?: (url: string) => boolean,
  /** Which revision a GitRepository of this repository deploys (a pinned one is built from that commit's tree). */
  pinned?: Pinned,
  /** This repository at a pin's commit; undefined: the clone does not hold it (the Kustomization is unavailable). */
  pinnedTree?: (pin: Pin) => MappedSource | undefined,
): RenderPlan {
  const kustomizations = readKustomizations(root, files, yaml)
  const configured = layout.policy.render.roots
  const found = foundRoots(kustomizations, files, environments)
  const missingRoots = configured ? addConfiguredRoots(configured, layout, kustomizations, found) : []
  if (!configured) {
    addOverlayRoots(layout, kustomizations, found)
    for (const r of deployed) found.add(r)
  }
  const scan = scanRevision(root, files, yaml)
  const built: string[] = []
  const flux = fluxKustomizationRoots(scan, {
    layout,
    environments,
    isThisRepository,
    ...(pinned ? {pinned} : {}),
    ...(pinnedTree ? {pinnedTree} : {}),
    configured: Boolean(configured),
    addRoot: (r, file) => {
      const added = found.addFlux(r, file)
      if (added) built.push(r.dir)
      return added
    },
  })
  if (!configured) {
    dropOverlaysFluxDeploys(layout, found, built)
    addBootstrapRoots(scan.fluxFolders, layout, found)
    dropGuessesDeclared(kustomizations, found)
  }
  // Whether Argo CD or Flux objects of the revision say what is deployed (then a folder nothing names is not).
  const declared = deployed.length > 0 || scan.declares
  if (!configured && !declared) addTopLevelRoots(root, layout, kustomizations, found)
  const planFlux: RenderPlan['planFlux'] = (k, environment) => {
    const roots: RenderRoot[] = []
    const addRoot = (r: RenderRoot, file: string) => fluxNode(kustomizations, files, r.dir, file) && roots.push(r) > 0
    return {...flux.plan(k, {addRoot, environment}), roots}
  }
  const order = (a: RenderRoot) => `${a.dir}\0${a.application ?? ''}`
  const byDir = (a: RenderRoot, b: RenderRoot) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0)
  return {
    roots: [...found.roots.values()].sort(byDir),
    trees: flux.trees,
    missingRoots,
    outside: flux.outside,
    unread: scan.unread,
    notFound: flux.notFound,
    unavailable: flux.unavailable,
    kustomizations,
    planFlux,
  }
}

/** The roots a plan has found, one per folder and Application, and how one is added. */
interface FoundRoots {
  roots: Map<string, RenderRoot>
  /** Adds a root over a folder holding a kustomization, of an environment asked for. */
  add: (r: RenderRoot) => void
  /**
   * Adds a Flux root, over the kustomization kustomize-controller generates where the folder has none; false when the
   * folder holds no file: nothing kustomize-controller could build.
   */
  addFlux: (r: RenderRoot, file: string) => boolean
}

/** An empty set of roots over `kustomizations` (which a Flux root over a plain folder adds to). */
function foundRoots(
  kustomizations: Map<string, KustomizationNode>,
  files: readonly string[],
  environments: readonly string[] | undefined,
): FoundRoots {
  const roots = new Map<string, RenderRoot>()
  const add = (r: RenderRoot) => {
    // One deployable per folder and Application: an Application over an overlay's folder is one of its own (it
    // deploys into its own destination), as is each of several Applications over one folder.
    const key = `${r.dir}\0${r.application ?? ''}`
    if (!kustomizations.has(r.dir)) return
    if (!inScope(environments, r.environment)) return
    // A Flux Kustomization over an overlay's folder is what deploys it: its fields apply.
    const existing = roots.get(key)
    if (existing && !(existing.via === 'overlay' && r.via === 'flux')) return
    roots.set(key, existing ? {...r, environment: r.environment ?? existing.environment} : r)
  }
  const addFlux = (r: RenderRoot, file: string): boolean => {
    if (!fluxNode(kustomizations, files, r.dir, file)) return false
    add(r)
    return true
  }
  return {roots, add, addFlux}
}

/**
 * Whether a Flux root's folder has a kustomization to build: its own, or the one kustomize-controller generates over
 * the folder's manifests (added to `kustomizations`); false when the folder holds no file.
 */
function fluxNode(kustomizations: Map<string, KustomizationNode>, files: readonly string[], dir: string, file: string) {
  if (kustomizations.has(dir)) return true
  const node = generatedNode(dir, file, files, kustomizations)
  if (node) kustomizations.set(dir, node)
  return Boolean(node)
}

/** The roots `gitopsPolicy.render.roots` names, added; the folders of them that hold no kustomization. */
function addConfiguredRoots(
  configured: readonly string[],
  layout: Layout,
  kustomizations: ReadonlyMap<string, KustomizationNode>,
  found: FoundRoots,
): string[] {
  const missingRoots: string[] = []
  for (const dir of configured) {
    const d = clean(dir)
    if (!kustomizations.has(d)) missingRoots.push(d)
    found.add({
      dir: d,
      environment: envOf(layout, `${d}/kustomization.yaml`),
      via: 'config',
      rule: 'gitopsPolicy.render.roots',
    })
  }
  return missingRoots
}

/**
 * kustomize's own convention, `<…>/overlays/<env>/`: the repository says these are environments whatever the preset
 * (configured or detected), so they are overlay roots under every one — a preset adds its own globs, it never hides
 * an overlay (one kustomize refuses to build is seen as failing, not left out).
 */
const CONVENTIONAL_OVERLAYS = '**/overlays/{env}/**'
const conventional = envMatcher(CONVENTIONAL_OVERLAYS)

/** A kustomization's environment and the rule that says so: the layout's overlay globs, else the convention. */
function overlayOf(layout: Layout, file: string): {env: string; rule: string} | undefined {
  const env = envOf(layout, file)
  if (env !== null) return {env, rule: overlayRule(layout, file)}
  const found = conventional.exec(file)
  if (found === undefined || BASE_FOLDERS.has(found)) return undefined
  return {env: found, rule: `overlay glob ${CONVENTIONAL_OVERLAYS}`}
}

/** Per environment, the overlay kustomizations no other kustomization of that environment includes, added. */
function addOverlayRoots(
  layout: Layout,
  kustomizations: ReadonlyMap<string, KustomizationNode>,
  found: FoundRoots,
): void {
  const envs = new Map<string, Array<{node: KustomizationNode; rule: string}>>()
  for (const node of kustomizations.values()) {
    const overlay = overlayOf(layout, node.file)
    if (overlay) envs.set(overlay.env, [...(envs.get(overlay.env) ?? []), {node, rule: overlay.rule}])
  }
  for (const [env, nodes] of envs) {
    const included = new Set(nodes.flatMap((n) => n.node.includes))
    for (const {node, rule} of nodes) {
      if (!included.has(node.dir)) found.add({dir: node.dir, environment: env, via: 'overlay', rule})
    }
  }
}

/** The overlay globs (the layout's and kustomize's convention) some of `dirs` lie under: a controller deploys those. */
function governedGlobs(layout: Layout, dirs: readonly string[]): string[] {
  const globs = [...new Set([...layout.policy.overlays, CONVENTIONAL_OVERLAYS])].filter((g) => g.includes('{env}'))
  return globs.filter((g) => dirs.some((dir) => envMatcher(g).exec(`${dir}/kustomization.yaml`)))
}

/** Whether an overlay root was found by one of `globs`. */
const foundBy = (r: RenderRoot, globs: readonly string[]) =>
  r.via === 'overlay' && globs.some((g) => r.rule === `overlay glob ${g}`)

/**
 * Where Flux Kustomizations of the revision build folders an overlay glob matches (`apps/{env}/**`: `apps/a`), that
 * glob's folders are what they deploy: one none of them builds is deployed by nothing kustomize-controller runs, so it
 * is not an overlay root (a folder a Kustomization's `spec.path` left would otherwise be built again as one, its
 * objects reported twice). Overlays of a glob no Kustomization builds a folder of stay roots.
 */
function dropOverlaysFluxDeploys(layout: Layout, found: FoundRoots, built: readonly string[]): void {
  const governed = governedGlobs(layout, built)
  if (governed.length === 0) return
  for (const [key, r] of found.roots) if (foundBy(r, governed)) found.roots.delete(key)
}

/**
 * Declarations first: the folders the declared roots build — an Application's source, a Flux Kustomization's path,
 * and every kustomization one of them includes — are never also guessed roots (an overlay a glob found), whatever
 * preset's glob matched them: each is deployed by what declares it, its objects never reported twice.
 */
function dropGuessesDeclared(kustomizations: ReadonlyMap<string, KustomizationNode>, found: FoundRoots): void {
  const declared = [...found.roots.values()].filter((r) => r.via === 'argocd' || r.via === 'flux').map((r) => r.dir)
  const built = builtFolders(kustomizations, declared)
  for (const [key, r] of found.roots) if (r.via === 'overlay' && built.has(r.dir)) found.roots.delete(key)
}

/** The folders `dirs` build: each one's own and every kustomization its kustomizations include. */
function builtFolders(kustomizations: ReadonlyMap<string, KustomizationNode>, dirs: readonly string[]): Set<string> {
  const map = kustomizations as Map<string, KustomizationNode>
  return new Set(dirs.flatMap((dir) => [dir, ...reachable(map, dir).map((n) => n.dir)]))
}

/**
 * The same of Argo CD: where Applications (written, generated or rendered by others) deploy folders of an overlay
 * glob, its folders none of them deploys are deployed by nothing, so `overlays` (roots guessed from the glob) keeps
 * only the others — never one printed twice, once with no destination; nor one a declared root's build includes.
 */
export function overlaysArgoLeaves(
  layout: Layout,
  overlays: readonly RenderRoot[],
  deployed: readonly string[],
  /** The folders of every declared root rendered (Applications' and Flux Kustomizations', printed ones too). */
  declared: readonly string[],
  kustomizations: ReadonlyMap<string, KustomizationNode>,
): RenderRoot[] {
  const governed = governedGlobs(layout, deployed)
  // A folder a declared root's build includes is deployed by it: never a guessed root beside it.
  const built = builtFolders(kustomizations, declared)
  return overlays.filter((r) => !foundBy(r, governed) && !built.has(r.dir))
}

/**
 * A Flux cluster folder no Kustomization of the revision applies (no gotk-sync.yaml committed), added: the
 * bootstrap's `flux-system` Kustomization applies it, so its Flux objects are built as kustomize-controller builds
 * them.
 */
function addBootstrapRoots(fluxFolders: ReadonlyMap<string, string>, layout: Layout, found: FoundRoots): void {
  const applied = new Set([...found.roots.values()].map((r) => r.dir))
  for (const [dir, file] of fluxFolders) {
    if (applied.has(dir)) continue
    found.addFlux(
      {
        dir,
        environment: envOf(layout, file),
        via: 'flux',
        rule: 'the Flux bootstrap path (a clusters/<name> folder of Flux objects, no gotk-sync.yaml applies it)',
        declaredIn: file,
        deployedBy: 'flux-system/flux-system',
        // The bootstrap's GitRepository, not in the revision: its artifact is the defaults' and `.sourceignore`s'.
        artifact: {},
      },
      file,
    )
  }
}

/**
 * In a checkout no Argo CD Application or Flux Kustomization of which says what it deploys: a top-level
 * kustomization no other kustomization includes (what `kustomize build <folder>` is run on), added.
 */
function addTopLevelRoots(
  root: string,
  layout: Layout,
  kustomizations: ReadonlyMap<string, KustomizationNode>,
  found: FoundRoots,
): void {
  const included = new Set([...kustomizations.values()].flatMap((n) => n.includes))
  for (const node of kustomizations.values()) {
    if (included.has(node.dir) || found.roots.has(`${node.dir}\0`) || overlayOf(layout, node.file)) continue
    if (!topLevel(root, node)) continue
    found.add({dir: node.dir, environment: null, via: 'root', rule: 'a top-level kustomization nothing includes'})
  }
}

/** An Argo CD Application's kustomize source as a render root. */
export function argoRoot(k: KustomizeUse): RenderRoot {
  return {
    dir: k.dir,
    environment: k.environment,
    via: 'argocd' as const,
    rule: "an Argo CD Application's source path",
    declaredIn: k.declaredIn,
    application: k.application,
    ...(k.namespace ? {namespace: k.namespace} : {}),
  }
}
