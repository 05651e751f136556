import {failureError} from '../../core/errors.js'
import {tryParseImageReference} from '../../images/reference.js'
import type {ImageMap} from '../facts.js'
import type {GitopsPolicy} from '../layout.js'
import {KUSTOMIZE_CONVENTION, mapConvention, REFERENCE_CONVENTION, type Convention} from './convention.js'
import type {DesiredImage, SkippedImage} from './input.js'
import {readOverlay, siblingScopes} from './overlay.js'
import {kustomizeRef, mapRef, mapRepository} from './refs.js'
import {assertRewritten, pairSplices, type ReadBack, type Splice} from './splice.js'

export {readOverlay} from './overlay.js'
export {promotionInput} from './promotion.js'

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
