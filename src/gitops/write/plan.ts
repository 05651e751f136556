import {readFile} from 'node:fs/promises'
import path from 'node:path'

import {failureError, usageError} from '../../core/errors.js'
import {isDigestPinned, tryParseImageReference} from '../../images/reference.js'
import {listFiles} from '../files.js'
import {findImages, type ImageSite} from '../facts.js'
import {makeLayout, type GitopsPolicy} from '../layout.js'
import type {DesiredImage, SkippedImage} from './input.js'

/** One reference rewritten. */
export interface Change {
  file: string
  line: number
  component: string | null
  repository: string
  from: string
  to: string
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
  unchanged: Array<Omit<Change, 'from' | 'to'> & {ref: string}>
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
}

/** Every file of one environment overlay, parsed; a file that does not parse stops the run (exit 1), naming it. */
export async function readOverlay(root: string, policy: GitopsPolicy, env: string): Promise<OverlayFile[]> {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(env)) {
    throw usageError('INVALID_ENVIRONMENT', `--env ${JSON.stringify(env)} is not an environment name.`)
  }
  const layout = makeLayout(policy)
  const yaml = await import('yaml')
  const out: OverlayFile[] = []
  for (const file of await listFiles(root)) {
    const zone = layout.zoneOf(file)
    if (zone?.kind !== 'overlay' || zone.env !== env) continue
    const text = await readFile(path.join(root, file), 'utf8')
    const found = findImages(yaml, text)
    if (found.skipped) {
      throw failureError('OVERLAY_NOT_YAML', `${file}: ${found.skipped}; nothing was written.`, [
        'Fix the file (or move templates out of the overlay), then rerun.',
      ])
    }
    out.push({file, text, sites: found.images})
  }
  if (out.length === 0) {
    throw usageError(
      'ENVIRONMENT_NOT_FOUND',
      `No YAML files in the ${env} overlay (${layout.overlayRoot(env).join(', ')}).`,
      [`Environments: ${policy.environments.join(', ')}; the layout comes from gitopsPolicy in ameide.yaml.`],
    )
  }
  return out
}

/**
 * Plans every rewrite of one environment: each image reference whose repository equals a desired image's takes
 * that exact ref, whatever its current tag or digest. Only the scalar's own bytes change; quotes stay.
 */
export async function planWrite(
  root: string,
  policy: GitopsPolicy,
  env: string,
  desired: DesiredImage[],
  skipped: SkippedImage[] = [],
): Promise<WritePlan> {
  const files = await readOverlay(root, policy, env)
  const byRepository = new Map(desired.map((d) => [d.parsed.repository, d]))
  const plan: WritePlan = {env, changes: [], unchanged: [], notFound: [], skipped, edits: []}
  const used = new Set<string>()
  const yaml = await import('yaml')
  for (const {file, text, sites} of files) {
    const replacements: Array<{site: ImageSite; to: string}> = []
    for (const site of sites) {
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
        throw failureError(
          'AMBIGUOUS_REFERENCE',
          `${file}:${site.line}: the reference is written with escapes or as a block; rewriting it would change more than its bytes, so nothing was written.`,
          ['Write it as one plain or quoted scalar, then rerun.'],
        )
      }
      replacements.push({site, to: want.ref})
      plan.changes.push({...where, from: site.value, to: want.ref})
    }
    if (replacements.length === 0) continue
    let after = text
    for (const {site, to} of [...replacements].sort((a, b) => b.site.start - a.site.start)) {
      after = after.slice(0, site.start) + to + after.slice(site.end)
    }
    assertRewritten(yaml, file, after, replacements)
    plan.edits.push({file, before: text, after})
  }
  for (const d of desired) {
    if (!used.has(d.parsed.repository)) {
      plan.notFound.push({component: d.component ?? null, repository: d.parsed.repository, ref: d.ref})
    }
  }
  return plan
}

/** The edited text must parse and hold exactly the new refs where the old ones were: else stop, nothing written. */
function assertRewritten(
  yaml: typeof import('yaml'),
  file: string,
  after: string,
  replacements: Array<{site: ImageSite; to: string}>,
): void {
  const found = findImages(yaml, after)
  const values = new Map(found.images.map((s) => [`${s.path} ${s.line}`, s.value]))
  for (const {site, to} of replacements) {
    if (found.skipped || values.get(`${site.path} ${site.line}`) !== to) {
      throw failureError(
        'REWRITE_CHECK_FAILED',
        `${file}:${site.line}: the rewritten file does not read back; nothing was written.`,
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
  const files = await readOverlay(root, policy, from)
  const byRepository = new Map<string, DesiredImage>()
  const skipped = new Map<string, SkippedImage>()
  const conflicts: string[] = []
  for (const {file, sites} of files) {
    for (const site of sites) {
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
