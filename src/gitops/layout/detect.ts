/**
 * Layout detection (`gitops verify` without `gitopsPolicy.preset` or zone globs in ameide.yaml): the checkout's paths
 * first (the design documents' `sources/values/…` decide alone, nothing is read), then a cheap read of each YAML
 * file's `apiVersion:`/`kind:` lines (src/gitops/layout/scan.ts) picks a preset — Flux, kustomize overlays, Argo CD
 * apps-of-apps, a plain folder of manifests — and every folder of Kubernetes manifests no zone of that preset covers
 * becomes cluster values. The image contract: `ref` unless the `image:` maps are Helm's split `repository`/`tag`.
 * Each choice comes with its evidence, reported as it is (human output and `--json`).
 */
import {GITOPS_LAYOUT_SETTINGS, GITOPS_PRESET_LAYOUTS, type GitopsPolicy, type GitopsPreset} from '../../core/config.js'
import {BASE_FOLDERS, makeLayout} from './index.js'
import {detectable, scanSignals, type FileSignals} from './scan.js'

import type {DetectedLayout, LayoutDetection} from './types.js'

export {type LayoutDetection} from './types.js'

const FLUX_API = /\.toolkit\.fluxcd\.io\//
const ARGO_API = /^argoproj\.io\//
const ARGO_APPS = new Set(['Application', 'ApplicationSet', 'AppProject'])
const OVERLAY = /(?:^|\/)overlays\/([^/]+)\//
/**
 * The other folders kustomize environments live in (`envs/dev/kustomization.yml`, `environments/prod/`, `env/qa/`,
 * `clusters/eu/`), at any depth: an environment when the folder holds a kustomization itself.
 */
const ENV_FOLDER = /^((?:.*\/)?(?:envs|environments|env|clusters)\/)([^/]+)\/(?:kustomization\.ya?ml|Kustomization)$/
const FLUX_CLUSTER = /^clusters\/([^/]+)\//
const NOT_KUBERNETES = /^skaffold\//

/** The checkout's layout: what ameide.yaml configures (explicit settings always win), else what the paths show. */
export function settleLayout(
  root: string,
  files: string[],
  policy: GitopsPolicy,
  gitopsKeys: readonly string[],
): {policy: GitopsPolicy; detection: LayoutDetection} {
  const layoutSet = gitopsKeys.some((k) => (GITOPS_LAYOUT_SETTINGS as readonly string[]).includes(k))
  const contractSet = gitopsKeys.includes('imageContract')
  if (layoutSet && contractSet) return {policy, detection: configured(policy, gitopsKeys)}
  const found = detectLayout(root, files)
  if (layoutSet) {
    // The layout is the file's; only the image contract is detected.
    const detection = {...configured(policy, gitopsKeys), imageContract: found.imageContract}
    detection.evidence.push(...found.evidence.filter((e) => e.startsWith('image contract')))
    return {policy: {...policy, imageContract: found.imageContract}, detection}
  }
  const next: GitopsPolicy = {
    ...policy,
    ...GITOPS_PRESET_LAYOUTS[found.preset],
    preset: found.preset,
    ...(contractSet ? {} : {imageContract: found.imageContract}),
  }
  // A detected plain folder is its folders of manifests, not every YAML file (`plain`'s own `**`).
  next.cluster = found.preset === 'plain' ? found.added.cluster : [...next.cluster, ...found.added.cluster]
  next.argocd = [...next.argocd, ...found.added.argocd]
  next.overlays = [...next.overlays, ...found.added.overlays]
  return {policy: next, detection: contractSet ? {...found, imageContract: policy.imageContract} : found}
}

function configured(policy: GitopsPolicy, gitopsKeys: readonly string[]): LayoutDetection {
  const keys = gitopsKeys.filter(
    (k) => k === 'imageContract' || (GITOPS_LAYOUT_SETTINGS as readonly string[]).includes(k),
  )
  return {
    source: 'configured',
    layout: policy.preset,
    preset: policy.preset,
    imageContract: policy.imageContract,
    added: {cluster: [], argocd: [], overlays: []},
    evidence: [`ameide.yaml sets gitopsPolicy.${keys.join(', gitopsPolicy.')}`],
    candidates: [],
  }
}

/** Detects the layout of a checkout from its file list (sorted, repo-relative) and a cheap read of its YAML files. */
export function detectLayout(root: string, files: string[]): LayoutDetection {
  const yamlFiles = files.filter(detectable)
  const envs = environmentFolders(files)
  const seed = seedLayout(yamlFiles, envs)
  if (seed) return seed
  const found = readSignals(root, files, yamlFiles, envs)
  const candidates = candidatesOf(found)
  const layout = candidates[0]?.layout ?? 'none'
  const evidence = layoutEvidence(layout, found, envs)
  const preset: GitopsPreset =
    layout === 'flux' ? 'flux' : layout === 'kustomize' ? 'kustomize' : layout === 'none' ? 'seed' : 'plain'
  const added = addedZones(layout, preset, found, envs, evidence)
  const imageContract = contractOf(found.signals, evidence)
  return {source: 'detected', layout, preset, imageContract, added, evidence, candidates}
}

/** Environment folders beside `overlays/` (`envs/<env>/` …, base folders never one) and the overlay globs they add. */
interface EnvFolders {
  /** The ENV_FOLDER matches: the parent folder (`envs/`) and the environment. */
  matches: RegExpExecArray[]
  /** `envs/{env}/**` per parent folder, sorted. */
  globs: string[]
  /** The file lies in one of those folders. */
  contains: (file: string) => boolean
}

/** The environment folders of the file list (see `EnvFolders`). */
function environmentFolders(files: string[]): EnvFolders {
  const matches = files
    .map((f) => ENV_FOLDER.exec(f))
    .filter((m): m is RegExpExecArray => m !== null && !BASE_FOLDERS.has(m[2]))
  const globs = [...new Set(matches.map((m) => `${m[1]}{env}/**`))].sort()
  const contains = (f: string) => globs.some((g) => f.startsWith(g.slice(0, -'{env}/**'.length)))
  return {matches, globs, contains}
}

/** The design documents' layout, decided by the paths alone (nothing is read); undefined when no file is in it. */
function seedLayout(yamlFiles: string[], envs: EnvFolders): LayoutDetection | undefined {
  const seed = makeLayout({...policyOf('seed')})
  // A kustomize `environments/<env>/` folder is not the design documents' `environments/**` components zone.
  const seedFiles = yamlFiles.filter((f) => {
    const zone = seed.zoneOf(f)
    return zone !== undefined && !(zone.kind === 'components' && envs.contains(f))
  })
  if (seedFiles.length === 0) return undefined
  return {
    source: 'detected',
    layout: 'seed',
    preset: 'seed',
    imageContract: 'ref',
    added: {cluster: [], argocd: [], overlays: []},
    evidence: [
      `${count(seedFiles.length, 'YAML file')} in the design documents' layout (${examples(seedFiles)}), so nothing else was read`,
    ],
    candidates: [{layout: 'seed', files: seedFiles.length}],
  }
}

/** What the YAML files show, per layout: the files each layout would be chosen on. */
interface Signals {
  yamlFiles: string[]
  /** Every file read (Helm chart templates left out). */
  signals: FileSignals[]
  /** The files that hold a Kubernetes object. */
  manifests: FileSignals[]
  flux: FileSignals[]
  argo: FileSignals[]
  /** YAML files under `overlays/<env>/`, and in environment folders. */
  overlays: string[]
  envFiles: string[]
}

/** A cheap read of each YAML file's `apiVersion:`/`kind:` lines, sorted into the layouts' evidence. */
function readSignals(root: string, files: string[], yamlFiles: string[], envs: EnvFolders): Signals {
  const all = new Set(files)
  const signals = scanSignals(root, yamlFiles).filter((s) => !inChartTemplates(s.file, all))
  // Build tools' own configuration (skaffold.yaml) names an apiVersion and a kind but is no Kubernetes object.
  const manifests = signals.filter((s) => s.objects.some((o) => !NOT_KUBERNETES.test(o.apiVersion)))
  const flux = manifests.filter((s) => s.objects.some((o) => FLUX_API.test(o.apiVersion)))
  const argo = manifests.filter((s) => s.objects.some((o) => ARGO_API.test(o.apiVersion) && ARGO_APPS.has(o.kind)))
  const overlays = yamlFiles.filter((f) => OVERLAY.test(f))
  const envFiles = yamlFiles.filter(envs.contains)
  return {yamlFiles, signals, manifests, flux, argo, overlays, envFiles}
}

/** Every layout with some evidence, with how many files show it, in order of precedence (the chosen one first). */
function candidatesOf(found: Signals): LayoutDetection['candidates'] {
  const {flux, argo, manifests, overlays, envFiles} = found
  const candidates: LayoutDetection['candidates'] = []
  if (flux.length > 0) candidates.push({layout: 'flux', files: flux.length})
  if (overlays.length + envFiles.length > 0) {
    candidates.push({layout: 'kustomize', files: new Set([...overlays, ...envFiles]).size})
  }
  if (argo.length > 0) candidates.push({layout: 'argocd', files: argo.length})
  if (manifests.length > 0) candidates.push({layout: 'plain', files: manifests.length})
  return candidates
}

/** Why `layout` was chosen, one sentence each. */
function layoutEvidence(layout: DetectedLayout, found: Signals, envs: EnvFolders): string[] {
  const {flux, argo, manifests, overlays, yamlFiles} = found
  const evidence: string[] = []
  if (layout === 'flux') {
    const kinds = [
      ...new Set(flux.flatMap((s) => s.objects.filter((o) => FLUX_API.test(o.apiVersion)).map((o) => o.kind))),
    ]
    const clusters = [...new Set(yamlFiles.map((f) => FLUX_CLUSTER.exec(f)?.[1]).filter(Boolean))]
    evidence.push(
      `${count(flux.length, 'file')} hold toolkit.fluxcd.io objects (${kinds.sort().slice(0, 5).join(', ')})` +
        (clusters.length > 0 ? `; clusters/<name>/ folders: ${clusters.join(', ')}` : ''),
    )
  } else if (layout === 'kustomize') {
    const overlayEnvs = [...new Set(overlays.map((f) => /^(.*?overlays\/[^/]+)\//.exec(f)![1]))]
    if (overlayEnvs.length > 0)
      evidence.push(`kustomize overlays: ${overlayEnvs.slice(0, 6).join(', ')}${overlayEnvs.length > 6 ? ', …' : ''}`)
    if (envs.globs.length > 0) {
      const folders = envs.matches.map((m) => `${m[1]}${m[2]}`)
      evidence.push(
        `kustomize environments outside overlays/ (${list(envs.globs)}): ${folders.slice(0, 6).join(', ')}${folders.length > 6 ? ', …' : ''}`,
      )
    }
  } else if (layout === 'argocd') {
    evidence.push(
      `${count(argo.length, 'file')} hold Argo CD Applications or ApplicationSets (${examples(argo.map((s) => s.file))})`,
    )
  } else if (layout === 'plain') {
    evidence.push(`${count(manifests.length, 'file')} hold Kubernetes objects, in no overlay, Flux or Argo CD layout`)
  } else {
    evidence.push(`none of the ${count(yamlFiles.length, 'YAML file')} holds a Kubernetes object (apiVersion and kind)`)
  }
  return evidence
}

/**
 * The globs detection adds to the preset's zones: the environment folders' overlay globs (kustomize), the folders of
 * the Argo CD Applications, and every other folder of manifests no zone covers as cluster values; why, in `evidence`.
 */
function addedZones(
  layout: DetectedLayout,
  preset: GitopsPreset,
  found: Signals,
  envs: EnvFolders,
  evidence: string[],
): LayoutDetection['added'] {
  const {argo, manifests, yamlFiles} = found
  const added = {cluster: [] as string[], argocd: [] as string[], overlays: [] as string[]}
  if (layout === 'kustomize') added.overlays = envs.globs
  if (layout === 'none') return added
  const presetPolicy = policyOf(preset)
  const base = makeLayout({
    ...presetPolicy,
    overlays: [...presetPolicy.overlays, ...added.overlays],
    cluster: preset === 'plain' ? [] : presetPolicy.cluster,
  })
  const isArgo = new Set(layout === 'argocd' ? argo.map((s) => s.file) : [])
  const zoned = yamlFiles.filter((f) => base.zoneOf(f) !== undefined)
  added.argocd = cover([...isArgo], [...zoned, ...manifests.map((s) => s.file).filter((f) => !isArgo.has(f))])
  const argoZone = makeLayout({...policyOf('plain'), cluster: [], argocd: added.argocd})
  const inArgo = (f: string) => argoZone.zoneOf(f) !== undefined
  const rest = manifests.map((s) => s.file).filter((f) => base.zoneOf(f) === undefined && !inArgo(f))
  added.cluster = cover(rest, [...zoned, ...yamlFiles.filter(inArgo)])
  if (added.argocd.length > 0) evidence.push(`the Applications' folders are the argocd zone: ${list(added.argocd)}`)
  if (added.cluster.length > 0) {
    evidence.push(
      `Kubernetes manifests outside the ${preset} preset's zones are read as cluster values: ${list(added.cluster)}`,
    )
  }
  return added
}

/** `split` when the `image:` maps are Helm's `repository`/`tag` and none is the design documents' `ref`. */
function contractOf(signals: FileSignals[], evidence: string[]): GitopsPolicy['imageContract'] {
  const ref = signals.reduce((n, s) => n + s.refMaps, 0)
  const split = signals.reduce((n, s) => n + s.splitMaps, 0)
  const contract = split > ref ? 'split' : 'ref'
  if (ref + split > 0) {
    evidence.push(
      `image contract ${contract}: ${count(ref, 'image map')} with ref, ${split} with repository/tag` +
        (contract === 'split' ? ' (split-image-fields is not applied to every map)' : ''),
    )
  }
  return contract
}

/**
 * Globs that take in every file of `wanted` and none of `avoid`: per file, its shallowest folder that holds no file
 * of `avoid` (`<folder>/**`), or the file itself when every folder above it does.
 */
export function cover(wanted: string[], avoid: string[]): string[] {
  const blocked = new Set<string>()
  for (const f of avoid) {
    const parts = f.split('/')
    for (let i = 1; i < parts.length; i++) blocked.add(parts.slice(0, i).join('/'))
  }
  const globs = new Set<string>()
  for (const f of wanted) {
    const parts = f.split('/')
    let glob = f
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/')
      if (!blocked.has(dir)) {
        glob = `${dir}/**`
        break
      }
    }
    globs.add(glob)
  }
  return [...globs].sort()
}

/** A file under `<chart>/templates/` of a folder with a Chart.yaml: a Helm template, not a manifest. */
function inChartTemplates(file: string, files: Set<string>): boolean {
  const at = file.lastIndexOf('/templates/')
  if (at < 0) return false
  const chart = file.slice(0, at)
  return files.has(`${chart}/Chart.yaml`) || files.has(`${chart}/Chart.yml`)
}

function policyOf(preset: GitopsPreset) {
  return {...GITOPS_PRESET_LAYOUTS[preset], preset} as unknown as GitopsPolicy
}

/** At most eight globs; `--print-layout` and `--json` (`added`) have them all. */
const list = (globs: string[]) => globs.slice(0, 8).join(', ') + (globs.length > 8 ? `, … (${globs.length})` : '')

const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`

const examples = (files: string[]) => files.slice(0, 3).join(', ') + (files.length > 3 ? ', …' : '')
