/**
 * An Argo CD Application's Helm value files, resolved as the repo-server resolves them: from the chart folder, `/x`
 * from the repository root, `$ref/x` from the root of the `ref:` source (this repository's only); globs expanded
 * lexically; everything confined to the revision (./helm-source.ts reads the rest of the Helm source).
 */
import {unmappedFix, type MappedSource} from '../../revision/source-repos.js'
import path from 'node:path'

import {globMatcher} from '../../../core/glob.js'
import {describePin, type Pin} from '../../revision/pinned.js'
import type {DeployablesContext} from '../../model/context.js'
import type {RemoteChart, Unrenderable} from '../../model/model.js'
import {envsubst, GLOB, isMap, unknownVariables} from '../../model/source-helpers.js'
import type {SourceRef} from '../../model/source-inputs.js'
import type {ArgoApplication, SpecPath} from '../../model/types.js'

/** An Application's Helm source, with what reading it takes. */
export interface HelmSource {
  app: ArgoApplication
  /** The source's `helm` field ({} when it has none). */
  helm: Record<string, unknown>
  /** The spec path of `helm`. */
  h: SpecPath
  /** The chart's folder (repo-relative, in `tree` when it has one; '' for a fetched chart). */
  dir: string
  /**
   * The tree the source's own files are read from when it is not the revision under review (this repository at a
   * pinned commit, a mapped repository): its chart folder, its value files but the `$ref/…` ones.
   */
  tree?: MappedSource
  refs: Map<string, SourceRef>
  /** The repo-server's build environment (source-helpers argoEnv). */
  env: Record<string, string>
  ctx: DeployablesContext
  /** Records the source not rendered; `inputs` given only where its files cannot be said (`unknown`). */
  unavailable: (p: SpecPath, message: string, status?: Unrenderable['status'], inputs?: 'unknown') => void
  remote?: RemoteChart
}

/**
 * The value files, in Argo CD's order (getResolvedValueFiles): globs expanded lexically, leaving out the files an
 * entry also names explicitly (the explicit entry places them), a path seen twice kept at its first position;
 * undefined when one cannot be read (said through `unavailable`).
 */
export function resolveValueFiles(src: HelmSource): string[] | undefined {
  const rawFiles = Array.isArray(src.helm.valueFiles) ? src.helm.valueFiles : []
  const entries: Array<{entry: string; where: SpecPath}> = []
  for (const [i, raw] of rawFiles.entries()) {
    if (typeof raw !== 'string') continue
    const entry = substitutedPath(src, raw, [...src.h, 'valueFiles', i])
    if (entry === undefined) return undefined
    entries.push({entry, where: [...src.h, 'valueFiles', i]})
  }
  const explicit = new Set(entries.filter((e) => !GLOB.test(e.entry)).map((e) => quietly(src, e.entry)))
  const valueFiles: string[] = []
  for (const {entry, where} of entries) {
    const files = valueFileEntry(src, entry, where)
    if (!files) return undefined
    const glob = GLOB.test(entry)
    for (const file of files) if (!valueFiles.includes(file) && !(glob && explicit.has(file))) valueFiles.push(file)
  }
  return valueFiles
}

/** Where an explicit entry resolves, said nowhere (its own pass says why it cannot be read). */
function quietly(src: HelmSource, entry: string): string | undefined {
  return valueFileEntry({...src, unavailable: () => {}}, entry, [])?.[0]
}

/**
 * A value file's or file parameter's path with the repo-server's variables substituted, after the `$ref/` of a known
 * source (Argo CD resolves the ref first); undefined, said, where it names the revision Argo CD resolves.
 */
export function substitutedPath(src: HelmSource, raw: string, where: SpecPath): string | undefined {
  const ref = /^(\$[^/]*)(\/.*)?$/.exec(raw)
  const known = ref !== null && src.refs.has(ref[1].slice(1))
  const rest = known ? (ref[2] ?? '') : raw
  const unknown = unknownVariables(rest)
  if (unknown.length > 0) {
    // What it reads differs by the commit: unknown, whatever the files.
    src.unavailable(
      where,
      `${JSON.stringify(raw)} names $${unknown[0]}, the commit Argo CD resolves, which ameide does not know: this chart is not rendered.`,
      'unavailable',
      'unknown',
    )
    return undefined
  }
  return known ? ref[1] + envsubst(rest, src.env) : envsubst(raw, src.env)
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
  const {base, rest, repo} = location
  // A mapped repository's files are named by their path where it is mounted (absolute), confined to it alike.
  const tree = repo ?? {files: ctx.files, confined: ctx.confined}
  const joined = path.posix.normalize(path.posix.join(base || '.', rest))
  const matches = GLOB.test(rest) ? [...tree.files].filter((f) => globMatcher(joined).test(f)).sort() : [joined]
  if (matches.length === 0 && !ignoreMissing) {
    unavailable(where, `values file glob "${entry}" matched no files.`, 'failed')
    return undefined
  }
  const files: string[] = []
  for (const m of matches) {
    const file = tree.confined(m)
    if (file === undefined) {
      const revision = repo ? `the revision of ${repo.url} (${repo.commit.slice(0, 12)})` : 'the revision'
      unavailable(where, `value file ${entry} resolves outside ${revision}: it is not read.`, 'refused')
      return undefined
    }
    if (!tree.files.has(file) && ignoreMissing) continue
    files.push(repo ? `${repo.dir}/${file}` : file)
  }
  return files
}

/** Where a value file's path starts, and in which repository (`repo`: a mapped one; absent: this revision). */
interface Location {
  base: string
  rest: string
  repo?: MappedSource
}

/** A `$ref/x` value file of another repository: in its mapped checkout, or unavailable with the flag named. */
function mappedLocation(
  src: HelmSource,
  r: SourceRef,
  entry: string,
  rest: string,
  where: SpecPath,
): Location | undefined {
  if (r.mapped && 'dir' in r.mapped) return {base: '', rest, repo: r.mapped}
  const why = r.mapped
    ? `${r.mapped.problem}, so it is not read`
    : `the gate does not fetch it; ${unmappedFix(r.repoURL)}`
  src.unavailable(where, `value file ${entry} comes from ${r.repoURL}, not this repository: ${why}.`)
  return undefined
}

/** Why a `$ref/…` file of a ref pinned to a revision the clone does not hold is not read (the chart is not rendered). */
export const pinnedRefText = (ref: string, pin: Pin) =>
  `comes from source $${ref} of this repository, pinned to ${describePin(pin)}: Argo CD reads it from that revision, not the one under review, so this chart is not rendered.`

/**
 * Where a value file's path starts: the root of the `ref:` source (`$ref/x`, this repository's only), the
 * repository root (`/x`) or the chart folder; undefined when it cannot be read (an unknown ref, another repository,
 * a file inside a fetched chart).
 */
function valueFileLocation(src: HelmSource, entry: string, where: SpecPath): Location | undefined {
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
    if (!r.mine) return mappedLocation(src, r, entry, ref[2], where)
    // Of a pinned revision the clone holds: read there, as a mapped repository's files are.
    if (r.pin && r.tree) return {base: '', rest: ref[2], repo: r.tree}
    if (r.pin) {
      unavailable(where, `value file ${entry} ${pinnedRefText(ref[1], r.pin)}`)
      return undefined
    }
    return {base: '', rest: ref[2]}
  }
  const own = src.tree ? {repo: src.tree} : {}
  if (entry.startsWith('/')) return {base: '', rest: entry.slice(1), ...own}
  return {base: src.dir, rest: entry, ...own}
}

/**
 * The files of this revision a Helm source reads, whether or not it renders: its chart folder (every file of the
 * revision when its Chart.yaml or requirements.yaml names a `file://` dependency, which may be anywhere), the value
 * files and file parameters of this repository it names (a glob, the files it matches). `unknown` where they cannot
 * be said: a path or parameter naming the commit Argo CD resolves, or a `ref:` source that may be this repository
 * (the checkout named by no URL). What a URL or another repository holds is the same in both revisions of a diff.
 */
export function helmSourceReads(src: HelmSource): string[] | 'unknown' {
  const {helm, ctx} = src
  const list = (v: unknown) => (Array.isArray(v) ? v : [])
  if (list(helm.parameters).some((p) => isMap(p) && unknownVariables(String(p.value ?? '')).length > 0))
    return 'unknown'
  const quiet: HelmSource = {...src, unavailable: () => {}}
  // A chart of another tree reads nothing of this revision but its `$ref/…` files (the tree's commit is in the spec).
  const reads = src.remote || src.tree ? [] : chartFolderReads(src)
  const entries = [
    ...list(helm.valueFiles).map((raw) => ({raw, file: false})),
    ...list(helm.fileParameters).map((p) => ({raw: isMap(p) ? p.path : undefined, file: true})),
  ]
  for (const {raw, file} of entries) {
    if (typeof raw !== 'string') continue
    const entry = substitutedPath(quiet, raw, [])
    if (entry === undefined) return 'unknown'
    const ref = /^\$([^/]+)\/(.*)$/.exec(entry)
    const r = ref ? src.refs.get(ref[1]) : undefined
    if (r && !r.mine) {
      if (ctx.named === false) return 'unknown'
      continue
    }
    // A pinned ref's files are that revision's, not this one's: its pin is in the spec (refPins); another tree's alike.
    if (r?.pin || (src.tree && !ref)) continue
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(entry)) continue
    // A file parameter is read from this repository whatever the chart (fileParameterFlags); a value file is not
    // from a fetched chart, nor through an unknown ref.
    const location = file
      ? {base: ref ? '' : entry.startsWith('/') ? '' : src.dir, rest: ref ? ref[2] : entry.replace(/^\//, '')}
      : valueFileLocation(quiet, entry, [])
    if (!location || (file && ref && !r)) continue
    const joined = path.posix.normalize(path.posix.join(location.base || '.', location.rest))
    const glob = !file && GLOB.test(location.rest)
    // A path leaving the revision is refused where it is resolved (always incomplete): never read here.
    const named = glob ? [...ctx.files].filter((f) => globMatcher(joined).test(f)) : [joined]
    reads.push(...named.flatMap((f) => ctx.confined(f) ?? []))
  }
  return [...new Set(reads)].sort()
}

/**
 * A local chart's files: its folder's, or every file of the revision when a dependency is `file://`; and the folder
 * itself, so what a link in it resolves to is an input too (RenderFindings reads through links).
 */
function chartFolderReads({dir, ctx}: HelmSource): string[] {
  const files = [...ctx.files]
  const meta = ['Chart.yaml', 'requirements.yaml'].map((f) => ctx.readText(dir ? `${dir}/${f}` : f) ?? '')
  if (meta.some((text) => text.includes('file://'))) return ['', ...files]
  return [dir, ...files.filter((f) => dir === '' || f.startsWith(`${dir}/`))]
}
