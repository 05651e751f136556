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
import {fluxFields, holdersOf, type FluxFields} from './flux-kustomization.js'
import {generatedNode, KUSTOMIZATION_FILES, readKustomizations, type KustomizationNode} from './kustomizations.js'
import {declared as declaredKind} from '../deployables/manifests.js'
import {limitMessage} from '../deployables/yaml-lines.js'
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
  /** A Flux Kustomization's fields kustomize-controller applies around the build (./flux-kustomization.ts). */
  flux?: FluxFields
  /**
   * The Flux Kustomization (`namespace/name`) that deploys a `via: 'flux'` root: part of the render key, so a folder
   * a change makes a Kustomization deploy is rendered and judged in the head, whatever it did in the base.
   */
  deployedBy?: string
}

export interface RenderPlan {
  roots: RenderRoot[]
  /** Folders `gitopsPolicy.render.roots` names that hold no kustomization. */
  missingRoots: string[]
  /**
   * Flux Kustomizations whose source the gate does not render (an OCIRepository, a Bucket, an ExternalArtifact it
   * cannot map to this repository's folders): render-unavailable, named; `reads` and `spec` are their inputs.
   */
  unavailable: Array<{
    file: string
    line: number
    environment: string | null
    message: string
    spec: unknown
    reads: string[]
  }>
  /** Flux Kustomizations whose `spec.path` leaves the revision: refused, never read. */
  outside: Array<{path: string; declaredIn: string; environment: string | null}>
  /** Flux Kustomizations not read (a YAML error, past ameide's limits): what they deploy is unknown. */
  unread: Array<{file: string; line: number; message: string}>
  /**
   * Flux Kustomizations whose `spec.path` names a folder this revision does not hold (or holds no file in):
   * kustomize-controller fails (path not found), so what they deploy is not known: render-failed, named.
   */
  notFound: Array<{file: string; line: number; environment: string | null; message: string; spec: unknown}>
  kustomizations: Map<string, KustomizationNode>
}

const envOf = (layout: Layout, file: string): string | null => {
  const zone = layout.zoneOf(file)
  return zone?.kind === 'overlay' ? zone.env : null
}

const clean = (p: string) => path.posix.normalize(p.replace(/^\.\//, '')).replace(/\/$/, '').replace(/^\.$/, '')

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

const isFlux = (obj: unknown, kind: string, group: string) =>
  at(obj, 'kind') === kind && (str(at(obj, 'apiVersion')) ?? '').startsWith(group)

/**
 * Where a Flux Kustomization's `spec.path` lies in this repository: from a `GitRepository` (this repository), the
 * path itself; from an `ExternalArtifact` an `ArtifactGenerator` of the revision produces with one copy rule of a
 * folder of this repository (`from: "@repo/apps/podinfo/**"`, `to: "@artifact/"`), the path inside that folder, as
 * source-watcher copies it. Any other source (`OCIRepository`, `Bucket`, an artifact of several copies or of
 * another source) is not rendered: unavailable, named.
 */
function fluxSource(
  obj: unknown,
  file: string,
  layout: Layout,
  generators: ReadonlyArray<{obj: unknown; file: string}>,
): {root?: RenderRoot} | {unavailable: string; reads?: string[]} {
  const p = str(at(obj, 'spec', 'path')) ?? './'
  const kind = str(at(obj, 'spec', 'sourceRef', 'kind'))
  const name = str(at(obj, 'spec', 'sourceRef', 'name')) ?? ''
  const id = `${str(at(obj, 'metadata', 'namespace')) ?? 'default'}/${str(at(obj, 'metadata', 'name')) ?? ''}`
  const environmentOf = (dir: string) => envOf(layout, file) ?? envOf(layout, `${dir}/kustomization.yaml`)
  if (kind === 'GitRepository') {
    if (at(obj, 'spec', 'path') === undefined) return {}
    const dir = clean(p)
    const rule = 'spec.path of a Flux Kustomization'
    return {root: {dir, environment: environmentOf(dir), via: 'flux', rule, declaredIn: file, deployedBy: id}}
  }
  if (kind === 'ExternalArtifact') {
    for (const g of generators) {
      const artifacts = at(g.obj, 'spec', 'artifacts')
      const artifact = Array.isArray(artifacts) ? artifacts.find((x) => at(x, 'name') === name) : undefined
      if (artifact === undefined) continue
      const generator = str(at(g.obj, 'metadata', 'name')) ?? ''
      const copy = at(artifact, 'copy')
      const shift = artifactShift(Array.isArray(copy) ? copy : [], at(g.obj, 'spec', 'sources'))
      if (shift !== undefined) {
        const dir = clean(path.posix.join(shift, clean(p)))
        const rule = `spec.path of a Flux Kustomization over ExternalArtifact ${name} (ArtifactGenerator ${generator}, its copy rules a view of ${shift || '.'})`
        return {root: {dir, environment: environmentOf(dir), via: 'flux', rule, declaredIn: file, deployedBy: id}}
      }
      return {
        unavailable: `Flux Kustomization ${id} deploys ExternalArtifact ${name}, which ArtifactGenerator ${generator} (${g.file}) assembles with copy rules the gate does not model (rendered: rules that copy this repository's folders and files to the same relative places, \`@<alias>/<folder>/**\` to \`@artifact/<sub>/\` with <folder> ending in <sub>): what it deploys is not rendered or judged.`,
        reads: [file, g.file],
      }
    }
    return {
      unavailable: `Flux Kustomization ${id} deploys ExternalArtifact ${name}, which no ArtifactGenerator of this revision produces: what it deploys is not rendered or judged.`,
    }
  }
  return {
    unavailable: `Flux Kustomization ${id} deploys from ${kind ?? 'a source it does not name'} ${name}: the gate renders only this repository (a GitRepository, or an ExternalArtifact an ArtifactGenerator copies from it) and fetches nothing, so what it deploys is not rendered or judged.`,
  }
}

/**
 * The folder of this repository an artifact is a view of: every copy rule takes a folder (`@repo/apps/base/**`,
 * `@repo/apps/base/`) or a file of a GitRepository source to the same relative place under `@artifact/`
 * (`@artifact/base/`), so that `<folder>/<path>` in the repository is `<path>` in the artifact, for one `<folder>` —
 * then what kustomize-controller builds from the artifact is what kustomize builds from that folder. Undefined when a
 * rule copies from another kind of source, with a glob other than a trailing `**`, or to another place.
 */
function artifactShift(rules: readonly unknown[], sources: unknown): string | undefined {
  if (rules.length === 0) return undefined
  const shifts = new Set<string>()
  for (const r of rules) {
    const from = str(at(r, 'from'))
    const to = str(at(r, 'to')) ?? '@artifact/'
    const m = from ? /^@([^/]+)\/(.*)$/.exec(from) : null
    const target = /^@artifact\/(.*)$/.exec(to)
    if (!m || !target || at(r, 'strategy') === 'Merge') return undefined
    const source = Array.isArray(sources) ? sources.find((s) => at(s, 'alias') === m[1]) : undefined
    if (at(source, 'kind') !== 'GitRepository') return undefined
    let fromPath = m[2].replace(/\*\*$/, '')
    let toPath = target[1]
    if (/[*?[\]]/.test(fromPath)) return undefined
    // A file copied into a folder keeps its name.
    if (!fromPath.endsWith('/') && fromPath !== '' && (toPath === '' || toPath.endsWith('/')))
      toPath += path.posix.basename(fromPath)
    fromPath = fromPath.replace(/\/$/, '')
    toPath = toPath.replace(/\/$/, '')
    if (toPath === '') shifts.add(fromPath)
    else if (fromPath === toPath) shifts.add('')
    else if (fromPath.endsWith(`/${toPath}`)) shifts.add(fromPath.slice(0, -toPath.length - 1))
    else return undefined
  }
  return shifts.size === 1 ? [...shifts][0] : undefined
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
  /** Whether a URL names this repository (a Flux GitRepository of another repository is not rendered). */
  isThisRepository?: (url: string) => boolean,
): RenderPlan {
  const kustomizations = readKustomizations(root, files, yaml)
  const configured = layout.policy.render.roots
  const roots = new Map<string, RenderRoot>()
  const add = (r: RenderRoot) => {
    // One deployable per folder and Application: an Application over an overlay's folder is one of its own (it
    // deploys into its own destination), as is each of several Applications over one folder.
    const key = `${r.dir}\0${r.application ?? ''}`
    if (!kustomizations.has(r.dir)) return
    if (environments && (r.environment === null || !environments.includes(r.environment))) return
    // A Flux Kustomization over an overlay's folder is what deploys it: its fields apply.
    const existing = roots.get(key)
    if (existing && !(existing.via === 'overlay' && r.via === 'flux')) return
    roots.set(key, existing ? {...r, environment: r.environment ?? existing.environment} : r)
  }
  /** False when the folder holds no file: nothing kustomize-controller could build. */
  const addFluxRoot = (r: RenderRoot, file: string): boolean => {
    if (!kustomizations.has(r.dir)) {
      // No kustomization there: kustomize-controller generates one over the folder's manifests.
      const node = generatedNode(r.dir, file, files, kustomizations)
      if (!node) return false
      kustomizations.set(r.dir, node)
    }
    add(r)
    return true
  }
  const missingRoots: string[] = []
  const outside: RenderPlan['outside'] = []
  const unread: RenderPlan['unread'] = []
  const notFound: RenderPlan['notFound'] = []
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
  // The Flux objects of the revision: Kustomizations, ArtifactGenerators, and which cluster folders hold any.
  const flux: Array<{obj: unknown; file: string; line: number}> = []
  const fluxFolders = new Map<string, string>() // clusters/<name> → the first file there holding a Flux object
  const holders = new Map<string, Record<string, string>>() // ConfigMaps and Secrets, for postBuild.substituteFrom
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
    const cluster = /^(clusters\/[^/]+)\/[^/]+$/.exec(file)?.[1]
    if (cluster && /^apiVersion:\s*["']?[a-z.]+\.toolkit\.fluxcd\.io\//m.test(text) && !fluxFolders.has(cluster))
      fluxFolders.set(cluster, file)
    if (/^kind:\s*["']?(?:ConfigMap|Secret)["']?\s*$/m.test(text)) holdersOf(yaml, text, holders)
    if (!/^kind:\s*["']?(?:Kustomization|ArtifactGenerator|GitRepository)["']?\s*$/m.test(text)) continue
    const lineCounter = new yaml.LineCounter()
    let docs
    try {
      docs = yaml.parseAllDocuments(text, {lineCounter})
    } catch (error) {
      unread.push({file, line: 1, message: (error as Error).message})
      continue
    }
    if (!Array.isArray(docs)) continue
    for (const doc of docs) {
      const own = text.slice(doc.range[0], doc.range[2])
      const at0 = lineCounter.linePos(doc.range[0]).line
      const fluxKustomization =
        declaredKind(own)?.kind === 'Kustomization' && /kustomize\.toolkit\.fluxcd\.io\//.test(own)
      if (doc.errors.length > 0) {
        if (fluxKustomization) unread.push({file, line: at0, message: doc.errors[0].message})
        continue
      }
      let value: unknown
      try {
        value = doc.toJS({maxAliasCount: 100})
      } catch (error) {
        if (fluxKustomization) unread.push({file, line: at0, message: limitMessage(error)})
        continue
      }
      const line = lineCounter.linePos(doc.contents?.range?.[0] ?? 0).line
      flux.push({obj: value, file, line})
    }
  }
  const generators = flux.filter((f) => isFlux(f.obj, 'ArtifactGenerator', 'source.extensions.fluxcd.io/'))
  // `namespace/name` → url of the GitRepositories of the revision.
  const gitRepositories = new Map<string, string>()
  for (const {obj} of flux) {
    if (!isFlux(obj, 'GitRepository', 'source.toolkit.fluxcd.io/')) continue
    const id = `${str(at(obj, 'metadata', 'namespace')) ?? 'default'}/${str(at(obj, 'metadata', 'name')) ?? ''}`
    gitRepositories.set(id, str(at(obj, 'spec', 'url')) ?? '')
  }
  const unavailable: RenderPlan['unavailable'] = []
  for (const {obj, file, line} of flux) {
    if (!isFlux(obj, 'Kustomization', 'kustomize.toolkit.fluxcd.io/')) continue
    declared = true
    // A GitRepository of the revision whose url names another repository: not this one, not rendered.
    if (at(obj, 'spec', 'sourceRef', 'kind') === 'GitRepository' && isThisRepository) {
      const ns = str(at(obj, 'spec', 'sourceRef', 'namespace')) ?? str(at(obj, 'metadata', 'namespace')) ?? 'default'
      const name = `${ns}/${str(at(obj, 'spec', 'sourceRef', 'name')) ?? ''}`
      const url = gitRepositories.get(name)
      if (url !== undefined && name !== 'flux-system/flux-system' && !isThisRepository(url)) {
        const environment = envOf(layout, file)
        if (environments && (environment === null || !environments.includes(environment))) continue
        const id = `${str(at(obj, 'metadata', 'namespace')) ?? 'default'}/${str(at(obj, 'metadata', 'name')) ?? ''}`
        const message = `Flux Kustomization ${id} deploys from GitRepository ${name} (${url}), another repository: the gate renders only this one and fetches nothing, so what it deploys is not rendered or judged.`
        unavailable.push({file, line, environment, message, spec: at(obj, 'spec') ?? null, reads: [file]})
        continue
      }
    }
    const source = fluxSource(obj, file, layout, generators)
    if ('unavailable' in source) {
      const environment = envOf(layout, file)
      if (environments && (environment === null || !environments.includes(environment))) continue
      unavailable.push({
        file,
        line,
        environment,
        message: source.unavailable,
        spec: at(obj, 'spec') ?? null,
        reads: source.reads ?? [file],
      })
      continue
    }
    const r = source.root
    if (!r) continue
    const fields = fluxFields(obj, holders)
    if (fields && 'unavailable' in fields) {
      const environment = envOf(layout, file)
      if (environments && (environment === null || !environments.includes(environment))) continue
      const id = `${str(at(obj, 'metadata', 'namespace')) ?? 'default'}/${str(at(obj, 'metadata', 'name')) ?? ''}`
      const message = `Flux Kustomization ${id}: ${fields.unavailable}`
      unavailable.push({file, line, environment, message, spec: at(obj, 'spec') ?? null, reads: [file]})
      continue
    }
    if (fields) r.flux = fields
    if (r.dir === '..' || r.dir.startsWith('../') || path.posix.isAbsolute(r.dir)) {
      outside.push({path: r.dir, declaredIn: file, environment: r.environment})
      continue
    }
    if (configured || addFluxRoot(r, file)) continue
    if (environments && (r.environment === null || !environments.includes(r.environment))) continue
    notFound.push({
      file,
      line,
      environment: r.environment,
      message: `Flux Kustomization ${r.deployedBy} deploys spec.path ${JSON.stringify(str(at(obj, 'spec', 'path')))}, a folder that holds no file in this revision (${r.dir || '.'}): kustomize-controller fails to build it (path not found), so what it deploys is not known.`,
      spec: at(obj, 'spec') ?? null,
    })
  }
  // A Flux cluster folder no Kustomization of the revision applies (no gotk-sync.yaml committed): the bootstrap's
  // `flux-system` Kustomization applies it, so its Flux objects are built as kustomize-controller builds them.
  if (!configured) {
    const applied = new Set([...roots.values()].map((r) => r.dir))
    for (const [dir, file] of fluxFolders) {
      if (applied.has(dir)) continue
      addFluxRoot(
        {
          dir,
          environment: envOf(layout, file),
          via: 'flux',
          rule: 'the Flux bootstrap path (a clusters/<name> folder of Flux objects, no gotk-sync.yaml applies it)',
          declaredIn: file,
          deployedBy: 'flux-system/flux-system',
        },
        file,
      )
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
    unread,
    notFound,
    unavailable,
    kustomizations,
  }
}
