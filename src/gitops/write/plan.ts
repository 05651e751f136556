import {readFile} from 'node:fs/promises'
import path from 'node:path'

import {failureError, usageError} from '../../core/errors.js'
import {isDigestPinned, tryParseImageReference} from '../../images/reference.js'
import {listFiles} from '../files.js'
import {findImages, type ImageSite, type KustomizeImage} from '../facts.js'
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
  kustomize: KustomizeImage[]
}

/** Every file of one environment overlay, parsed; a file that does not parse stops the run (exit 1), naming it. */
export async function readOverlay(root: string, policy: GitopsPolicy, env: string): Promise<OverlayFile[]> {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(env)) {
    throw usageError('INVALID_ENVIRONMENT', `--env ${JSON.stringify(env)} is not an environment name.`)
  }
  const layout = makeLayout(policy)
  const yaml = await import('yaml')
  const out: OverlayFile[] = []
  // The policy's environments and every overlay folder found (a preset lists none up front).
  const environments = new Set(policy.environments)
  for (const file of await listFiles(root)) {
    const zone = layout.zoneOf(file)
    if (zone?.kind === 'overlay') environments.add(zone.env)
    if (zone?.kind !== 'overlay' || zone.env !== env) continue
    const text = await readFile(path.join(root, file), 'utf8')
    const found = findImages(yaml, text)
    if (found.skipped) {
      throw failureError('OVERLAY_NOT_YAML', `${file}: ${found.skipped}; nothing was written.`, [
        'Fix the file (or move templates out of the overlay), then rerun.',
      ])
    }
    out.push({file, text, sites: found.images, kustomize: found.kustomizeImages})
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
  for (const {file, text, sites, kustomize} of files) {
    const replacements: Array<{site: ImageSite; to: string}> = []
    const splices: Splice[] = []
    const kustomized: Array<{entry: KustomizeImage; tag: string; digest: string}> = []
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
    for (const entry of kustomize) {
      const current = tryParseImageReference((entry.fields.newName?.value ?? entry.name).trim())
      const want = current && byRepository.get(current.repository)
      if (!current || !want) continue
      used.add(want.parsed.repository)
      const where = {file, line: entry.line, component: want.component ?? null, repository: want.parsed.repository}
      const tag = want.parsed.tag!
      const digest = want.parsed.digest!
      const from = kustomizeRef(entry)
      if (entry.fields.newTag?.value === tag && entry.fields.digest?.value === digest) {
        plan.unchanged.push({...where, ref: want.ref})
        continue
      }
      if (entry.embedded) {
        throw failureError(
          'AMBIGUOUS_REFERENCE',
          `${file}:${entry.line}: the kustomize image sits in YAML embedded in a block string; nothing was written.`,
          ['Move the kustomization into its own file, then rerun.'],
        )
      }
      splices.push(...kustomizeSplices(entry, tag, digest))
      kustomized.push({entry, tag, digest})
      plan.changes.push({...where, from, to: want.ref})
    }
    if (replacements.length === 0 && splices.length === 0) continue
    for (const {site, to} of replacements) splices.push({start: site.start, end: site.end, text: to})
    let after = text
    for (const s of [...splices].sort((a, b) => b.start - a.start || b.end - a.end)) {
      after = after.slice(0, s.start) + s.text + after.slice(s.end)
    }
    assertRewritten(yaml, file, after, replacements, kustomized)
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

/** How an entry reads as one reference, for the change list: `newName|name[:newTag][@digest]`. */
function kustomizeRef(entry: KustomizeImage): string {
  const name = entry.fields.newName?.value ?? entry.name
  const tag = entry.fields.newTag ? `:${entry.fields.newTag.value}` : ''
  const digest = entry.fields.digest ? `@${entry.fields.digest.value}` : ''
  return `${name}${tag}${digest}`
}

/**
 * What `kustomize edit set image <name>=<repository>:<tag>@<digest>` writes into an entry, byte-preserving: the
 * values of `newTag` and `digest` replaced in place (quotes stay), a missing key added after the entry's last pair
 * in its own style (`, digest: …` in a flow map, a new line at the entry's indentation in a block map); `name` and
 * `newName` stay.
 */
function kustomizeSplices(entry: KustomizeImage, tag: string, digest: string): Splice[] {
  const out: Splice[] = []
  const missing: string[] = []
  for (const [key, value] of [
    ['newTag', tag],
    ['digest', digest],
  ] as const) {
    const field = entry.fields[key]
    if (!field)
      missing.push(
        `${key}: ${key === 'newTag' && /^\d+(?:\.\d+)?$|^(?:true|false|null|~)$/i.test(value) ? `"${value}"` : value}`,
      )
    else if (field.value !== value) out.push({start: field.start, end: field.end, text: value})
  }
  if (missing.length > 0) {
    const sep = entry.flow ? ', ' : `\n${' '.repeat(entry.indent)}`
    out.push({start: entry.insertAt, end: entry.insertAt, text: missing.map((m) => sep + m).join('')})
  }
  return out
}

/** The edited text must parse and hold exactly the new refs where the old ones were: else stop, nothing written. */
function assertRewritten(
  yaml: typeof import('yaml'),
  file: string,
  after: string,
  replacements: Array<{site: ImageSite; to: string}>,
  kustomized: Array<{entry: KustomizeImage; tag: string; digest: string}> = [],
): void {
  const found = findImages(yaml, after)
  const entries = new Map(found.kustomizeImages.map((k) => [k.path, k]))
  for (const {entry, tag, digest} of kustomized) {
    const now = entries.get(entry.path)
    if (found.skipped || now?.fields.newTag?.value !== tag || now.fields.digest?.value !== digest) {
      throw failureError(
        'REWRITE_CHECK_FAILED',
        `${file}:${entry.line}: the rewritten kustomize image does not read back; nothing was written.`,
      )
    }
  }
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
  for (const {file, sites, kustomize} of files) {
    // kustomize entries read as one reference each (`newName|name:newTag@digest`), like any other site.
    const entries = kustomize.map((k) => ({line: k.line, value: kustomizeRef(k)}))
    for (const site of [...sites, ...entries]) {
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
