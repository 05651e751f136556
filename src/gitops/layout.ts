import type {GitopsPolicy} from '../core/config.js'
import {globToRegExp} from '../core/glob.js'

export {DEFAULT_GITOPS_POLICY, type GitopsPolicy} from '../core/config.js'

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

export function makeLayout(policy: GitopsPolicy): Layout {
  const compile = (globs: string[]) => globs.map(globToRegExp)
  // Any environment name matches the overlay glob, so an unlisted one (`dev`) is still recognised as an overlay.
  const overlays = policy.overlays.map((g) => {
    const [before, after = ''] = g.split('{env}')
    return new RegExp(`${globToRegExp(before).source.slice(0, -1)}([^/]+)${globToRegExp(after).source.slice(1)}`)
  })
  const zones: Array<[RegExp[], Zone]> = [
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
      for (const re of overlays) {
        const m = re.exec(file)
        if (m) return {kind: 'overlay', env: m[1]}
      }
      for (const [res, zone] of zones) if (res.some((re) => re.test(file))) return zone
      return undefined
    },
    overlayRoot(env) {
      return policy.overlays.map((g) => g.split('{env}')[0] + env)
    },
  }
}
