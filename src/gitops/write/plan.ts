import {readFileSync} from 'node:fs'
import path from 'node:path'

import {failureError, usageError} from '../../core/errors.js'
import {isDigestPinned, tryParseImageReference} from '../../images/reference.js'
import {LocalCharts, type LocalChart} from '../charts.js'
import {listFiles} from '../files.js'
import {
  findImages,
  type ImageMap,
  type ImageSite,
  type KustomizeImage,
  type MapGeometry,
  type MapValue,
} from '../facts.js'
import {makeLayout, type GitopsPolicy} from '../layout.js'
import {
  KUSTOMIZE_CONVENTION,
  mapConvention,
  REFERENCE_CONVENTION,
  type Convention,
  type SiblingScope,
} from './convention.js'
import type {DesiredImage, SkippedImage} from './input.js'

/** One reference rewritten. */
export interface Change {
  file: string
  line: number
  component: string | null
  repository: string
  from: string
  to: string
  /** How the ref was written (one string, a kustomize entry, a map's digest key or tag) and the evidence why. */
  convention: Convention
}

/** A file's new text: only the bytes of the rewritten scalars differ from `before`. */
export interface FileEdit {
  file: string
  before: string
  after: string
}

export interface WritePlan {
  env: string
  changes: Change[]
  /** References that already carry the desired ref. */
  unchanged: Array<Omit<Change, 'from' | 'to' | 'convention'> & {ref: string}>
  /** Desired images with no reference in the environment (wiring them is `primitive gitops scaffold`'s job). */
  notFound: Array<{component: string | null; repository: string; ref: string}>
  /** Inputs left out, with the reason (failed components of a report, unpinned sources of a promotion). */
  skipped: SkippedImage[]
  edits: FileEdit[]
}

interface OverlayFile {
  file: string
  text: string
  sites: ImageSite[]
  maps: ImageMap[]
  kustomize: KustomizeImage[]
  /** The file is a values file of a Helm chart in the repository (a `Chart.yaml` in its folder or above). */
  chart?: LocalChart
}

/** One overlay's parsed files, and the checkout's file list (for the repository-wide evidence of a map's convention). */
interface Overlay {
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
 * Plans every rewrite of one environment: each image reference whose repository equals a desired image's takes
 * that exact ref, whatever its current tag or digest. Only the scalar's own bytes change; quotes stay. Image maps
 * (`repository` + `tag`/`digest`, optionally `registry`) keep their own convention (see `mapTarget`); kustomize
 * entries are written as `kustomize edit set image` does.
 */
export async function planWrite(
  root: string,
  policy: GitopsPolicy,
  env: string,
  desired: DesiredImage[],
  skipped: SkippedImage[] = [],
): Promise<WritePlan> {
  const {files, all} = await readOverlay(root, policy, env)
  const byRepository = new Map(desired.map((d) => [d.parsed.repository, d]))
  const plan: WritePlan = {env, changes: [], unchanged: [], notFound: [], skipped, edits: []}
  const used = new Set<string>()
  const yaml = await import('yaml')
  const siblings = siblingScopes(root, files, all, yaml)
  for (const {file, text, sites, maps, kustomize, chart} of files) {
    const splices: Splice[] = []
    const checks: ReadBack[] = []
    const ambiguous = (line: number, why: string, hint: string) =>
      failureError('AMBIGUOUS_REFERENCE', `${file}:${line}: ${why}; nothing was written.`, [hint])
    /** A field of the map or entry at `where` that the writer cannot replace byte for byte. */
    const notVerbatim = (where: string) => (line: number) =>
      ambiguous(
        line,
        `${where}: the value is written with escapes or as a block`,
        'Write it as one plain or quoted scalar, then rerun.',
      )
    for (const [index, site] of sites.entries()) {
      const current = tryParseImageReference(site.value.trim())
      const want = current && byRepository.get(current.repository)
      if (!current || !want) continue
      used.add(want.parsed.repository)
      const where = {file, line: site.line, component: want.component ?? null, repository: want.parsed.repository}
      if (site.value === want.ref) {
        plan.unchanged.push({...where, ref: want.ref})
        continue
      }
      if (!site.verbatim || site.style === 'block') {
        throw ambiguous(
          site.line,
          'the reference is written with escapes or as a block; rewriting it would change more than its bytes',
          'Write it as one plain or quoted scalar, then rerun.',
        )
      }
      splices.push({start: site.start, end: site.end, text: want.ref})
      checks.push({kind: 'site', index, line: site.line, want: {value: want.ref}})
      plan.changes.push({...where, from: site.value, to: want.ref, convention: REFERENCE_CONVENTION})
    }
    for (const [index, map] of maps.entries()) {
      const name = mapRepository(map)
      const current = name === undefined ? undefined : tryParseImageReference(name)
      const want = current && byRepository.get(current.repository)
      if (!current || !want || map.fields.ref) continue
      used.add(want.parsed.repository)
      const where = {file, line: map.line, component: want.component ?? null, repository: want.parsed.repository}
      const convention = mapConvention(map, {chart, siblings: siblings(file), mapDigest: policy.mapDigest})
      const target = mapTarget(map, want.parsed.tag!, want.parsed.digest!, convention)
      if (!target) {
        throw ambiguous(
          map.line,
          `${map.path} has no tag and no digest parameter to write into`,
          'Add the tag parameter (e.g. {name: image.tag, value: x}), then rerun.',
        )
      }
      if (target.every(([key, value]) => map.fields[key]?.value === value)) {
        plan.unchanged.push({...where, ref: want.ref})
        continue
      }
      splices.push(...pairSplices(yaml, text, map.fields, map.geometry, target, notVerbatim(map.path)))
      checks.push({kind: 'map', index, line: map.line, want: Object.fromEntries(target)})
      plan.changes.push({...where, from: mapRef(map), to: want.ref, convention})
    }
    for (const entry of kustomize) {
      const current = tryParseImageReference((entry.fields.newName?.value ?? entry.name).trim())
      const want = current && byRepository.get(current.repository)
      if (!current || !want) continue
      used.add(want.parsed.repository)
      const where = {file, line: entry.line, component: want.component ?? null, repository: want.parsed.repository}
      const target: Array<[string, string]> = [
        ['newTag', want.parsed.tag!],
        ['digest', want.parsed.digest!],
      ]
      if (target.every(([key, value]) => entry.fields[key as 'newTag' | 'digest']?.value === value)) {
        plan.unchanged.push({...where, ref: want.ref})
        continue
      }
      if (entry.embedded) {
        throw ambiguous(
          entry.line,
          'the kustomize image sits in YAML embedded in a block string',
          'Move the kustomization into its own file, then rerun.',
        )
      }
      splices.push(...pairSplices(yaml, text, entry.fields, entry.geometry, target, notVerbatim(entry.path)))
      checks.push({kind: 'kustomize', path: entry.path, line: entry.line, want: Object.fromEntries(target)})
      plan.changes.push({...where, from: kustomizeRef(entry), to: want.ref, convention: KUSTOMIZE_CONVENTION})
    }
    if (splices.length === 0) continue
    let after = text
    for (const s of [...splices].sort((a, b) => b.start - a.start || b.end - a.end)) {
      after = after.slice(0, s.start) + s.text + after.slice(s.end)
    }
    assertRewritten(yaml, file, after, checks)
    plan.edits.push({file, before: text, after})
  }
  for (const d of desired) {
    if (!used.has(d.parsed.repository)) {
      plan.notFound.push({component: d.component ?? null, repository: d.parsed.repository, ref: d.ref})
    }
  }
  return plan
}

/** A byte range of the file and its new text. */
interface Splice {
  start: number
  end: number
  text: string
}

/** What must read back after the edit: a site's value, or the named fields of a map or kustomize entry. */
type ReadBack =
  | {kind: 'site' | 'map'; index: number; line: number; want: Record<string, string>}
  | {kind: 'kustomize'; path: string; line: number; want: Record<string, string>}

/** How an entry reads as one reference, for the change list: `newName|name[:newTag][@digest]`. */
function kustomizeRef(entry: KustomizeImage): string {
  const name = entry.fields.newName?.value ?? entry.name
  const tag = entry.fields.newTag ? `:${entry.fields.newTag.value}` : ''
  const digest = entry.fields.digest ? `@${entry.fields.digest.value}` : ''
  return `${name}${tag}${digest}`
}

/** An image map's repository: `registry/repository` when it names a registry. */
function mapRepository(map: ImageMap): string | undefined {
  const repository = map.fields.repository?.value.trim()
  if (!repository) return undefined
  const registry = map.fields.registry?.value.trim().replace(/\/+$/, '')
  return registry ? `${registry}/${repository}` : repository
}

/** How a map reads as one reference: `[registry/]repository[:tag][@digest]` (a tag may carry the digest). */
function mapRef(map: ImageMap): string {
  const tag = map.fields.tag ? `:${map.fields.tag.value}` : ''
  const digest = map.fields.digest ? `@${map.fields.digest.value}` : ''
  return `${mapRepository(map) ?? ''}${tag}${digest}`
}

/**
 * The fields a pin writes into an image map in its convention (see convention.ts): `tag` and `digest`, or
 * `tag: <tag>@sha256:…`. Undefined when there is no tag to write into (a parameter group without a tag entry).
 */
function mapTarget(
  map: ImageMap,
  tag: string,
  digest: string,
  convention: Convention,
): Array<['tag' | 'digest', string]> | undefined {
  if (convention.form === 'digest-in-tag') {
    // A missing tag is added to a map; a parameter group without a tag entry has nowhere to take it.
    return map.fields.tag || map.geometry ? [['tag', `${tag}@${digest}`]] : undefined
  }
  return [
    ['tag', tag],
    ['digest', digest],
  ]
}

/**
 * The sibling maps a map's convention may follow: the same file, the same release (the file's folder: a HelmRelease
 * and its values), the same repository (every YAML file of the checkout, parsed only when the narrower scopes did not
 * decide; a file that does not parse gives no evidence).
 */
function siblingScopes(
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

/**
 * Byte-preserving splices that give a map (image map or kustomize entry) the `target` values: a present value
 * replaced in place (quotes stay; a plain scalar that would not read as a string is double-quoted), a missing key
 * added after the map's last pair in its own style (`, key: value` in a flow map, a new line at the map's indentation
 * in a block map, with the file's line ending).
 */
function pairSplices(
  yaml: typeof import('yaml'),
  text: string,
  fields: Partial<Record<string, MapValue>>,
  geometry: MapGeometry | undefined,
  target: Array<[string, string]>,
  notVerbatim: (line: number) => Error,
): Splice[] {
  const out: Splice[] = []
  const missing: string[] = []
  const plain = (value: string) => {
    let parsed: unknown
    try {
      parsed = yaml.parse(value)
    } catch {
      parsed = undefined
    }
    return parsed === value ? value : JSON.stringify(value)
  }
  for (const [key, value] of target) {
    const field = fields[key]
    if (!field) {
      missing.push(`${key}: ${plain(value)}`)
      continue
    }
    if (field.value === value) continue
    if (!field.verbatim || field.style === 'block') throw notVerbatim(field.line)
    out.push({start: field.start, end: field.end, text: field.style === 'plain' ? plain(value) : value})
  }
  if (missing.length > 0 && geometry) {
    const eol = text[geometry.insertAt] === '\r' ? '\r\n' : '\n'
    const sep = geometry.flow ? ', ' : `${eol}${' '.repeat(geometry.indent)}`
    out.push({start: geometry.insertAt, end: geometry.insertAt, text: missing.map((m) => sep + m).join('')})
  }
  return out
}

/** The edited text must parse and hold exactly the new values where the old ones were: else stop, nothing written. */
function assertRewritten(yaml: typeof import('yaml'), file: string, after: string, checks: ReadBack[]): void {
  const found = findImages(yaml, after)
  const entries = new Map(found.kustomizeImages.map((k) => [k.path, k]))
  for (const check of checks) {
    let now: Record<string, {value: string} | undefined> | undefined
    if (check.kind === 'kustomize') now = entries.get(check.path)?.fields
    else if (check.kind === 'map') now = found.imageMaps[check.index]?.fields
    else now = {value: found.images[check.index]}
    const ok = !found.skipped && now && Object.entries(check.want).every(([k, v]) => now[k]?.value === v)
    if (!ok) {
      throw failureError(
        'REWRITE_CHECK_FAILED',
        `${file}:${check.line}: the rewritten file does not read back; nothing was written.`,
      )
    }
  }
}

/**
 * Promotion: the exact refs (repository, tag, digest) of one overlay, to be written into another. Only
 * digest-pinned source references are promoted; the rest are listed with a reason.
 */
export async function promotionInput(
  root: string,
  policy: GitopsPolicy,
  from: string,
  components: string[] | undefined,
): Promise<{images: DesiredImage[]; skipped: SkippedImage[]}> {
  const {files} = await readOverlay(root, policy, from)
  const byRepository = new Map<string, DesiredImage>()
  const skipped = new Map<string, SkippedImage>()
  const conflicts: string[] = []
  for (const {file, sites, maps, kustomize} of files) {
    // kustomize entries (`newName|name:newTag@digest`) and image maps (`[registry/]repository:tag@digest`, or a tag
    // carrying the digest) read as one reference each, like any other site.
    const entries = kustomize.map((k) => ({line: k.line, value: kustomizeRef(k)}))
    const mapped = maps.filter((m) => !m.fields.ref && mapRepository(m)).map((m) => ({line: m.line, value: mapRef(m)}))
    for (const site of [...sites, ...mapped, ...entries]) {
      const ref = tryParseImageReference(site.value.trim())
      if (!ref) continue
      const component = componentOf(ref.path)
      if (components && !components.includes(component)) continue
      if (!isDigestPinned(ref) || ref.tag === undefined) {
        skipped.set(ref.repository, {component, reason: `${file}:${site.line} ${site.value} is not digest-pinned`})
        continue
      }
      const seen = byRepository.get(ref.repository)
      if (seen && seen.ref !== site.value) conflicts.push(`${ref.repository}: ${seen.ref} and ${site.value}`)
      byRepository.set(ref.repository, {component, ref: site.value, parsed: ref})
    }
  }
  if (conflicts.length > 0) {
    throw failureError(
      'AMBIGUOUS_SOURCE',
      `The ${from} overlay holds two refs for one repository (${conflicts.join('; ')}).`,
      ['Make the source overlay agree with itself first; nothing was written.'],
    )
  }
  for (const repository of byRepository.keys()) skipped.delete(repository)
  return {
    images: [...byRepository.values()].sort((a, b) => a.parsed.repository.localeCompare(b.parsed.repository)),
    skipped: [...skipped.values()].sort((a, b) => a.component.localeCompare(b.component)),
  }
}

/** `ameideio/primitive-domain-orders` → `domain-orders`; other images are named by their last path segment. */
function componentOf(repositoryPath: string): string {
  const last = repositoryPath.split('/').pop() ?? repositoryPath
  return last.startsWith('primitive-') ? last.slice('primitive-'.length) : last
}
