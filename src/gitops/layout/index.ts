import type {GitopsPolicy} from '../../core/config.js'
import {envMatcher, globMatcher} from '../../core/glob.js'
import type {ApplicationSetView} from './types.js'
import type {LayoutDetection} from './types.js'

export {type GitopsPolicy} from '../../core/config.js'

/** What part of the GitOps repository a file belongs to; decides which rules apply. */
export type Zone =
  | {kind: 'overlay'; env: string}
  | {kind: 'cluster'}
  | {kind: 'shared'}
  | {kind: 'components'}
  | {kind: 'argocd'}
  | {kind: 'cluster-config'}

export interface Layout {
  policy: GitopsPolicy
  /** The zone of a repo-relative path (forward slashes), or undefined when the gate does not look at it. */
  zoneOf(file: string): Zone | undefined
  /** Environment overlays that exist in the policy but are not selected, e.g. `dev`. */
  overlayRoot(env: string): string[]
}

const YAML_FILE = /\.ya?ml$/i

/** Folder names that hold what overlays build on: never an environment, whatever the overlay glob matches. */
export const BASE_FOLDERS = new Set(['base', 'bases'])

/** Whether the gate requires digests in a zone (`image-not-pinned`). */
export const isPinningZone = (zone: Zone) => zone.kind === 'overlay' || zone.kind === 'cluster'

export function makeLayout(policy: GitopsPolicy): Layout {
  // The globs come from ameide.yaml, which a pull request may change: matched in linear time (core/glob.ts).
  const compile = (globs: string[]) => globs.map(globMatcher)
  // Any environment name matches the overlay glob, so an unlisted one (`dev`) is still recognised as an overlay.
  const overlays = policy.overlays.map((g) => (g.includes('{env}') ? envMatcher(g) : undefined))
  const zones: Array<[Array<{test(file: string): boolean}>, Zone]> = [
    [compile(policy.cluster), {kind: 'cluster'}],
    [compile(policy.shared), {kind: 'shared'}],
    [compile(policy.components), {kind: 'components'}],
    [compile(policy.argocd), {kind: 'argocd'}],
    [compile(policy.clusterConfig), {kind: 'cluster-config'}],
  ]
  return {
    policy,
    zoneOf(file) {
      if (!YAML_FILE.test(file) || file.startsWith('.github/')) return undefined
      for (const overlay of overlays) {
        const env = overlay?.exec(file)
        if (env !== undefined && !BASE_FOLDERS.has(env)) return {kind: 'overlay', env}
      }
      for (const [res, zone] of zones) if (res.some((re) => re.test(file))) return zone
      return undefined
    },
    overlayRoot(env) {
      return policy.overlays.map((g) => g.split('{env}')[0] + env)
    },
  }
}

/** One YAML file of the checkout and the part of the layout it falls in (`gitops verify --print-layout`). */
export interface LayoutEntry {
  file: string
  /** The zone, or null when the gate does not read the file. */
  zone: Zone['kind'] | null
  env?: string
  /** Whether image references in it must carry a digest. */
  pinning: boolean
}

export interface LayoutReport {
  preset: GitopsPolicy['preset']
  /** The policy's environments and every overlay folder found, sorted. */
  environments: string[]
  files: LayoutEntry[]
  /** The render roots `--render` would build (discovered, or gitopsPolicy.render.roots). */
  renderRoots?: Array<{
    dir: string
    environment: string | null
    via: string
    rule?: string
    declaredIn?: string
    application?: string
  }>
  /** The Helm deployables `--render` would render (Argo CD Applications' Helm sources, Flux HelmReleases). */
  renderDeployables?: Array<{
    application: string
    kind: string
    chart: string
    environment: string | null
    declaredIn: string
  }>
  /** The Argo CD directory sources `--render` would read, with the files Argo CD reads there. */
  renderDirectories?: Array<{
    application: string
    dir: string
    environment: string | null
    declaredIn: string
    files: string[]
  }>
  /** The render module's Helm and kustomize, which `--render` would run (null, `not built`: no module). */
  renderTools?: {helm: string | null; kustomize: string | null}
  /** The Applications each Argo CD ApplicationSet generates, evaluated offline, and the generators not evaluated. */
  applicationSets?: ApplicationSetView[]
  /** The layout used and why: configured in ameide.yaml or detected from the checkout. */
  detection?: LayoutDetection
}

/** Where every YAML file of a checkout falls in the layout (files as listFiles gives them: sorted, repo-relative). */
export function describeLayout(policy: GitopsPolicy, files: string[]): LayoutReport {
  const layout = makeLayout(policy)
  const envs = new Set(policy.environments)
  const entries: LayoutEntry[] = []
  for (const file of files) {
    if (!YAML_FILE.test(file)) continue
    const zone = layout.zoneOf(file)
    if (zone?.kind === 'overlay') envs.add(zone.env)
    entries.push({
      file,
      zone: zone?.kind ?? null,
      ...(zone?.kind === 'overlay' ? {env: zone.env} : {}),
      pinning: zone !== undefined && isPinningZone(zone),
    })
  }
  return {preset: policy.preset, environments: [...envs].sort(), files: entries}
}
