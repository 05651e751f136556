/**
 * Which chart repositories may be asked for anything: those the BASE revision declares — the url of each Flux
 * HelmRepository and OCIRepository, every `repoURL` of its Argo CD Applications and ApplicationSets, every
 * `repository` of its charts' Chart.yaml dependencies, every `repo` of its kustomizations' `helmCharts` — and those
 * its ameide.yaml lists (`gitopsPolicy.charts.repositories`). A head that adds a repository or changes a URL names one the base does not
 * declare: its chart is render-unavailable and nothing is requested. `gitops verify --render` reads one revision:
 * the checkout is its own base. Only the text of the files is read (no render, nothing fetched). The hosts the base
 * calls insecure — a Flux HelmRepository or OCIRepository with `spec.insecure: true`, an Argo CD repository Secret
 * with `insecure` (or `insecureOCIForceHttp`) `"true"` — are reached over plain HTTP; every other host, loopback
 * included, over HTTPS, as Helm and Flux reach it. The base's plain
 * Secrets holding cosign public keys (`.pub`) are gathered too: the only keys a Flux `verify.secretRef` is checked
 * with (./verify.ts), so a head cannot bring its own.
 */
import {readFileSync, statSync} from '../../../core/memory-fs/index.js'
import path from 'node:path'

import type {GitopsChartsPolicy} from '../../../core/config.js'
import type {YamlModule} from '../../../images/yaml/index.js'
import {chartTemplateTest} from '../../revision/files.js'

export interface ChartAllowList {
  /** Normalized URLs the base declares. */
  declared: Set<string>
  /** ameide.yaml's `gitopsPolicy.charts.repositories` (a URL, or a prefix ending in `/`). */
  listed: string[]
  /** Hosts of the above: the only hosts credentials are looked up for. */
  hosts: Set<string>
  /**
   * The cosign public keys the base holds in plain Secrets (`namespace/name` → the PEM of each `.pub` key): what a
   * Flux `verify.secretRef` may name. A Secret the base does not hold readably (only in the cluster, or encrypted)
   * is not here.
   */
  keys: Map<string, string[]>
  /** Hosts (`host:port`) the base's sources call insecure: reached over plain HTTP. */
  insecure: Set<string>
}

/** A repository URL compared across spellings: trimmed, no trailing `/`, scheme and host lowercased. */
export function normalizeChartSource(url: string): string {
  const s = url.trim().replace(/\/+$/, '')
  const m = /^([a-z][a-z0-9+.-]*:\/\/)?([^/]*)(.*)$/i.exec(s)!
  return `${(m[1] ?? '').toLowerCase()}${m[2].toLowerCase()}${m[3]}`
}

/** The host (with port) of a repository URL, scheme or not (`oci://ghcr.io/x`, `ghcr.io/x`, `https://h:8443/c`). */
export const hostOf = (url: string): string =>
  normalizeChartSource(url)
    .replace(/^[a-z][a-z0-9+.-]*:\/\//, '')
    .split('/')[0]

export function isAllowed(list: ChartAllowList, source: string): boolean {
  const s = normalizeChartSource(source)
  if (list.declared.has(s)) return true
  return list.listed.some((l) => {
    const n = normalizeChartSource(l)
    return s === n || (l.trim().endsWith('/') && s.startsWith(`${n}/`))
  })
}

const MANIFEST = /\.ya?ml$/i
const KUSTOMIZATION = /(^|\/)(kustomization\.ya?ml|Kustomization)$/

/** The repositories a kustomization's Helm charts name: `helmCharts[].repo`, `helmChartInflationGenerator[].chartRepoUrl`. */
const kustomizationRepos = (doc: Record<string, unknown>): unknown[] => [
  ...(Array.isArray(doc.helmCharts) ? doc.helmCharts : []).map((c: unknown) => (isMap(c) ? c.repo : undefined)),
  ...(Array.isArray(doc.helmChartInflationGenerator) ? doc.helmChartInflationGenerator : []).map((c: unknown) =>
    isMap(c) ? c.chartRepoUrl : undefined,
  ),
]

/** The repositories `files` of the revision at `root` declare, and the policy's list. */
export function allowListOf(
  root: string,
  files: readonly string[],
  yaml: YamlModule,
  policy: GitopsChartsPolicy,
  maxFileBytes: number,
): ChartAllowList {
  const declared = new Set<string>()
  const keys = new Map<string, string[]>()
  const insecure = new Set<string>()
  const add = (v: unknown) => {
    if (typeof v === 'string' && v.trim() !== '') declared.add(normalizeChartSource(v))
  }
  const chartTemplate = chartTemplateTest(files)
  for (const file of files) {
    if (!MANIFEST.test(file) || chartTemplate(file)) continue
    const text = readSmall(path.join(root, file), maxFileBytes)
    if (text === undefined || !/HelmRepository|OCIRepository|argoproj\.io|dependencies:|Secret|helmChart/.test(text))
      continue
    let docs: unknown[]
    try {
      docs = yaml.parseAllDocuments(text, {logLevel: 'error'}).map((d) => d.toJS({maxAliasCount: 50}) as unknown)
    } catch {
      continue // unreadable: declares nothing
    }
    for (const doc of docs) {
      if (!isMap(doc)) continue
      if (path.posix.basename(file) === 'Chart.yaml' && Array.isArray(doc.dependencies))
        for (const dep of doc.dependencies) if (isMap(dep)) add(dep.repository)
      if (KUSTOMIZATION.test(file)) for (const url of kustomizationRepos(doc)) add(url)
      const kind = doc.kind
      const spec = isMap(doc.spec) ? doc.spec : {}
      if (
        (kind === 'HelmRepository' || kind === 'OCIRepository') &&
        String(doc.apiVersion).startsWith('source.toolkit.fluxcd.io/')
      ) {
        add(spec.url)
        if (spec.insecure === true && typeof spec.url === 'string') insecure.add(hostOf(spec.url))
      }
      if (String(doc.apiVersion).startsWith('argoproj.io/')) for (const url of repoURLs(spec)) add(url)
      if (kind === 'Secret' && doc.apiVersion === 'v1') {
        publicKeys(doc, keys)
        argoRepository(doc, insecure)
      }
    }
  }
  const listed = policy.repositories
  const hosts = new Set([...declared, ...listed].map(hostOf))
  return {declared, listed, hosts, keys, insecure}
}

/**
 * An Argo CD repository Secret (label `argocd.argoproj.io/secret-type: repository`): its `url`'s host is insecure
 * when `insecure` or `insecureOCIForceHttp` is `"true"` (`stringData`, or base64 `data`). The URL itself is declared
 * by the Applications that name it (`repoURL`), not by the Secret.
 */
function argoRepository(doc: Record<string, unknown>, insecure: Set<string>): void {
  const meta = isMap(doc.metadata) ? doc.metadata : {}
  const labels = isMap(meta.labels) ? meta.labels : {}
  if (labels['argocd.argoproj.io/secret-type'] !== 'repository') return
  const fields: Record<string, string> = {}
  if (isMap(doc.data))
    for (const [k, v] of Object.entries(doc.data))
      if (typeof v === 'string') fields[k] = Buffer.from(v, 'base64').toString('utf8')
  if (isMap(doc.stringData))
    for (const [k, v] of Object.entries(doc.stringData)) if (typeof v === 'string') fields[k] = v
  const url = fields.url
  if (!url) return
  if (fields.insecure === 'true' || fields.insecureOCIForceHttp === 'true') insecure.add(hostOf(url))
}

/** A Secret's `.pub` entries that are PEM public keys (`stringData`, or base64 `data`), as source-controller reads them. */
function publicKeys(doc: Record<string, unknown>, keys: Map<string, string[]>): void {
  const meta = isMap(doc.metadata) ? doc.metadata : {}
  if (typeof meta.name !== 'string') return
  const id = `${typeof meta.namespace === 'string' ? meta.namespace : 'default'}/${meta.name}`
  const found: string[] = []
  const take = (name: string, pem: string) => {
    if (name.endsWith('.pub') && /-----BEGIN PUBLIC KEY-----/.test(pem)) found.push(pem)
  }
  if (isMap(doc.data))
    for (const [k, v] of Object.entries(doc.data))
      if (typeof v === 'string') take(k, Buffer.from(v, 'base64').toString('utf8'))
  if (isMap(doc.stringData)) for (const [k, v] of Object.entries(doc.stringData)) if (typeof v === 'string') take(k, v)
  if (found.length > 0) keys.set(id, found)
}

function repoURLs(v: unknown, out: string[] = [], depth = 0): string[] {
  if (depth > 20) return out
  if (Array.isArray(v)) for (const x of v) repoURLs(x, out, depth + 1)
  else if (isMap(v))
    for (const [k, x] of Object.entries(v)) {
      if (k === 'repoURL' && typeof x === 'string') out.push(x)
      else repoURLs(x, out, depth + 1)
    }
  return out
}

function readSmall(file: string, max: number): string | undefined {
  try {
    const info = statSync(file)
    return info.isFile() && info.size <= max ? readFileSync(file, 'utf8') : undefined
  } catch {
    return undefined
  }
}

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)
