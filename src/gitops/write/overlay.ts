/** One environment overlay read for a write: its files parsed, and the sibling maps a map's convention may follow. */
import {readFileSync} from 'node:fs'
import path from 'node:path'

import {failureError, usageError} from '../../core/errors.js'
import {LocalCharts, type LocalChart} from '../facts/local-charts.js'
import {listFiles} from '../revision/files.js'
import {findImages, type ImageMap, type ImageSite, type KustomizeImage} from '../facts/index.js'
import {makeLayout, type GitopsPolicy} from '../layout/index.js'
import type {SiblingScope} from './convention.js'

export interface OverlayFile {
  file: string
  text: string
  sites: ImageSite[]
  maps: ImageMap[]
  kustomize: KustomizeImage[]
  /** The file is a values file of a Helm chart in the repository (a `Chart.yaml` in its folder or above). */
  chart?: LocalChart
}

/** One overlay's parsed files, and the checkout's file list (for the repository-wide evidence of a map's convention). */
export interface Overlay {
  files: OverlayFile[]
  all: string[]
}

/** Every file of one environment overlay, parsed; a file that does not parse stops the run (exit 1), naming it. */
export async function readOverlay(root: string, policy: GitopsPolicy, env: string): Promise<Overlay> {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(env)) {
    throw usageError('INVALID_ENVIRONMENT', `--env ${JSON.stringify(env)} is not an environment name.`)
  }
  const layout = makeLayout(policy)
  const yaml = await import('yaml')
  const out: OverlayFile[] = []
  // The policy's environments and every overlay folder found (a preset lists none up front).
  const environments = new Set(policy.environments)
  const all = await listFiles(root)
  const charts = new LocalCharts(root, all)
  for (const file of all) {
    const zone = layout.zoneOf(file)
    if (zone?.kind === 'overlay') environments.add(zone.env)
    if (zone?.kind !== 'overlay' || zone.env !== env) continue
    // Small files, read one after the other: synchronous reads beat thousands of round trips through the thread pool.
    const text = readFileSync(path.join(root, file), 'utf8')
    const found = findImages(yaml, text)
    if (found.skipped) {
      throw failureError('OVERLAY_NOT_YAML', `${file}: ${found.skipped}; nothing was written.`, [
        'Fix the file (or move templates out of the overlay), then rerun.',
      ])
    }
    out.push({
      file,
      text,
      sites: found.images,
      maps: found.imageMaps,
      kustomize: found.kustomizeImages,
      chart: charts.of(file),
    })
  }
  if (out.length === 0) {
    throw usageError(
      'ENVIRONMENT_NOT_FOUND',
      `No YAML files in the ${env} overlay (${layout.overlayRoot(env).join(', ')}).`,
      [
        `Environments: ${[...environments].sort().join(', ') || 'none'}; the layout comes from gitopsPolicy in ameide.yaml (\`ameide gitops verify --print-layout\` shows it).`,
      ],
    )
  }
  return {files: out, all}
}

/**
 * The sibling maps a map's convention may follow: the same file, the same release (the file's folder: a HelmRelease
 * and its values), the same repository (every YAML file of the checkout, parsed only when the narrower scopes did not
 * decide; a file that does not parse gives no evidence).
 */
export function siblingScopes(
  root: string,
  files: OverlayFile[],
  all: string[],
  yaml: typeof import('yaml'),
): (file: string) => SiblingScope[] {
  const parsed = new Map(files.map((f) => [f.file, f.maps]))
  const mapsOf = (file: string): readonly ImageMap[] => {
    let maps = parsed.get(file)
    if (maps === undefined) {
      const text = readFileSync(path.join(root, file), 'utf8')
      // Only a pinned map is evidence, and a pinned map holds a digest key or `@sha256:`: other files are not parsed.
      const found = /digest|@sha256:/.test(text) ? findImages(yaml, text) : undefined
      maps = !found || found.skipped ? [] : found.imageMaps
      parsed.set(file, maps)
    }
    return maps
  }
  const yamlFiles = all.filter((f) => /\.ya?ml$/i.test(f))
  return (file) => {
    const dir = path.posix.dirname(file)
    const inDir = yamlFiles.filter((f) => path.posix.dirname(f) === dir)
    return [
      {scope: 'file', label: 'this file', maps: () => mapsOf(file)},
      {
        scope: 'release',
        label: dir === '.' ? 'the root folder' : `the folder ${dir}/`,
        maps: () => inDir.flatMap(mapsOf),
      },
      {scope: 'repository', label: 'the repository', maps: () => yamlFiles.flatMap(mapsOf)},
    ]
  }
}
