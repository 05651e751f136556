/**
 * An Argo CD Application's Helm value files, resolved as the repo-server resolves them: from the chart folder, `/x`
 * from the repository root, `$ref/x` from the root of the `ref:` source (this repository's only); globs expanded
 * lexically; everything confined to the revision (./helm-source.ts reads the rest of the Helm source).
 */
import path from 'node:path'

import {globMatcher} from '../../core/glob.js'
import type {DeployablesContext} from './context.js'
import type {RemoteChart, Unrenderable} from './model.js'
import {GLOB, substitute} from './source-helpers.js'
import type {ArgoApplication, SpecPath} from './types.js'

/** An Application's Helm source, with what reading it takes. */
export interface HelmSource {
  app: ArgoApplication
  /** The source's `helm` field ({} when it has none). */
  helm: Record<string, unknown>
  /** The spec path of `helm`. */
  h: SpecPath
  /** The chart's folder (repo-relative; '' for a fetched chart). */
  dir: string
  refs: Map<string, {mine: boolean; repoURL: string}>
  ctx: DeployablesContext
  unavailable: (p: SpecPath, message: string, status?: Unrenderable['status']) => void
  remote?: RemoteChart
}

/**
 * The value files, in Argo CD's order, globs expanded lexically, a path seen twice kept at its first position;
 * undefined when one cannot be read (said through `unavailable`).
 */
export function resolveValueFiles(src: HelmSource): string[] | undefined {
  const valueFiles: string[] = []
  const rawFiles = Array.isArray(src.helm.valueFiles) ? src.helm.valueFiles : []
  for (const [i, raw] of rawFiles.entries()) {
    if (typeof raw !== 'string') continue
    const files = valueFileEntry(src, substitute(raw, src.app), [...src.h, 'valueFiles', i])
    if (!files) return undefined
    for (const file of files) if (!valueFiles.includes(file)) valueFiles.push(file)
  }
  return valueFiles
}

/** The files one `valueFiles` entry names, confined to the revision; undefined when it cannot be read. */
function valueFileEntry(src: HelmSource, entry: string, where: SpecPath): string[] | undefined {
  const {ctx, unavailable} = src
  const ignoreMissing = src.helm.ignoreMissingValueFiles === true
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(entry)) {
    unavailable(where, `value file ${entry} is a URL: the gate does not fetch it, so this chart is not rendered.`)
    return undefined
  }
  const location = valueFileLocation(src, entry, where)
  if (!location) return undefined
  const {base, rest} = location
  const joined = path.posix.normalize(path.posix.join(base || '.', rest))
  const matches = GLOB.test(rest) ? [...ctx.files].filter((f) => globMatcher(joined).test(f)).sort() : [joined]
  if (matches.length === 0 && !ignoreMissing) {
    unavailable(where, `values file glob "${entry}" matched no files.`, 'failed')
    return undefined
  }
  const files: string[] = []
  for (const m of matches) {
    const file = ctx.confined(m)
    if (file === undefined) {
      unavailable(where, `value file ${entry} resolves outside the revision: it is not read.`, 'refused')
      return undefined
    }
    if (!ctx.files.has(file) && ignoreMissing) continue
    files.push(file)
  }
  return files
}

/**
 * Where a value file's path starts: the root of the `ref:` source (`$ref/x`, this repository's only), the
 * repository root (`/x`) or the chart folder; undefined when it cannot be read (an unknown ref, another repository,
 * a file inside a fetched chart).
 */
function valueFileLocation(src: HelmSource, entry: string, where: SpecPath): {base: string; rest: string} | undefined {
  const {unavailable, remote} = src
  const ref = /^\$([^/]+)\/(.*)$/.exec(entry)
  if (remote && !ref) {
    unavailable(
      where,
      `value file ${entry} is read from inside the fetched chart ${remote.name}: the gate does not read it, so this chart is not rendered.`,
    )
    return undefined
  }
  if (ref) {
    const r = src.refs.get(ref[1])
    if (!r) {
      unavailable(where, `value file ${entry} names the unknown source ref $${ref[1]}.`, 'failed')
      return undefined
    }
    if (!r.mine) {
      unavailable(
        where,
        `value file ${entry} comes from ${r.repoURL}, not this repository: the gate does not fetch it.`,
      )
      return undefined
    }
    return {base: '', rest: ref[2]}
  }
  if (entry.startsWith('/')) return {base: '', rest: entry.slice(1)}
  return {base: src.dir, rest: entry}
}
