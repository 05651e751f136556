/**
 * `NOTHING_CHECKED`: a gate that looked at nothing does not pass. The error names the layout used and what the
 * checkout holds instead: how many YAML files, which zone globs matched none, the layouts its files suggest.
 */
import {prerequisiteError} from '../../core/errors.js'
import type {GitopsPolicy} from '../../core/config.js'
import {globMatcher} from '../../core/glob.js'
import {detectLayout, type LayoutDetection} from './detect.js'

const YAML_FILE = /\.ya?ml$/i

const ZONE_KEYS = ['overlays', 'cluster', 'shared', 'components', 'argocd', 'clusterConfig'] as const

/** The error when no file of the checkout fell in a checked zone (`what: files`) or nothing was found to render. */
export function nothingChecked(
  what: 'files' | 'render',
  root: string,
  policy: GitopsPolicy,
  files: string[],
  detection: LayoutDetection | undefined,
  environments?: string[],
) {
  const yaml = files.filter((f) => YAML_FILE.test(f))
  const used = detection
    ? `the ${detection.layout} layout (${detection.source === 'configured' ? 'set in ameide.yaml' : 'detected'}; preset ${policy.preset})`
    : `the ${policy.preset} layout`
  const empty = ZONE_KEYS.filter((k) => policy[k].length > 0 && !policy[k].some((g) => matchesAny(g, yaml)))
  const emptyText =
    empty.length > 0
      ? `; these globs matched no file: ${empty.map((k) => `${k} ${policy[k].join(', ')}`).join('; ')}`
      : ''
  const envText = environments ? ` for --env ${environments.join(', ')}` : ''
  const message =
    what === 'files'
      ? `gitops verify checked no file${envText}: ${used} puts none of the checkout's ${yaml.length} YAML file(s) in a checked zone${emptyText}.`
      : `gitops verify --render --require-render found nothing to render${envText}: no kustomize root and no Helm deployable (Argo CD Application, Flux HelmRelease) under ${used}.`
  // A configured layout detected nothing: what would have been detected says where the files are.
  const candidates = detection?.source === 'detected' ? detection.candidates : detectLayout(root, files).candidates
  const plausible = candidates.map((c) => `${c.layout} (${c.files} file(s))`)
  return prerequisiteError('NOTHING_CHECKED', message, [
    'ameide gitops verify --print-layout lists every YAML file with its zone and the detection evidence.',
    ...(plausible.length > 0 ? [`Layouts the checkout's files suggest: ${plausible.join(', ')}.`] : []),
    'Set gitopsPolicy.preset (seed, kustomize, flux, plain) or the zone globs (overlays, cluster, shared, …) in ameide.yaml: docs/configuration.md.',
  ])
}

function matchesAny(glob: string, files: string[]): boolean {
  const matcher = globMatcher(glob.replaceAll('{env}', '*'))
  return files.some((f) => matcher.test(f))
}
