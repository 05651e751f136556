/**
 * The render plan (reads only): per environment, the render roots — kustomizations under the environment's overlays
 * that no other kustomization of that environment includes, the `spec.path` of Flux `Kustomization`s from a
 * GitRepository (a folder without a kustomization is built from the one kustomize-controller generates for it) and
 * the kustomize folders Argo CD Applications deploy (found with the other deployables in
 * src/gitops/deployables, which also holds the Helm ones), and, where no Argo CD Application or Flux
 * Kustomization says what is deployed, a top-level kustomization (the checkout's root or a folder of it, not
 * `base`/`components`, no Component) that nothing includes: what `kustomize build <folder>` is run on. `gitopsPolicy.render.roots` replaces the discovery of kustomize roots. Each root says which rule found it.
 */
import {readFileSync} from 'node:fs'
import path from 'node:path'

import {envMatcher} from '../../core/glob.js'
import type {YamlModule} from '../../images/yaml/index.js'
import {BASE_FOLDERS, type Layout} from '../layout.js'
import {generatedNode, KUSTOMIZATION_FILES, readKustomizations, type KustomizationNode} from './kustomizations.js'
import {at} from './objects.js'

export interface RenderRoot {
  /** Repo-relative folder holding the kustomization. */
  dir: string
  /** The environment the root deploys to (null when no overlay or declaring file names one). */
  environment: string | null
  /**
   * How it was found: an overlay kustomization, a Flux Kustomization, an Argo CD Application, the config, or a
   * top-level kustomization nothing includes.
   */
  via: 'overlay' | 'flux' | 'argocd' | 'config' | 'root'
  /** The rule that found it, in words (`overlay glob envs/{env}/**`, `spec.path of a Flux Kustomization`, …). */
  rule?: string
  /** The file that declared it (Flux / Argo CD), repo-relative. */
  declaredIn?: string
  /** The deployable: an Argo CD Application's name, or a HelmRelease's namespace/name. */
  application?: string
  /**
   * An Argo CD Application's `destination.namespace`: given, as Argo CD applies it, to every namespaced object that
   * names none; part of the render key.
   */
  namespace?: string
}

export interface RenderPlan {
  roots: RenderRoot[]
  /** Folders `gitopsPolicy.render.roots` names that hold no kustomization. */
  missingRoots: string[]
  /** Flux Kustomizations whose `spec.path` leaves the revision: refused, never read. */
  outside: Array<{path: string; declaredIn: string; environment: string | null}>
  kustomizations: Map<string, KustomizationNode>
}

const envOf = (layout: Layout, file: string): string | null => {
  const zone = layout.zoneOf(file)
  return zone?.kind === 'overlay' ? zone.env : null
}

const clean = (p: string) => path.posix.normalize(p.replace(/^\.\//, '')).replace(/\/$/, '').replace(/^\.$/, '')

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

/** A Flux Kustomization from a GitRepository: its `spec.path` is a root (Argo CD Applications: src/gitops/deployables). */
function fluxRoot(obj: unknown, file: string, layout: Layout): RenderRoot | undefined {
  const apiVersion = str(at(obj, 'apiVersion')) ?? ''
  if (at(obj, 'kind') !== 'Kustomization' || !apiVersion.startsWith('kustomize.toolkit.fluxcd.io/')) return undefined
  const p = str(at(obj, 'spec', 'path'))
  if (at(obj, 'spec', 'sourceRef', 'kind') !== 'GitRepository' || p === undefined) return undefined
  const dir = clean(p)
  return {
    dir,
    environment: envOf(layout, file) ?? envOf(layout, `${dir}/kustomization.yaml`),
    via: 'flux',
    rule: 'spec.path of a Flux Kustomization',
    declaredIn: file,
  }
}

/** The overlay glob (of the policy, configured or detected) a kustomization file's environment comes from. */
function overlayRule(layout: Layout, file: string): string {
  const glob = layout.policy.overlays.find((g) => g.includes('{env}') && envMatcher(g).exec(file) !== undefined)
  return glob ? `overlay glob ${glob}` : 'overlay'
}

const TOP_LEVEL_EXCLUDED = new Set([...BASE_FOLDERS, 'components', 'component'])

/** A kustomization at the checkout's root or one folder down, not a base or a Component: built as it is. */
function topLevel(root: string, node: KustomizationNode): boolean {
  if (node.generated || node.dir.includes('/') || TOP_LEVEL_EXCLUDED.has(node.dir)) return false
  try {
    return !/^kind:\s*["']?Component["']?\s*$/m.test(readFileSync(path.join(root, node.file), 'utf8'))
  } catch {
    return false
  }
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
): RenderPlan {
  const kustomizations = readKustomizations(root, files, yaml)
  const configured = layout.policy.render.roots
  const roots = new Map<string, RenderRoot>()
  const add = (r: RenderRoot) => {
    // One deployable per folder and Application: an Application over an overlay's folder is one of its own (it
    // deploys into its own destination), as is each of several Applications over one folder.
    const key = `${r.dir}\0${r.application ?? ''}`
    if (!kustomizations.has(r.dir) || roots.has(key)) return
    if (environments && (r.environment === null || !environments.includes(r.environment))) return
    roots.set(key, r)
  }
  const missingRoots: string[] = []
  const outside: RenderPlan['outside'] = []
  if (configured) {
    for (const dir of configured) {
      const d = clean(dir)
      if (!kustomizations.has(d)) missingRoots.push(d)
      add({
        dir: d,
        environment: envOf(layout, `${d}/kustomization.yaml`),
        via: 'config',
        rule: 'gitopsPolicy.render.roots',
      })
    }
  } else {
    const envs = new Map<string, KustomizationNode[]>()
    for (const node of kustomizations.values()) {
      const env = envOf(layout, node.file)
      if (env !== null) envs.set(env, [...(envs.get(env) ?? []), node])
    }
    for (const [env, nodes] of envs) {
      const included = new Set(nodes.flatMap((n) => n.includes))
      for (const n of nodes) {
        if (!included.has(n.dir)) add({dir: n.dir, environment: env, via: 'overlay', rule: overlayRule(layout, n.file)})
      }
    }
  }
  if (!configured) for (const r of deployed) add(r)
  // Whether Argo CD or Flux objects of the revision say what is deployed (then a folder nothing names is not).
  let declared = deployed.length > 0
  for (const file of files) {
    if (!/\.ya?ml$/i.test(file) || KUSTOMIZATION_FILES.includes(path.posix.basename(file))) continue
    let text: string
    try {
      text = readFileSync(path.join(root, file), 'utf8')
    } catch {
      continue // unreadable here: it declares no root the gate could render
    }
    if (/^kind:\s*["']?(?:Application|ApplicationSet)["']?\s*$/m.test(text) && /argoproj\.io\//.test(text))
      declared = true
    if (!/^kind:\s*Kustomization\s*$/m.test(text)) continue
    const lineCounter = new yaml.LineCounter()
    let docs
    try {
      docs = yaml.parseAllDocuments(text, {lineCounter})
    } catch {
      continue
    }
    if (!Array.isArray(docs)) continue
    for (const doc of docs) {
      if (doc.errors.length > 0) continue
      const r = fluxRoot(doc.toJS({maxAliasCount: 100}) as unknown, file, layout)
      if (r && (r.dir === '..' || r.dir.startsWith('../') || path.posix.isAbsolute(r.dir))) {
        outside.push({path: r.dir, declaredIn: file, environment: r.environment})
        continue
      }
      if (r) declared = true
      if (!r || configured) continue
      if (!kustomizations.has(r.dir)) {
        // No kustomization there: kustomize-controller generates one over the folder's manifests.
        const node = generatedNode(r.dir, file, files, kustomizations)
        if (node) kustomizations.set(r.dir, node)
      }
      add(r)
    }
  }
  if (!configured && !declared) {
    // Last, in a checkout no Argo CD Application or Flux Kustomization of which says what it deploys: a top-level
    // kustomization no other kustomization includes (what `kustomize build <folder>` is run on).
    const included = new Set([...kustomizations.values()].flatMap((n) => n.includes))
    for (const node of kustomizations.values()) {
      if (included.has(node.dir) || roots.has(`${node.dir}\0`) || envOf(layout, node.file) !== null) continue
      if (!topLevel(root, node)) continue
      add({dir: node.dir, environment: null, via: 'root', rule: 'a top-level kustomization nothing includes'})
    }
  }
  const order = (a: RenderRoot) => `${a.dir}\0${a.application ?? ''}`
  const byDir = (a: RenderRoot, b: RenderRoot) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0)
  return {
    roots: [...roots.values()].sort(byDir),
    missingRoots,
    outside,
    kustomizations,
  }
}
