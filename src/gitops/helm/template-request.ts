/**
 * The `helm template` request of a Helm deployable (./render.ts): what helm is given, and the tree the renderer is
 * shown — the revision, or the tree a chart of a pinned revision or a mapped repository is read from.
 */
import path from 'node:path'

import type {HelmTemplateRequest} from '../../effects/helm.js'
import type {HelmDeployable} from '../model/model.js'
import {confinedPath} from '../revision/paths.js'

/** Where the chart folder is held: in the revision, or in the tree it is read from (absolute). */
export const chartHome = (d: HelmDeployable, options: {root: string}) => d.tree?.dir ?? options.root

/** The request of one render (`extra`: the differential render's sentinels, as `--set-string`). */
export function request(
  d: HelmDeployable,
  options: {root: string; kubeVersion: (environment: string | null) => string; apiVersions: readonly string[]},
  chartDir: string,
  extra: Array<{name: string; value: string}> = [],
): HelmTemplateRequest {
  // A value file of another tree (a mapped repository, a pinned revision) is named where it is mounted (absolute).
  const abs = (f: string) => (path.isAbsolute(f) ? f : path.join(options.root, f))
  // The chart's own tree is the one the renderer is shown (the revision's files it reads are named, each shown too).
  const home = chartHome(d, options)
  const fetched = chartDir !== path.join(home, d.chart)
  return {
    chartDir,
    release: d.release,
    namespace: d.namespace,
    kubeVersion: d.kubeVersion ?? options.kubeVersion(d.environment),
    apiVersions: d.apiVersions ?? options.apiVersions,
    skipCrds: d.skipCrds,
    skipSchemaValidation: d.skipSchemaValidation,
    skipTests: d.skipTests,
    valueFiles: d.valueFiles.map(abs),
    ...(d.inlineValues !== undefined ? {inlineValues: d.inlineValues} : {}),
    ...(d.chartValues !== undefined ? {chartValues: d.chartValues} : {}),
    set: d.set,
    setString: [...d.setString, ...extra],
    setFile: d.setFile.map((s) => ({name: s.name, path: abs(s.path)})),
    inRevision: (p: string) => {
      const rel = path.relative(home, p)
      return !rel.startsWith('..') && !path.isAbsolute(rel) && confinedPath(home, rel) !== undefined
    },
    ...(d.fluxPostRender ? {fluxPostRender: d.fluxPostRender} : {}),
    ...(fetched && d.remote?.artifact?.operation === 'extract'
      ? {sourceArtifact: {dir: path.dirname(chartDir), ignore: d.remote.artifact.ignore}}
      : {}),
    // A fetched chart lies outside the revision: the renderer is shown its folder and each value file instead.
    ...(fetched ? {} : {revision: path.resolve(home)}),
  }
}
