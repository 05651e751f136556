/**
 * The kustomization graph of a checkout: every kustomization file, what it includes (resources, bases, components:
 * local folders, local files, remote URLs) and where each remote entry is written. Reads only.
 */
import {readFileSync} from '../../core/memory-fs/index.js'
import path from 'node:path'

import type {YamlModule} from '../../images/yaml/index.js'
import {confinedPath} from '../revision/index.js'
import {withCharts, type HelmChartsEntry} from './helm-charts.js'
import {PATCH_KEYS, patchPaths} from './patch-files.js'

export const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization']
const NAMES: ReadonlySet<string> = new Set(KUSTOMIZATION_FILES)
/** Whether a repo-relative file is a kustomization by its name (its last segment, as a path's basename). */
export const isKustomizationFile = (file: string): boolean => NAMES.has(file.slice(file.lastIndexOf('/') + 1))

/** A remote base, resource or file reference (never fetched: the gate renders only what the revision holds). */
export interface RemoteEntry {
  file: string
  line: number
  entry: string
}

export interface KustomizationNode {
  /** Repo-relative folder. */
  dir: string
  /** Repo-relative kustomization file. */
  file: string
  /** Local folders with a kustomization it includes (repo-relative). */
  includes: string[]
  /** Local files it reads besides its own (resources, patches, values): inputs of a render. */
  files: string[]
  remote: RemoteEntry[]
  /** Local entries that leave the revision (`../…` past its root, an absolute path): refused, never read. */
  outside: RemoteEntry[]
  /** Its `helmCharts` (inflated only with kustomize `--enable-helm`: src/gitops/gate/helm-inflation.ts), if any. */
  helmCharts?: HelmChartsEntry
  /** The local files it names as patches (./patch-files.ts): never objects of their own. */
  patches?: string[]
  /** The file could not be parsed: kustomize will say why when the root renders. */
  unreadable?: string
  /** Local resources, bases or components it names that the revision does not hold (kustomize fails on them). */
  missing?: string[]
  /**
   * A folder without a kustomization that a Flux Kustomization deploys: the resources (relative to it) of the
   * kustomization kustomize-controller generates for it (`file` is then the Flux Kustomization's file).
   */
  generated?: string[]
  /** While reading: folders named by generators/transformers/validators, and the plugin configurations read. */
  pluginDirs?: string[]
  pluginFiles?: Set<string>
}

/**
 * The kustomization kustomize-controller generates for a `spec.path` that holds none (fluxcd/pkg kustomize
 * generator, as `kustomize create --autodetect --recursive`): walking the folder, a subfolder holding a kustomization
 * is one resource (not entered), every other .yaml/.yml file is one; null when the folder holds no file.
 */
export function generatedNode(
  dir: string,
  declaredIn: string,
  files: readonly string[],
  nodes: Pick<ReadonlyMap<string, unknown>, 'has'>,
): KustomizationNode | null {
  const prefix = dir ? `${dir}/` : ''
  const inside = files.filter((f) => f.startsWith(prefix))
  if (inside.length === 0) return null
  const includes = new Set<string>()
  const resources: string[] = []
  const own: string[] = []
  for (const f of inside) {
    const parts = f.slice(prefix.length).split('/')
    // The shallowest folder on the way that holds a kustomization stands for everything below it.
    let folder: string | undefined
    for (let i = 1; i < parts.length && folder === undefined; i++) {
      const sub = prefix + parts.slice(0, i).join('/')
      if (nodes.has(sub)) folder = sub
    }
    if (folder !== undefined) includes.add(folder)
    else if (/\.ya?ml$/.test(f)) own.push(f)
  }
  const walk = (a: string, b: string) => {
    const x = a.split('/')
    const y = b.split('/')
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1
    return x.length - y.length
  }
  for (const r of [...includes, ...own].sort(walk)) resources.push(r.slice(prefix.length))
  return {
    dir,
    file: declaredIn,
    includes: [...includes].sort(),
    files: own,
    remote: [],
    outside: [],
    generated: resources,
  }
}

/**
 * kustomize's remote forms (its git.NewRepoSpecFromURL and HTTP loader): URLs (`file://` included), `git::`, `gh:`,
 * scp-like `git@host:…`, `github.com/…` and the like, a `//` repository-root separator, Azure's `_git/`, a `.git`
 * repository suffix, and any `?ref=`/`?version=`. Never fetched.
 */
export const isRemote = (entry: string): boolean =>
  /^[a-z][a-z0-9+.-]*:\/\//i.test(entry) ||
  /^(git::|gh:)/i.test(entry) ||
  /^[\w.-]+@[\w.-]+:/.test(entry) ||
  /^(github\.com|gitlab\.com|bitbucket\.org)\//.test(entry) ||
  /^[^/]+\/.*\/\//.test(entry) ||
  /(^|\/)_git\//.test(entry) ||
  /\.git(\/|$)/.test(entry) ||
  /[?&](ref|version|submodules|timeout)=/.test(entry)

const INCLUDE_KEYS = ['resources', 'bases', 'components']
/** The graph of a revision's kustomizations, read once per set of files. */
const graphs = new WeakMap<ReadonlySet<string>, Map<string, KustomizationNode>>()

/** {@link readKustomizations} of `files`, read once per set. */
export function kustomizationGraph(root: string, files: ReadonlySet<string>, yaml: YamlModule) {
  let graph = graphs.get(files)
  if (!graph) graphs.set(files, (graph = readKustomizations(root, [...files].sort(), yaml)))
  return graph
}

/** Every kustomization of the checkout (files: repo-relative, sorted) by folder. */
export function readKustomizations(
  root: string,
  files: readonly string[],
  yaml: YamlModule,
): Map<string, KustomizationNode> {
  const fileSet = new Set(files)
  const kustomizationIn = (dir: string) =>
    KUSTOMIZATION_FILES.map((n) => (dir === '' ? n : `${dir}/${n}`)).find((f) => fileSet.has(f))
  const nodes = new Map<string, KustomizationNode>()
  for (const file of files) {
    if (!isKustomizationFile(file)) continue
    const dir = path.posix.dirname(file) === '.' ? '' : path.posix.dirname(file)
    if (nodes.has(dir)) continue
    const node: KustomizationNode = {dir, file, includes: [], files: [], remote: [], outside: []}
    nodes.set(dir, node)
    let text: string
    try {
      text = readFileSync(path.join(root, file), 'utf8')
    } catch (error) {
      node.unreadable = (error as Error).message
      continue
    }
    const lineCounter = new yaml.LineCounter()
    let doc
    try {
      doc = yaml.parseDocument(text, {lineCounter, uniqueKeys: false, logLevel: 'error'})
    } catch (error) {
      node.unreadable = (error as Error).message
      continue
    }
    if (doc.errors.length > 0 || !yaml.isMap(doc.contents)) {
      node.unreadable = doc.errors[0]?.message ?? 'not a YAML mapping'
      continue
    }
    const addLocal = placeLocal(root, node, kustomizationIn, fileSet)
    const entries = fileReferences(yaml, lineCounter, file, node, addLocal)
    for (const pair of doc.contents.items) {
      const key = yaml.isScalar(pair.key) ? String(pair.key.value) : ''
      if (key === 'helmCharts' || key === 'helmChartInflationGenerator') {
        const line = yaml.isScalar(pair.key) && pair.key.range ? lineCounter.linePos(pair.key.range[0]).line : 1
        node.helmCharts = withCharts(node.helmCharts, {file, line, entry: key}, pair.value, doc.contents)
      }
      // A top-level scalar (namespace, namePrefix) names no file.
      if (key !== 'literals') entries(pair.value, INCLUDE_KEYS.includes(key), !yaml.isScalar(pair.value))
      if (PATCH_KEYS.includes(key)) (node.patches ??= []).push(...patchPaths(yaml, pair.value, dir, fileSet))
      if (PLUGIN_KEYS.includes(key)) pluginConfigs(root, yaml, node, pair.value, lineCounter, fileSet, kustomizationIn)
    }
  }
  // A generators/transformers/validators entry naming a folder with a kustomization: what that kustomization
  // reaches is read as plugin configurations too, their file references relative to the kustomization naming it.
  for (const node of nodes.values()) {
    for (const dir of node.pluginDirs ?? []) {
      for (const sub of reachable(nodes, dir)) {
        for (const f of sub.files) pluginConfigFile(root, yaml, node, f, fileSet, kustomizationIn)
      }
    }
    delete node.pluginDirs
  }
  return nodes
}

/**
 * The walker of a kustomization's (or a plugin configuration's) fields: every file reference — a `resources`,
 * `bases` or `components` entry, and anywhere below any key a `path`, `paths`, `files`, `envs`, `env`,
 * `valuesFile`, `additionalValuesFiles` or `chartHome` — is remote (a URL: kustomize fetches those) or placed by
 * `addLocal` (confined to the revision, refused outside it). A plugin's `fieldSpecs` name fields, not files.
 */
function fileReferences(
  yaml: YamlModule,
  lineCounter: InstanceType<YamlModule['LineCounter']>,
  file: string,
  node: KustomizationNode,
  addLocal: (entry: string, include: boolean, line: number) => void,
): (value: unknown, include: boolean, named?: boolean) => void {
  const walk = (value: unknown, include: boolean, named = true): void => {
    if (yaml.isSeq(value)) for (const item of value.items) walk(item, include)
    else if (yaml.isMap(value)) {
      for (const p of value.items) {
        const k = yaml.isScalar(p.key) ? String(p.key.value) : ''
        if (FILE_KEYS.includes(k)) walk(p.value, false)
        else if (k !== 'literals' && k !== 'fieldSpecs' && (yaml.isSeq(p.value) || yaml.isMap(p.value)))
          walk(p.value, false)
      }
    } else if (yaml.isScalar(value) && typeof value.value === 'string') {
      const entry = value.value.replace(/^[^=]+=/, (m) => (include ? m : ''))
      const line = value.range ? lineCounter.linePos(value.range[0]).line : 1
      // kustomize fetches a file reference given as a URL too (patches, generator files, openapi): remote.
      if (!named && !include) return
      if (isRemote(entry)) node.remote.push({file, line, entry})
      else addLocal(entry, include, line)
    }
  }
  return walk
}

const FILE_KEYS = ['path', 'paths', 'files', 'envs', 'env', 'valuesFile', 'additionalValuesFiles', 'chartHome']
/** The fields whose entries kustomize loads as plugin configurations (builtin generators and transformers). */
const PLUGIN_KEYS = ['generators', 'transformers', 'validators']

/**
 * A kustomization's `generators`, `transformers` and `validators` entries: each is an inline configuration (kustomize
 * first tries the entry as YAML), a file of configurations, or a folder whose kustomization lists them. Every file a
 * configuration names (a ConfigMapGenerator's `files` and `envs`, a PatchTransformer's `path`, a
 * HelmChartInflationGenerator's `valuesFile`…) is judged like the kustomization's own references, relative to the
 * kustomization's folder (the loader kustomize hands its plugins): with load restrictions off (a Flux
 * Kustomization over a folder without one) kustomize reads whatever they name.
 */
function pluginConfigs(
  root: string,
  yaml: YamlModule,
  node: KustomizationNode,
  value: unknown,
  lineCounter: InstanceType<YamlModule['LineCounter']>,
  fileSet: ReadonlySet<string>,
  kustomizationIn: (dir: string) => string | undefined,
): void {
  const items = yaml.isSeq(value) ? value.items : [value]
  for (const item of items) {
    if (yaml.isMap(item)) {
      // Not kustomize's form (it wants strings), but judged all the same.
      fileReferences(yaml, lineCounter, node.file, node, placeLocal(root, node, kustomizationIn, fileSet))(item, false)
      continue
    }
    if (!yaml.isScalar(item) || typeof item.value !== 'string') continue
    const entry = item.value
    const line = item.range ? lineCounter.linePos(item.range[0]).line : 1
    if (entry.includes('\n')) {
      configDocuments(yaml, entry, node.file, node, root, fileSet, kustomizationIn, line)
      continue
    }
    if (isRemote(entry) || path.posix.isAbsolute(entry)) continue // reported by the walk of the field
    const lexical = path.posix.normalize(path.posix.join(node.dir, entry)).replace(/\/$/, '')
    const target = confinedPath(root, lexical === '.' ? '' : lexical)
    if (target === undefined) continue // refused by the walk of the field
    if (kustomizationIn(target)) {
      node.includes.push(target)
      ;(node.pluginDirs ??= []).push(target)
    } else if (fileSet.has(target)) pluginConfigFile(root, yaml, node, target, fileSet, kustomizationIn)
  }
}

/** Reads the configurations of `file` (repo-relative, in the revision) for `node`: its file references judged. */
function pluginConfigFile(
  root: string,
  yaml: YamlModule,
  node: KustomizationNode,
  file: string,
  fileSet: ReadonlySet<string>,
  kustomizationIn: (dir: string) => string | undefined,
): void {
  const seen = (node.pluginFiles ??= new Set())
  if (seen.has(file)) return
  seen.add(file)
  if (!node.files.includes(file)) node.files.push(file)
  let text: string
  try {
    text = readFileSync(path.join(root, file), 'utf8')
  } catch {
    return // a missing or unreadable file: kustomize says so when the root renders
  }
  configDocuments(yaml, text, file, node, root, fileSet, kustomizationIn)
}

function configDocuments(
  yaml: YamlModule,
  text: string,
  file: string,
  node: KustomizationNode,
  root: string,
  fileSet: ReadonlySet<string>,
  kustomizationIn: (dir: string) => string | undefined,
  atLine?: number,
): void {
  const lineCounter = new yaml.LineCounter()
  let list: Array<{contents: unknown}>
  try {
    const docs = yaml.parseAllDocuments(text, {lineCounter, uniqueKeys: false, logLevel: 'error'})
    list = Array.isArray(docs) ? docs : [docs]
  } catch {
    list = []
  }
  const addLocal = placeLocal(root, node, kustomizationIn, fileSet)
  const refs = fileReferences(yaml, lineCounter, file, node, (entry, include, line) =>
    addLocal(entry, include, atLine ?? line),
  )
  const before = {remote: node.remote.length, outside: node.outside.length}
  for (const doc of list) if (yaml.isMap(doc.contents)) refs(doc.contents, false)
  // Where the configuration is written: the file, or (inline) the kustomization's line.
  for (const r of [...node.remote.slice(before.remote), ...node.outside.slice(before.outside)]) {
    r.file = file
    if (atLine !== undefined) r.line = atLine
  }
}

/**
 * Files a local `entry` of `node` (relative to its folder) into its includes, files or outside entries. A folder is
 * taken where it resolves to, in-bounds links followed, as kustomize evaluates a folder's links before it reads the
 * kustomization there (whose entries are then relative to that folder): a kustomization reached through a link is
 * part of the graph, and what it names is checked like any other.
 */
function placeLocal(
  root: string,
  node: KustomizationNode,
  kustomizationIn: (dir: string) => string | undefined,
  fileSet: ReadonlySet<string>,
): (entry: string, include: boolean, line: number) => void {
  return (entry, include, line) => {
    const lexical = path.posix.normalize(path.posix.join(node.dir, entry)).replace(/\/$/, '')
    const target = path.posix.isAbsolute(entry) ? undefined : confinedPath(root, lexical === '.' ? '' : lexical)
    if (target === undefined || lexical === '..' || lexical.startsWith('../')) {
      node.outside.push({file: node.file, line, entry})
      return
    }
    if (include && kustomizationIn(target)) node.includes.push(target)
    else if (fileSet.has(lexical)) node.files.push(lexical)
    else if (fileSet.has(target)) node.files.push(target)
    else if (include) (node.missing ??= []).push(lexical)
  }
}

/**
 * What an Argo CD Application's kustomize options (`components`, `patches` paths, from the source or an
 * `.argocd-source*.yaml` override written in `file`) add to the root `dir`: a node whose includes, files, remote and
 * outside entries are checked like a kustomization's own.
 */
export function editsNode(
  root: string,
  files: readonly string[],
  dir: string,
  file: string,
  fields: Record<string, unknown>,
): KustomizationNode {
  const fileSet = new Set(files)
  const kustomizationIn = (d: string) =>
    KUSTOMIZATION_FILES.map((n) => (d === '' ? n : `${d}/${n}`)).find((f) => fileSet.has(f))
  const node: KustomizationNode = {dir, file, includes: [], files: [], remote: [], outside: []}
  const add = placeLocal(root, node, kustomizationIn, fileSet)
  const entries = [
    ...(Array.isArray(fields.components) ? fields.components : []).map((c) => ({entry: c, include: true})),
    ...(Array.isArray(fields.patches) ? fields.patches : []).map((p) => ({
      entry: (p as {path?: unknown} | null)?.path,
      include: false,
    })),
  ]
  for (const {entry, include} of entries) {
    if (typeof entry !== 'string' || entry === '') continue
    if (isRemote(entry)) node.remote.push({file, line: 1, entry})
    else add(entry, include, 1)
  }
  return node
}

/** Folders reachable from `dir` through includes (itself first). */
export function reachable(
  nodes: Map<string, KustomizationNode>,
  dir: string,
  edits?: KustomizationNode,
): KustomizationNode[] {
  const seen = new Set<string>()
  const out: KustomizationNode[] = edits ? [edits] : []
  const visit = (d: string) => {
    if (seen.has(d)) return
    seen.add(d)
    const node = nodes.get(d)
    if (!node) return
    out.push(node)
    for (const next of node.includes) visit(next)
  }
  visit(dir)
  for (const next of edits?.includes ?? []) visit(next)
  return out
}
