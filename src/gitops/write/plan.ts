import {failureError} from '../../core/errors.js'
import {tryParseImageReference} from '../../images/reference.js'
import type {ImageMap} from '../facts/index.js'
import type {GitopsPolicy} from '../layout/index.js'
import {
  KUSTOMIZE_CONVENTION,
  mapConvention,
  REFERENCE_CONVENTION,
  type Convention,
  type SiblingScope,
} from './convention.js'
import type {DesiredImage, SkippedImage} from './input.js'
import {readOverlay, siblingScopes, type OverlayFile} from './overlay.js'
import {kustomizeRef, mapRef, mapRepository} from './refs.js'
import {assertRewritten, pairSplices, type ReadBack, type Splice} from './splice.js'

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
  const run: PlanRun = {plan, policy, byRepository, used, yaml, siblings: siblingScopes(root, files, all, yaml)}
  for (const overlayFile of files) {
    const edit = planFile(overlayFile, run)
    if (edit) plan.edits.push(edit)
  }
  for (const d of desired) {
    if (!used.has(d.parsed.repository)) {
      plan.notFound.push({component: d.component ?? null, repository: d.parsed.repository, ref: d.ref})
    }
  }
  return plan
}

/** What planning every file of the overlay shares: the plan being filled, the desired images, and what was found. */
interface PlanRun {
  plan: WritePlan
  policy: GitopsPolicy
  /** The desired images by repository. */
  byRepository: Map<string, DesiredImage>
  /** The repositories a reference was found for (the others are `notFound`). */
  used: Set<string>
  yaml: typeof import('yaml')
  siblings: (file: string) => SiblingScope[]
}

/** One file's rewrites as they are planned: the splices of its text, and what reading it back must find. */
interface FileRewrite {
  splices: Splice[]
  checks: ReadBack[]
}

/** Where a reference is, and whose. */
type Where = Omit<Change, 'from' | 'to' | 'convention'>

/** Plans one file's rewrites (references, image maps, kustomize entries): its edit, or undefined if nothing changes. */
function planFile(overlayFile: OverlayFile, run: PlanRun): FileEdit | undefined {
  const {file, text} = overlayFile
  const rewrite: FileRewrite = {splices: [], checks: []}
  planSites(overlayFile, run, rewrite)
  planMaps(overlayFile, run, rewrite)
  planKustomize(overlayFile, run, rewrite)
  if (rewrite.splices.length === 0) return undefined
  let after = text
  for (const s of [...rewrite.splices].sort((a, b) => b.start - a.start || b.end - a.end)) {
    after = after.slice(0, s.start) + s.text + after.slice(s.end)
  }
  assertRewritten(run.yaml, file, after, rewrite.checks)
  return {file, before: text, after}
}

/**
 * The desired image a reference to `name` takes, and where the reference is (its repository then counts as found);
 * undefined when `name` is no image reference or no desired image has its repository.
 */
function desiredFor(
  run: PlanRun,
  file: string,
  line: number,
  name: string | undefined,
): {want: DesiredImage; where: Where} | undefined {
  const current = name === undefined ? undefined : tryParseImageReference(name)
  const want = current && run.byRepository.get(current.repository)
  if (!current || !want) return undefined
  run.used.add(want.parsed.repository)
  return {want, where: {file, line, component: want.component ?? null, repository: want.parsed.repository}}
}

/** Image references written as one string: the scalar takes the desired ref. */
function planSites({file, sites}: OverlayFile, run: PlanRun, {splices, checks}: FileRewrite): void {
  for (const [index, site] of sites.entries()) {
    const found = desiredFor(run, file, site.line, site.value.trim())
    if (!found) continue
    const {want, where} = found
    if (site.value === want.ref) {
      run.plan.unchanged.push({...where, ref: want.ref})
      continue
    }
    if (!site.verbatim || site.style === 'block') {
      throw ambiguous(
        file,
        site.line,
        'the reference is written with escapes or as a block; rewriting it would change more than its bytes',
        'Write it as one plain or quoted scalar, then rerun.',
      )
    }
    splices.push({start: site.start, end: site.end, text: want.ref})
    checks.push({kind: 'site', index, line: site.line, want: {value: want.ref}})
    run.plan.changes.push({...where, from: site.value, to: want.ref, convention: REFERENCE_CONVENTION})
  }
}

/** Image maps (`repository` + `tag`/`digest`): their fields take the desired ref in the map's own convention. */
function planMaps({file, text, maps, chart}: OverlayFile, run: PlanRun, {splices, checks}: FileRewrite): void {
  for (const [index, map] of maps.entries()) {
    if (map.fields.ref) continue
    const found = desiredFor(run, file, map.line, mapRepository(map))
    if (!found) continue
    const {want, where} = found
    const convention = mapConvention(map, {chart, siblings: run.siblings(file), mapDigest: run.policy.mapDigest})
    const target = mapTarget(map, want.parsed.tag!, want.parsed.digest!, convention)
    if (!target) {
      throw ambiguous(
        file,
        map.line,
        `${map.path} has no tag and no digest parameter to write into`,
        'Add the tag parameter (e.g. {name: image.tag, value: x}), then rerun.',
      )
    }
    if (target.every(([key, value]) => map.fields[key]?.value === value)) {
      run.plan.unchanged.push({...where, ref: want.ref})
      continue
    }
    splices.push(...pairSplices(run.yaml, text, map.fields, map.geometry, target, notVerbatim(file, map.path)))
    checks.push({kind: 'map', index, line: map.line, want: Object.fromEntries(target)})
    run.plan.changes.push({...where, from: mapRef(map), to: want.ref, convention})
  }
}

/** Kustomize `images:` entries: `newTag` and `digest` take the desired ref, as `kustomize edit set image` writes. */
function planKustomize({file, text, kustomize}: OverlayFile, run: PlanRun, {splices, checks}: FileRewrite): void {
  for (const entry of kustomize) {
    const found = desiredFor(run, file, entry.line, (entry.fields.newName?.value ?? entry.name).trim())
    if (!found) continue
    const {want, where} = found
    const target: Array<[string, string]> = [
      ['newTag', want.parsed.tag!],
      ['digest', want.parsed.digest!],
    ]
    if (target.every(([key, value]) => entry.fields[key as 'newTag' | 'digest']?.value === value)) {
      run.plan.unchanged.push({...where, ref: want.ref})
      continue
    }
    if (entry.embedded) {
      throw ambiguous(
        file,
        entry.line,
        'the kustomize image sits in YAML embedded in a block string',
        'Move the kustomization into its own file, then rerun.',
      )
    }
    splices.push(...pairSplices(run.yaml, text, entry.fields, entry.geometry, target, notVerbatim(file, entry.path)))
    checks.push({kind: 'kustomize', path: entry.path, line: entry.line, want: Object.fromEntries(target)})
    run.plan.changes.push({...where, from: kustomizeRef(entry), to: want.ref, convention: KUSTOMIZE_CONVENTION})
  }
}

/** A reference the writer will not rewrite: the run stops and nothing is written. */
function ambiguous(file: string, line: number, why: string, hint: string) {
  return failureError('AMBIGUOUS_REFERENCE', `${file}:${line}: ${why}; nothing was written.`, [hint])
}

/** A field of the map or entry at `where` that the writer cannot replace byte for byte. */
function notVerbatim(file: string, where: string) {
  return (line: number) =>
    ambiguous(
      file,
      line,
      `${where}: the value is written with escapes or as a block`,
      'Write it as one plain or quoted scalar, then rerun.',
    )
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
