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

export interface RenderPlan {
  roots: RenderRoot[]
  charts: ChartUse[]
  kustomizations: Map<string, KustomizationNode>
}

const envOf = (layout: Layout, file: string): string | null => {
  const zone = layout.zoneOf(file)
  return zone?.kind === 'overlay' ? zone.env : null
}

const clean = (p: string) => path.posix.normalize(p.replace(/^\.\//, '')).replace(/\/$/, '').replace(/^\.$/, '')

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
  if (configured) {
    for (const dir of configured) {
      const d = clean(dir)
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
  const fileSet = new Set(files)
  for (const file of files) {
    if (!/\.ya?ml$/i.test(file) || KUSTOMIZATION_FILES.includes(path.posix.basename(file))) continue
    const text = readFileSync(path.join(root, file), 'utf8')
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
      const obj = doc.toJS({maxAliasCount: 100}) as Record<string, any> | null
      if (!obj || typeof obj !== 'object') continue
      const line = doc.contents?.range ? lineCounter.linePos(doc.contents.range[0]).line : 1
      const declared = (p: string) => envOf(layout, file) ?? envOf(layout, `${p}/kustomization.yaml`)
      const apiVersion = String(obj.apiVersion ?? '')
      if (obj.kind === 'Kustomization' && apiVersion.startsWith('kustomize.toolkit.fluxcd.io/')) {
        const spec = obj.spec ?? {}
        if (spec.sourceRef?.kind !== 'GitRepository' || typeof spec.path !== 'string' || configured) continue
        const dir = clean(spec.path)
        add({dir, environment: declared(dir), via: 'flux', declaredIn: file})
      } else if (obj.kind === 'Application' && apiVersion.startsWith('argoproj.io/')) {
        const sources = [obj.spec?.source, ...(Array.isArray(obj.spec?.sources) ? obj.spec.sources : [])]
        for (const source of sources) {
          if (!source || typeof source.path !== 'string') continue
          const dir = clean(source.path)
          if (fileSet.has(`${dir}/Chart.yaml`)) {
            const values = Array.isArray(source.helm?.valueFiles) ? source.helm.valueFiles : []
            charts.push({
              chart: dir,
              environment: declared(dir),
              declaredIn: file,
              line,
              release: String(source.helm?.releaseName ?? obj.metadata?.name ?? 'release'),
              namespace: obj.spec?.destination?.namespace,
              valuesFiles: values
                .filter((v: unknown) => typeof v === 'string')
                .map((v: string) => clean(path.posix.join(dir, v))),
            })
          } else if (!configured) add({dir, environment: declared(dir), via: 'argocd', declaredIn: file})
        }
      } else if (obj.kind === 'HelmRelease' && apiVersion.startsWith('helm.toolkit.fluxcd.io/')) {
        const chart = obj.spec?.chart?.spec
        if (chart?.sourceRef?.kind !== 'GitRepository' || typeof chart.chart !== 'string') continue
        const dir = clean(chart.chart)
        if (!fileSet.has(`${dir}/Chart.yaml`)) continue
        charts.push({
          chart: dir,
          environment: envOf(layout, file),
          declaredIn: file,
          line,
          release: String(obj.spec?.releaseName ?? obj.metadata?.name ?? 'release'),
          namespace: obj.spec?.targetNamespace ?? obj.metadata?.namespace,
          valuesFiles: (Array.isArray(chart.valuesFiles) ? chart.valuesFiles : [])
            .filter((v: unknown) => typeof v === 'string')
            .map((v: string) => clean(v)),
        })
      }
    }
  }
  const byDir = (a: {dir: string}, b: {dir: string}) => (a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0)
  const filteredCharts = charts.filter(
    (c) => !environments || (c.environment !== null && environments.includes(c.environment)),
  )
  return {roots: [...roots.values()].sort(byDir), charts: filteredCharts, kustomizations}
}
