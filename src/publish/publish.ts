import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {failureError} from '../core/errors.js'
import type {Progress} from '../core/output/progress.js'
import type {Builder} from '../effects/builders/builder.js'
import type {Manifest, Registry} from '../effects/registry/registry.js'
import {detectChanges, resolvePublishedCommit, type ChangeSet} from '../changes/detect.js'
import {discoverComponents, selectComponents, type Component} from './components.js'
import {mapConcurrent, registryConcurrency, Semaphore} from '../core/concurrency.js'
import {
  planPublish,
  plannedMainDigest,
  type PlannedAction,
  type PlannedBuild,
  type PlannedExisting,
  type PlannedImage,
  type PlannedRetag,
  type PlanResult,
} from './plan.js'
import {failureOf, imageRecord, plannedOutcome, platformsInManifest, platformsOf, recordedAction} from './record.js'
import {REPORT_SCHEMA_VERSION, type FailureRecord, type ImageRecord, type PublishReport} from './report.js'
import {retagManifest} from './retag.js'
import {moveMain} from './main-tag.js'
import {publishMatrix, selectShard, type ShardContext, type ShardRecord, type ShardSpec} from './shards.js'
import type {SupplyChain, SupplyChainRun} from './supply-chain.js'

/**
 * `ameide primitive publish`, the core: resolve the commit and the change set, plan against the registry (reads
 * only), preflight the tools, then per component (up to `jobs` at a time) build / retag / reuse, sign and attest
 * what is missing, and report every image as `<repository>:<sha>@<digest>`. A component that fails is reported
 * under `failures`; the others still complete. Everything outside is a dependency: the registry (`Registry`), the
 * builder, the supply-chain step (`NO_SIGN` or signature + attestations), progress and the clock.
 */
export interface PublishOptions {
  repoRoot: string
  /** Registry and namespace, e.g. ghcr.io/ameideio. */
  registry: string
  /** The registry is reached over plain HTTP (loopback or configured insecure). */
  insecureRegistry: boolean
  sha?: string
  base?: string
  baseBranch: string
  all: boolean
  components: {kind: string; name: string}[]
  sharedInputs: string[]
  platforms: string[]
  buildArgs: Record<string, string>
  updateMain: boolean
  jobs: number
  dryRun: boolean
  /** Builder name for the report of a dry run (no builder is selected then). */
  builderChoice: string
  env: Record<string, string | undefined>
  ameideVersion?: string
  /** `--shard I/N`: publish only the components this shard owns (src/publish/shards.ts). */
  shard?: ShardSpec
  /** `--max-shards N`: the dry run's matrix spreads the builds over at most N shards (default 1). */
  maxShards?: number
  /**
   * Cancellation once writing began: the images under way finish (push, signature, attestations), no other starts
   * (each is a CANCELLED failure), and the report says so. Nothing is half-published.
   */
  signal?: AbortSignal
  /** Called once, just before the first write; until then the run has only read and may simply stop. */
  onFirstWrite?: () => void
}

export interface PublishDeps {
  client: Registry
  /** Selected lazily: only when something is to be built (and never in a dry run). */
  selectBuilder: () => Promise<Builder>
  /** Signature, SBOM and provenance (`signing.ts`'s `supplyChainFor`); `NO_SIGN` when signing is off. */
  supplyChain: SupplyChain
  progress: Progress
  now?: () => number
}

export async function publish(options: PublishOptions, deps: PublishDeps): Promise<PublishReport> {
  const now = deps.now ?? Date.now
  const started = now()
  const {progress, client, supplyChain} = deps

  progress.start('Resolving the commit and the change set')
  const scope = await resolveScope(options)
  const {sha, changes, components} = scope

  // Signing and SBOM preflight before any registry call: a missing tool or OIDC permission fails fast.
  if (!options.dryRun) await supplyChain.preflight(progress)

  progress.update(`Planning ${components.length} component(s) against ${options.registry}`)
  const plan = await planPublish({
    components,
    changes,
    sharedInputs: options.sharedInputs,
    client,
    jobs: registryConcurrency(options.jobs),
    readMainOfChanged: options.updateMain,
  })
  progress.stop()

  const toBuild = plan.images.filter((p) => p.action === 'build')
  // Preflight before any build or write: the builder, once the plan says something is to be built.
  let builder: Builder | undefined
  if (!options.dryRun && toBuild.length > 0) builder = await deps.selectBuilder()
  const builderName = builder?.name ?? (toBuild.length > 0 ? options.builderChoice : null)
  const report = reportHead(options, scope, supplyChain, plan, builderName)

  if (options.dryRun) {
    report.images = plan.images.map((p) => imageRecord(p, sha, plannedOutcome(p, supplyChain, options.updateMain)))
    if (!scope.shard)
      report.matrix = publishMatrix(scope.shardContext, toBuild.length, options.maxShards ?? 1, options.all)
    report.durationMs = now() - started
    return report
  }

  options.onFirstWrite?.()
  await publishPlan(plan, report, {options, deps, sha, builder, now})

  report.images.sort((a, b) => a.component.localeCompare(b.component))
  report.failures.sort((a, b) => a.component.localeCompare(b.component))
  report.durationMs = now() - started
  return report
}

/** What this run publishes: the commit, the change set, and the selected components this shard owns. */
interface Scope {
  sha: string
  changes: ChangeSet
  /** The inputs shard ownership is computed from (and the dry run's matrix). */
  shardContext: ShardContext
  components: Component[]
  shard?: ShardRecord
}

/** Resolves the commit and the change set, and selects the components (`--component`, then `--shard`). */
async function resolveScope(options: PublishOptions): Promise<Scope> {
  const sha = await resolvePublishedCommit(options.repoRoot, options.sha)
  const changes = await detectChanges({
    repoRoot: options.repoRoot,
    sha,
    base: options.base,
    baseBranch: options.baseBranch,
    all: options.all,
  })
  const all = await discoverComponents(options.repoRoot, options.registry)
  const selected = selectComponents(all, options.components as {kind: never; name: string}[])
  // --shard: only the components this shard owns (from sha, base, change set and component list; src/publish/shards.ts).
  const {registry, sharedInputs} = options
  const shardContext = {sha, base: changes.base, registry, components: selected, changes, sharedInputs}
  const {components, shard} = selectShard(shardContext, options.shard)
  return {sha, changes, shardContext, components, shard}
}

/** The report before any image is published: the run's settings, and the components the plan failed for. */
function reportHead(
  options: PublishOptions,
  scope: Scope,
  supplyChain: SupplyChain,
  plan: PlanResult,
  builder: string | null,
): PublishReport {
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    sha: scope.sha,
    base: scope.changes.base,
    baseDescription: scope.changes.baseDescription,
    registry: options.registry,
    dryRun: options.dryRun,
    builder,
    ...supplyChain.sections(),
    updateMain: options.updateMain,
    images: [],
    failures: plan.failures.map(({component, error}) => failureOf(component, error)),
    durationMs: 0,
    ...(scope.shard ? {shard: scope.shard} : {}),
  }
}

/**
 * The writes, in a work directory removed afterwards: every planned image published (up to `--jobs` at a time),
 * then with `--update-main` each published image's `:main` moved. Images and failures go into `report`.
 */
async function publishPlan(
  plan: PlanResult,
  report: PublishReport,
  run: Pick<Context, 'options' | 'deps' | 'sha' | 'builder' | 'now'>,
): Promise<void> {
  const {options, deps} = run
  const workDir = await mkdtemp(path.join(tmpdir(), 'ameide-publish-'))
  try {
    const heavy = new Semaphore(options.jobs)
    const context: Context = {...run, heavy, run: supplyChainRun(run, workDir, heavy)}
    const published = await publishImages(plan.images, context, report.failures)
    report.images = published.map((p) => p.image)
    if (options.updateMain) await moveMainTags(published, deps.client, options.jobs, report.failures)
  } finally {
    await rm(workDir, {recursive: true, force: true})
  }
}

/** What the supply-chain step needs to know about this run. */
function supplyChainRun(
  run: Pick<Context, 'options' | 'sha' | 'builder' | 'now'>,
  workDir: string,
  heavy: Semaphore,
): SupplyChainRun {
  const {options} = run
  return {
    repoRoot: options.repoRoot,
    sha: run.sha,
    buildArgs: options.buildArgs,
    platforms: options.platforms,
    builderName: run.builder?.name,
    ameideVersion: options.ameideVersion,
    env: options.env,
    workDir,
    now: run.now,
    heavy: (work) => heavy.use(work),
  }
}

/** Publishes every planned image, reporting progress; a component that fails is added to `failures`. */
async function publishImages(
  images: PlannedImage[],
  context: Context,
  failures: FailureRecord[],
): Promise<Published[]> {
  const {progress} = context.deps
  const outcomes = await mapConcurrent(images, registryConcurrency(context.options.jobs), async (planned) => {
    stopIfCancelled(planned, context.options.signal)
    progress.info(`${planned.component.id}: ${verbOf(planned.action)}`)
    const published = await publishImage(planned, context)
    progress.info(`${planned.component.id}: ${published.image.action} ${published.image.digest}`)
    return published
  })
  const published: Published[] = []
  outcomes.forEach((outcome, i) => {
    if (outcome.ok) published.push(outcome.value)
    else {
      const failure = failureOf(images[i].component, outcome.error)
      progress.info(`${failure.component}: failed (${failure.code}) ${failure.message}`)
      failures.push(failure)
    }
  })
  return published
}

/** `--update-main`: moves each published image's `:main` to it; a move that fails is that component's failure. */
async function moveMainTags(
  published: Published[],
  client: Registry,
  jobs: number,
  failures: FailureRecord[],
): Promise<void> {
  const moves = await mapConcurrent(published, registryConcurrency(jobs), (p) =>
    moveMain(client, p.image, {previous: plannedMainDigest(p.planned), manifest: p.manifest}),
  )
  moves.forEach((move, i) => {
    if (!move.ok) failures.push(failureOf(published[i].planned.component, move.error))
  })
}

interface Context {
  options: PublishOptions
  deps: PublishDeps
  sha: string
  builder?: Builder
  now: () => number
  /** `--jobs`: bounds the CPU-heavy steps (build, SBOM, cosign); registry-only steps run wider. */
  heavy: Semaphore
  /** What the supply-chain step needs to know about this run. */
  run: SupplyChainRun
}

/** An image this run published: its plan, its record and the manifest now under `:<sha>` (for --update-main). */
interface Published {
  planned: PlannedImage
  image: ImageRecord
  manifest: Manifest
}

/** A component that has written nothing yet is not started once the run is cancelled: a CANCELLED failure. */
function stopIfCancelled(planned: PlannedImage, signal: AbortSignal | undefined): void {
  if (signal?.aborted)
    throw failureError('CANCELLED', `${planned.component.id} was not started: the publish was cancelled.`, [
      'Rerun the publish at the same commit: the images published are found and kept, the others are published.',
    ])
}

function verbOf(action: PlannedAction): string {
  return action === 'build' ? 'building' : action === 'retag' ? 're-tagging :main' : 'reusing the existing tag'
}

async function publishImage(planned: PlannedImage, context: Context): Promise<Published> {
  const started = context.now()
  const {component} = planned
  const {client} = context.deps
  const tag = context.sha
  const placed =
    planned.action === 'existing'
      ? await existingManifest(planned, context)
      : planned.action === 'retag'
        ? await retagged(planned, context)
        : await built(planned, context)
  const {manifest, builderId, platformsFromConfig} = placed
  const platforms = placed.platforms ?? (await platformsOf(client, component.repository, manifest))
  const secured = await context.deps.supplyChain.secure(
    {
      component,
      digestRef: `${component.repository}@${manifest.digest}`,
      action: recordedAction(planned.action),
      builderId,
      platforms,
      ...(platformsFromConfig ? {platformsFromConfig} : {}),
    },
    context.run,
  )
  const image = imageRecord(planned, tag, {
    digest: manifest.digest,
    mediaType: manifest.mediaType,
    platforms,
    ...secured,
    durationMs: context.now() - started,
  })
  return {planned, image, manifest}
}

/** What an action left under `:<sha>`: its manifest, the builder and what is known of its platforms. */
interface Placed {
  manifest: Manifest
  builderId?: string
  platforms?: string[]
  /** The platforms a single manifest's config blob names, read only if a provenance predicate needs them. */
  platformsFromConfig?: () => Promise<string[]>
}

/** An existing `:<sha>` is reused as it is: its manifest, which must still be there. */
async function existingManifest(planned: PlannedExisting, context: Context): Promise<Placed> {
  const {component} = planned
  const found = await context.deps.client.getManifest(component.repository, planned.existing.digest)
  if (!found) throw new Error(`${component.repository}@${planned.existing.digest} vanished during the run`)
  return {manifest: found}
}

/**
 * `:main` re-tagged as `:<sha>` with the identical digest. Three requests per component, as for an index (HEAD
 * :<sha>, GET :main, this PUT): the platforms are what :main's bytes say. An index lists them; a single manifest's
 * platform lives in its config blob, which is read only if a provenance predicate needs it, so the record says []
 * as the dry run always has.
 */
async function retagged(planned: PlannedRetag, context: Context): Promise<Placed> {
  const {component} = planned
  const {client} = context.deps
  const manifest = planned.source
  await retagManifest(client, component.repository, manifest, context.sha)
  return {
    manifest,
    platforms: platformsInManifest(manifest) ?? [],
    platformsFromConfig: () => platformsOf(client, component.repository, manifest),
  }
}

/** The component built and pushed as `:<sha>` (its turn taken on the heavy semaphore), its digest read back. */
async function built(planned: PlannedBuild, context: Context): Promise<Placed> {
  const {component} = planned
  const {builder} = context
  const tag = context.sha
  if (!builder) throw new Error(`${component.id}: no builder was selected for a build`)
  const outcome = await context.heavy.use(() => {
    // A build waiting for its turn has written nothing yet: a cancelled run starts no more builds.
    stopIfCancelled(planned, context.options.signal)
    return builder.buildAndPush({
      // The repository root, so Dockerfiles can copy workspace SDK packages (templates/<kind>/Dockerfile).
      contextDir: context.options.repoRoot,
      dockerfile: path.join(context.options.repoRoot, component.dockerfile),
      imageRef: `${component.repository}:${tag}`,
      platforms: context.options.platforms,
      buildArgs: context.options.buildArgs,
      labels: {
        'org.opencontainers.image.revision': tag,
        'org.opencontainers.image.title': `primitive-${component.kind}-${component.name}`,
        'io.ameide.primitive': `${component.kind}/${component.name}`,
      },
      insecureRegistry: context.options.insecureRegistry,
    })
  })
  // The digest of record is read back from the registry, never taken from the builder.
  const pushed = await context.deps.client.getManifest(component.repository, tag)
  if (!pushed) {
    throw failureError(
      'PUSHED_IMAGE_NOT_FOUND',
      `${component.repository}:${tag} is not in the registry after the build pushed it.`,
    )
  }
  return {manifest: pushed, builderId: outcome.builderId}
}
