/** What an Argo CD source is and reads: its type as the repo-server decides it, and the files that are its inputs. */
import path from 'node:path'

import {globMatcher} from '../../core/glob.js'
import type {Pin} from '../revision/pinned.js'
import type {DeployablesContext} from './context.js'
import {linedDocuments} from '../kubernetes/yaml-lines.js'
import {clean, GLOB, isMap} from './source-helpers.js'
import type {MappedRead, MappedSource} from '../revision/source-repos.js'

export const KUSTOMIZATION = ['kustomization.yaml', 'kustomization.yml', 'Kustomization']

/**
 * The source's type as the repo-server decides it (GetAppSourceType, util/app/discovery): the one tool block the
 * source sets (`helm`, `kustomize`, `directory`, `plugin`; two are an error), else a kustomization in the folder
 * (it wins over a Chart.yaml beside it: discovery visits the kustomization last), else a Chart.yaml, else a directory.
 */
export function sourceType(
  source: Record<string, unknown>,
  dir: string,
  ctx: DeployablesContext,
): {type?: 'Helm' | 'Kustomize' | 'Directory' | 'Plugin'; error?: string} {
  const explicit = (
    [
      ['kustomize', 'Kustomize'],
      ['helm', 'Helm'],
      ['directory', 'Directory'],
      ['plugin', 'Plugin'],
    ] as const
  ).filter(([k]) => isMap(source[k]))
  if (explicit.length > 1)
    return {error: `multiple application sources defined: ${explicit.map(([, t]) => t).join(',')}`}
  if (explicit.length === 1) return {type: explicit[0][1]}
  const at = (f: string) => (dir ? `${dir}/${f}` : f)
  if (KUSTOMIZATION.some((f) => ctx.files.has(at(f)))) return {type: 'Kustomize'}
  if (ctx.files.has(at('Chart.yaml'))) return {type: 'Helm'}
  return {type: 'Directory'}
}

/**
 * A multi-source Application's `ref:` source: whether it is this repository, its URL, another repository's mapped
 * checkout (--source-repo), and — of this repository — the revision it is pinned to when that is not the one under
 * review (its `$ref/…` files are that revision's).
 */
export interface SourceRef {
  mine: boolean
  repoURL: string
  /** Its targetRevision: what a `$ref/…` file of it reads changes with it. */
  targetRevision?: string
  /** Another repository mapped to a local checkout (--source-repo): that checkout read at its targetRevision. */
  mapped?: MappedRead
  pin?: Pin
  /** A pinned ref's tree: this repository at the pin's commit, where the clone holds it (its `$ref/…` files are read there). */
  tree?: MappedSource
}

/** The pinned `ref:` sources of this repository by name: part of what a source reading `$ref/…` files builds from. */
export const refPins = (refs: ReadonlyMap<string, SourceRef>) =>
  [...refs].flatMap(([name, r]) => (r.pin ? [{ref: name, pin: r.pin, ...(r.tree ? {commit: r.tree.commit} : {})}] : []))

/** The repo-relative files a source's `$ref/…` value files and file parameters name in this revision. */
export function refValueFiles(
  source: Record<string, unknown>,
  refs: Map<string, SourceRef>,
  ctx: DeployablesContext,
): string[] {
  const helm = isMap(source.helm) ? source.helm : {}
  const entries = [
    ...(Array.isArray(helm.valueFiles) ? helm.valueFiles : []),
    ...(Array.isArray(helm.fileParameters) ? helm.fileParameters.map((p) => (isMap(p) ? p.path : undefined)) : []),
  ]
  return entries.flatMap((e) => {
    const ref = typeof e === 'string' ? /^\$([^/]+)\/(.*)$/.exec(e) : null
    // A pinned ref's files are another revision's: not this one's inputs (the pin is, in the spec).
    if (!ref || !refs.get(ref[1])?.mine || refs.get(ref[1])?.pin) return []
    const joined = path.posix.normalize(ref[2])
    return GLOB.test(joined) ? [...ctx.files].filter((f) => globMatcher(joined).test(f)) : [joined]
  })
}

/** The files of the folders `directory.jsonnet.libs` names (relative to the repository root). */
export function jsonnetLibs(source: Record<string, unknown>, ctx: DeployablesContext): string[] {
  const jsonnet = isMap(source.directory) && isMap(source.directory.jsonnet) ? source.directory.jsonnet : {}
  const libs = Array.isArray(jsonnet.libs) ? jsonnet.libs.filter((l): l is string => typeof l === 'string') : []
  return libs.flatMap((l) => filesUnder(ctx, clean(l.replace(/^\//, ''))))
}

export const filesUnder = (ctx: DeployablesContext, dir: string) =>
  [...ctx.files].filter((f) => dir === '' || f.startsWith(`${dir}/`)).sort()

export const linedValues = (ctx: DeployablesContext, text: string) => linedDocuments(ctx.yaml, text)[0]
