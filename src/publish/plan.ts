import type {Manifest, ManifestHead, Registry} from '../effects/registry/registry.js'
import type {ChangeSet} from '../changes/detect.js'
import {decideChange} from './changes.js'
import type {Component} from './components.js'
import {mapConcurrent} from '../core/concurrency.js'

/**
 * The plan: per component, what publish will do and why, resolved against the registry with reads only
 * (HEAD `:<sha>`, GET `:main`). Immutability comes first: an existing `:<sha>` is reused as is.
 */
export type PlannedImage = PlannedBuild | PlannedRetag | PlannedExisting
export type PlannedAction = PlannedImage['action']

interface PlannedBase {
  component: Component
  reason: string
}

/** Changed, or unchanged without a `:main` to re-tag. */
export interface PlannedBuild extends PlannedBase {
  action: 'build'
  /** `:main`'s digest when it was read (null = no `:main`); not read for a changed component without --update-main. */
  mainDigest?: string | null
}

/** Unchanged: `:main`'s exact bytes go under `:<sha>`. */
export interface PlannedRetag extends PlannedBase {
  action: 'retag'
  /** `:main`'s manifest (exact bytes). */
  source: Manifest
  mainDigest: string
}

/** `:<sha>` already exists: reused as is (`:main` was not read). */
export interface PlannedExisting extends PlannedBase {
  action: 'existing'
  existing: ManifestHead
}

/** `:main`'s digest as the plan saw it: a digest, null (no `:main`), or undefined (not read). */
export function plannedMainDigest(planned: PlannedImage): string | null | undefined {
  return planned.action === 'existing' ? undefined : planned.mainDigest
}

export interface PlanOptions {
  components: Component[]
  changes: ChangeSet
  sharedInputs: string[]
  client: Registry
  jobs: number
  /** Read `:main` even for changed components (needed for --update-main's "previous digest"). */
  readMainOfChanged?: boolean
}

export interface PlanResult {
  images: PlannedImage[]
  failures: {component: Component; error: unknown}[]
}

export async function planPublish(options: PlanOptions): Promise<PlanResult> {
  const {client, changes} = options
  const results = await mapConcurrent(options.components, options.jobs, async (component): Promise<PlannedImage> => {
    const decision = decideChange(component, changes, options.sharedInputs)
    const existing = await client.headManifest(component.repository, changes.sha)
    if (existing) {
      return {
        component,
        action: 'existing',
        reason: `:${changes.sha.slice(0, 12)}… already exists (${existing.digest.slice(0, 19)}…): reused as is, never overwritten`,
        existing,
      }
    }
    if (decision.changed) {
      const mainDigest = options.readMainOfChanged
        ? ((await client.headManifest(component.repository, 'main'))?.digest ?? null)
        : undefined
      return {component, action: 'build', reason: decision.reason, mainDigest}
    }
    const main = await client.getManifest(component.repository, 'main')
    if (!main) {
      return {
        component,
        action: 'build',
        reason: `${decision.reason}, but ${component.repository}:main does not exist yet: built instead`,
        mainDigest: null,
      }
    }
    return {
      component,
      action: 'retag',
      reason: `${decision.reason}: :main re-tagged without a rebuild`,
      source: main,
      mainDigest: main.digest,
    }
  })
  const images: PlannedImage[] = []
  const failures: PlanResult['failures'] = []
  results.forEach((result, i) => {
    if (result.ok) images.push(result.value)
    else failures.push({component: options.components[i], error: result.error})
  })
  return {images, failures}
}
