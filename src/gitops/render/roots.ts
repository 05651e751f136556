/**
 * The render plan (reads only): per environment, the render roots — kustomizations under the environment's overlays
 * that no other kustomization of that environment includes, the `spec.path` of Flux `Kustomization`s from a
 * GitRepository and the `source.path` of Argo CD `Application`s that point at a kustomization of the checkout — and the
 * charts of the checkout that a HelmRelease or an Application uses by local path. `gitopsPolicy.render.roots`
 * replaces the discovery of kustomize roots.
 */
import {readFileSync} from 'node:fs'
import path from 'node:path'

import type {YamlModule} from '../../images/yaml/index.js'
import type {Layout} from '../layout.js'
import {KUSTOMIZATION_FILES, readKustomizations, type KustomizationNode} from './kustomizations.js'
import {at} from './objects.js'

export interface RenderRoot {
  /** Repo-relative folder holding the kustomization. */
  dir: string
  /** The environment the root deploys to (null when no overlay or declaring file names one). */
  environment: string | null
  /** How it was found: an overlay kustomization, a Flux Kustomization, an Argo CD Application, or the config. */
  via: 'overlay' | 'flux' | 'argocd' | 'config'
  /** The file that declared it (Flux / Argo CD), repo-relative. */
  declaredIn?: string
}

/** A chart of the checkout used by local path, with its values files (repo-relative). */
export interface ChartUse {
  chart: string
  environment: string | null
  declaredIn: string
  line: number
  release: string
  namespace?: string
  valuesFiles: string[]
}

/** A chart a HelmRelease or an Application takes from a Helm or OCI repository: never fetched. */
export interface RemoteChart {
  chart: string
  /** Where it comes from: `HelmRepository podinfo`, `https://charts.example.com`. */
  source: string
  environment: string | null
  declaredIn: string
  line: number
}

export interface RenderPlan {
  roots: RenderRoot[]
  charts: ChartUse[]
  remoteCharts: RemoteChart[]
  /** Folders `gitopsPolicy.render.roots` names that hold no kustomization. */
  missingRoots: string[]
  kustomizations: Map<string, KustomizationNode>
}

const envOf = (layout: Layout, file: string): string | null => {
  const zone = layout.zoneOf(file)
  return zone?.kind === 'overlay' ? zone.env : null
}

const clean = (p: string) => path.posix.normalize(p.replace(/^\.\//, '')).replace(/\/$/, '').replace(/^\.$/, '')

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [])

/** A Flux Kustomization / Argo CD Application pointing at a kustomization, or a chart used by local path. */
function localUse(
  obj: unknown,
  file: string,
  line: number,
  layout: Layout,
  files: Set<string>,
): {root?: RenderRoot; chart?: ChartUse; remote?: RemoteChart} | undefined {
  const apiVersion = str(at(obj, 'apiVersion')) ?? ''
  const kind = at(obj, 'kind')
  const declared = (dir: string) => envOf(layout, file) ?? envOf(layout, `${dir}/kustomization.yaml`)
  const name = str(at(obj, 'metadata', 'name')) ?? 'release'
  if (kind === 'Kustomization' && apiVersion.startsWith('kustomize.toolkit.fluxcd.io/')) {
    const p = str(at(obj, 'spec', 'path'))
    if (at(obj, 'spec', 'sourceRef', 'kind') !== 'GitRepository' || p === undefined) return undefined
    return {root: {dir: clean(p), environment: declared(clean(p)), via: 'flux', declaredIn: file}}
  }
  if (kind === 'Application' && apiVersion.startsWith('argoproj.io/')) {
    const sources = [
      at(obj, 'spec', 'source'),
      ...(Array.isArray(at(obj, 'spec', 'sources')) ? (at(obj, 'spec', 'sources') as unknown[]) : []),
    ]
    for (const source of sources) {
      const remoteChart = str(at(source, 'chart'))
      if (remoteChart !== undefined) {
        const repo = str(at(source, 'repoURL')) ?? 'a Helm repository'
        return {remote: {chart: remoteChart, source: repo, environment: envOf(layout, file), declaredIn: file, line}}
      }
      const p = str(at(source, 'path'))
      if (p === undefined) continue
      const dir = clean(p)
      if (!files.has(`${dir}/Chart.yaml`))
        return {root: {dir, environment: declared(dir), via: 'argocd', declaredIn: file}}
      return {
        chart: {
          chart: dir,
          environment: declared(dir),
          declaredIn: file,
          line,
          release: str(at(source, 'helm', 'releaseName')) ?? name,
          namespace: str(at(obj, 'spec', 'destination', 'namespace')),
          valuesFiles: strings(at(source, 'helm', 'valueFiles')).map((v) => clean(path.posix.join(dir, v))),
        },
      }
    }
    return undefined
  }
  if (kind === 'HelmRelease' && apiVersion.startsWith('helm.toolkit.fluxcd.io/')) {
    const chart = at(obj, 'spec', 'chart', 'spec')
    const p = str(at(chart, 'chart'))
    const sourceKind = str(at(chart, 'sourceRef', 'kind'))
    if (p !== undefined && (sourceKind === 'HelmRepository' || sourceKind === 'OCIRepository')) {
      const source = `${sourceKind} ${str(at(chart, 'sourceRef', 'name')) ?? ''}`.trim()
      return {remote: {chart: p, source, environment: envOf(layout, file), declaredIn: file, line}}
    }
    if (sourceKind !== 'GitRepository' || p === undefined || !files.has(`${clean(p)}/Chart.yaml`)) return undefined
    return {
      chart: {
        chart: clean(p),
        environment: envOf(layout, file),
        declaredIn: file,
        line,
        release: str(at(obj, 'spec', 'releaseName')) ?? name,
        namespace: str(at(obj, 'spec', 'targetNamespace')) ?? str(at(obj, 'metadata', 'namespace')),
        valuesFiles: strings(at(chart, 'valuesFiles')).map(clean),
      },
    }
  }
  return undefined
}

/** The plan for `environments` (undefined: every one). */
export function planRender(
  root: string,
  files: readonly string[],
  layout: Layout,
  yaml: YamlModule,
  environments: readonly string[] | undefined,
): RenderPlan {
  const kustomizations = readKustomizations(root, files, yaml)
  const configured = layout.policy.render.roots
  const roots = new Map<string, RenderRoot>()
  const add = (r: RenderRoot) => {
    if (!kustomizations.has(r.dir) || roots.has(r.dir)) return
    if (environments && (r.environment === null || !environments.includes(r.environment))) return
    roots.set(r.dir, r)
  }
  const missingRoots: string[] = []
  if (configured) {
    for (const dir of configured) {
      const d = clean(dir)
      if (!kustomizations.has(d)) missingRoots.push(d)
      add({dir: d, environment: envOf(layout, `${d}/kustomization.yaml`), via: 'config'})
    }
  } else {
    const envs = new Map<string, KustomizationNode[]>()
    for (const node of kustomizations.values()) {
      const env = envOf(layout, node.file)
      if (env !== null) envs.set(env, [...(envs.get(env) ?? []), node])
    }
    for (const [env, nodes] of envs) {
      const included = new Set(nodes.flatMap((n) => n.includes))
      for (const n of nodes) if (!included.has(n.dir)) add({dir: n.dir, environment: env, via: 'overlay'})
    }
  }
  const charts: ChartUse[] = []
  const remoteCharts: RemoteChart[] = []
  const fileSet = new Set(files)
  for (const file of files) {
    if (!/\.ya?ml$/i.test(file) || KUSTOMIZATION_FILES.includes(path.posix.basename(file))) continue
    let text: string
    try {
      text = readFileSync(path.join(root, file), 'utf8')
    } catch {
      continue // unreadable here: it declares no root the gate could render
    }
    if (!/^kind:\s*(Kustomization|Application|HelmRelease)\s*$/m.test(text)) continue
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
      const obj = doc.toJS({maxAliasCount: 100}) as unknown
      const line = doc.contents?.range ? lineCounter.linePos(doc.contents.range[0]).line : 1
      const use = localUse(obj, file, line, layout, fileSet)
      if (use?.remote) remoteCharts.push(use.remote)
      else if (use?.chart) charts.push(use.chart)
      else if (use?.root && !configured) add(use.root)
    }
  }
  const byDir = (a: {dir: string}, b: {dir: string}) => (a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0)
  const filteredCharts = charts.filter(
    (c) => !environments || (c.environment !== null && environments.includes(c.environment)),
  )
  const wanted = (c: {environment: string | null}) =>
    !environments || (c.environment !== null && environments.includes(c.environment))
  return {
    roots: [...roots.values()].sort(byDir),
    charts: filteredCharts,
    remoteCharts: remoteCharts.filter(wanted),
    missingRoots,
    kustomizations,
  }
}
