import {registryHint, toAmeideError} from '../core/errors.js'
import {INDEX_MEDIA_TYPES, type Manifest, type Registry} from '../effects/registry/registry.js'
import type {Component} from './components.js'
import {plannedMainDigest, type PlannedAction, type PlannedImage} from './plan.js'
import {pinnedRef, type FailureRecord, type ImageAction, type ImageRecord, type MainTagRecord} from './report.js'
import type {SupplyChain, SupplyChainRecords} from './supply-chain.js'

/**
 * The report's records of images and failures. A dry run and a real run build an image's record through the same
 * function, `imageRecord`: the plan gives who and why, the outcome what was (or, in a dry run, will be) done.
 */
export interface ImageOutcome extends SupplyChainRecords {
  /** null only in a dry run for an image still to build. */
  digest: string | null
  mediaType: string | null
  platforms: string[]
  /** A dry run's `:main` (a real run adds it after moving `:main`). */
  main?: MainTagRecord
  durationMs: number
}

const RECORDED_ACTION: Record<PlannedAction, ImageAction> = {build: 'built', retag: 'retagged', existing: 'existing'}

export function recordedAction(action: PlannedAction): ImageAction {
  return RECORDED_ACTION[action]
}

export function imageRecord(planned: PlannedImage, tag: string, outcome: ImageOutcome): ImageRecord {
  const {component} = planned
  return {
    ...identityOf(component, tag),
    digest: outcome.digest,
    ref: outcome.digest ? pinnedRef(component.repository, tag, outcome.digest) : null,
    action: recordedAction(planned.action),
    reason: planned.reason,
    ...(planned.action === 'retag' ? {source: `${component.repository}:main@${planned.source.digest}`} : {}),
    ...(planned.action === 'retag' && outcome.sourceCommit ? {sourceCommit: outcome.sourceCommit} : {}),
    mediaType: outcome.mediaType,
    platforms: outcome.platforms,
    signature: outcome.signature,
    attestations: outcome.attestations,
    ...(outcome.main ? {main: outcome.main} : {}),
    durationMs: outcome.durationMs,
  }
}

/** What a dry run says about an image: what the plan read from the registry, and what would be added. */
export function plannedOutcome(planned: PlannedImage, supplyChain: SupplyChain, updateMain: boolean): ImageOutcome {
  const known = planned.action === 'existing' ? planned.existing : planned.action === 'retag' ? planned.source : null
  const digest = known?.digest ?? null
  const main = plannedMainDigest(planned)
  return {
    digest,
    mediaType: known?.mediaType ?? null,
    // Without a registry read: only an index carries its platforms.
    platforms:
      planned.action === 'retag' && INDEX_MEDIA_TYPES.includes(planned.source.mediaType)
        ? indexPlatforms(planned.source.bytes)
        : [],
    ...supplyChain.planned(planned.action),
    ...(updateMain
      ? {main: {action: main === digest && digest !== null ? 'unchanged' : 'planned', previousDigest: main ?? null}}
      : {}),
    durationMs: 0,
  }
}

type Platform = {os?: string; architecture?: string; variant?: string}

const formatPlatform = (p: Platform) => [p.os, p.architecture, p.variant].filter((x) => x && x.length > 0).join('/')

/** The platforms an index lists (attestation manifests, platform `unknown`, excluded), each once, in index order. */
function indexPlatforms(bytes: Buffer): string[] {
  const parsed = JSON.parse(bytes.toString('utf8')) as {manifests?: {platform?: Platform}[]}
  const platforms = (parsed.manifests ?? [])
    .map((m) => m.platform)
    .filter((p): p is Platform => p != null && p.os !== 'unknown')
    .map(formatPlatform)
  return [...new Set(platforms)]
}

/**
 * The platforms the manifest's own bytes say, without a request: an index's list (sorted), or null for a single
 * manifest, whose platform lives only in its config blob.
 */
export function platformsInManifest(manifest: Manifest): string[] | null {
  const parsed = JSON.parse(manifest.bytes.toString('utf8')) as {manifests?: unknown[]}
  if (INDEX_MEDIA_TYPES.includes(manifest.mediaType) || parsed.manifests) return indexPlatforms(manifest.bytes).sort()
  return null
}

/** Platforms of an index (attestation manifests excluded) or, for one image, from its config (one blob read). */
export async function platformsOf(client: Registry, repository: string, manifest: Manifest): Promise<string[]> {
  const listed = platformsInManifest(manifest)
  if (listed) return listed
  const parsed = JSON.parse(manifest.bytes.toString('utf8')) as {config?: {digest: string}}
  if (!parsed.config?.digest) return []
  const config = JSON.parse((await client.getBlob(repository, parsed.config.digest)).toString('utf8')) as Platform
  const platform = formatPlatform(config)
  return platform ? [platform] : []
}

/** The fields of an image record that say which component and tag it is about. */
function identityOf(component: Component, tag: string) {
  return {
    component: component.id,
    kind: component.kind,
    name: component.name,
    path: component.path,
    dockerfile: component.dockerfile,
    repository: component.repository,
    tag,
  }
}

export function failureOf(component: Component, error: unknown): FailureRecord {
  const e = toAmeideError(error)
  // What to do next, when the raise site said it (the registry's generic meaning of the code adds nothing here).
  const hints = e.hints.filter((hint) => hint !== registryHint(e.code))
  return {
    component: component.id,
    code: e.code,
    message: e.message,
    exitCode: e.exitCode,
    ...(hints.length > 0 ? {hints} : {}),
  }
}
