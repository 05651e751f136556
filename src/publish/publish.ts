import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {failureError, toAmeideError} from '../core/errors.js'
import type {Progress} from '../core/output/progress.js'
import type {Builder} from '../effects/builders/builder.js'
import type {Manifest, RegistryClient} from '../effects/registry/client.js'
import {INDEX_MEDIA_TYPES} from '../effects/registry/client.js'
import type {SbomGenerator, Signer} from '../effects/signing.js'
import {gitMaybe} from '../effects/git.js'
import {detectChanges, resolvePublishedCommit} from '../changes/detect.js'
import {discoverComponents, selectComponents, type Component} from './components.js'
import {mapConcurrent, registryConcurrency, Semaphore} from '../core/concurrency.js'
import {planPublish, type PlannedImage} from './plan.js'
import {publishMatrix, selectShard, type ShardSpec} from './shards.js'
import {buildProvenancePredicate} from './provenance.js'
import {
  pinnedRef,
  REPORT_SCHEMA_VERSION,
  type AttestationRecord,
  type FailureRecord,
  type ImageRecord,
  type PublishReport,
  type SignatureRecord,
} from './report.js'
import {retagManifest} from './retag.js'
import {moveMain} from './main-tag.js'

/**
 * `ameide primitive publish`, the core: resolve the commit and the change set, plan against the registry (reads
 * only), preflight the tools, then per component (up to `jobs` at a time) build / retag / reuse, sign and attest
 * what is missing, and report every image as `<repository>:<sha>@<digest>`. A component that fails is reported
 * under `failures`; the others still complete.
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
  sbomChoice: string
  env: Record<string, string | undefined>
  ameideVersion?: string
  /** `--shard I/N`: publish only the components this shard owns (src/publish/shards.ts). */
  shard?: ShardSpec
  /** `--max-shards N`: the dry run's matrix spreads the builds over at most N shards (default 1). */
  maxShards?: number
}

export interface SigningSetup {
  signer: Signer
  mode: 'key' | 'keyless'
  tlog: boolean
  keyRef?: string
}

export interface PublishDeps {
  client: RegistryClient
  /** Selected lazily: only when something is to be built (and never in a dry run). */
  selectBuilder: () => Promise<Builder>
  /** null: signing off. */
  signing: SigningSetup | null
  /** null: no SBOM (opted out). Selected before any build. */
  selectSbom: () => Promise<SbomGenerator | null>
  provenance: boolean
  progress: Progress
  now?: () => number
}

export async function publish(options: PublishOptions, deps: PublishDeps): Promise<PublishReport> {
  const now = deps.now ?? Date.now
  const started = now()
  const {progress, client} = deps

  progress.start('Resolving the commit and the change set')
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

  // Signing and SBOM preflight before any registry call: a missing tool or OIDC permission fails fast.
  let sbom: SbomGenerator | null = null
  if (!options.dryRun && deps.signing) {
    progress.update('Checking cosign and the SBOM tool')
    await deps.signing.signer.preflight()
    sbom = await deps.selectSbom()
  }

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

  const failures: FailureRecord[] = plan.failures.map(({component, error}) => failureOf(component, error))
  const toBuild = plan.images.filter((p) => p.action === 'build')

  // Preflight before any build or write: the builder, once the plan says something is to be built.
  let builder: Builder | undefined
  if (!options.dryRun && toBuild.length > 0) builder = await deps.selectBuilder()

  const report: PublishReport = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    sha,
    base: changes.base,
    baseDescription: changes.baseDescription,
    registry: options.registry,
    dryRun: options.dryRun,
    builder: builder?.name ?? (toBuild.length > 0 ? options.builderChoice : null),
    signing: deps.signing
      ? {
          enabled: true,
          mode: deps.signing.mode,
          tlog: deps.signing.tlog,
          ...(deps.signing.keyRef ? {keyRef: deps.signing.keyRef} : {}),
        }
      : {enabled: false},
    sbom:
      deps.signing && options.sbomChoice !== 'none'
        ? {enabled: true, ...(sbom ? {tool: sbom.tool, type: sbom.attestationType} : {tool: options.sbomChoice})}
        : {enabled: false},
    provenance: {enabled: Boolean(deps.signing) && deps.provenance},
    updateMain: options.updateMain,
    images: [],
    failures,
    durationMs: 0,
    ...(shard ? {shard} : {}),
  }

  if (options.dryRun) {
    report.images = plan.images.map((p) => dryRunRecord(p, sha, report))
    if (!shard) report.matrix = publishMatrix(shardContext, toBuild.length, options.maxShards ?? 1, options.all)
    report.durationMs = now() - started
    return report
  }

  const workDir = await mkdtemp(path.join(tmpdir(), 'ameide-publish-'))
  try {
    const context = {
      options,
      deps,
      sha,
      builder,
      sbom,
      workDir,
      report,
      now,
      manifests: new Map<string, Manifest>(),
      heavy: new Semaphore(options.jobs),
      gitFacts: deps.signing && deps.provenance ? await readGitFacts(options.repoRoot, options.env) : undefined,
    }
    const outcomes = await mapConcurrent(plan.images, registryConcurrency(options.jobs), async (planned) => {
      progress.info(`${planned.component.id}: ${verbOf(planned.action)}`)
      const record = await publishImage(planned, context)
      progress.info(`${planned.component.id}: ${record.action} ${record.digest}`)
      return record
    })
    outcomes.forEach((outcome, i) => {
      if (outcome.ok) report.images.push(outcome.value)
      else {
        const failure = failureOf(plan.images[i].component, outcome.error)
        progress.info(`${failure.component}: failed (${failure.code}) ${failure.message}`)
        failures.push(failure)
      }
    })

    if (options.updateMain) {
      const byId = new Map(plan.images.map((p) => [p.component.id, p]))
      const moves = await mapConcurrent(report.images, registryConcurrency(options.jobs), async (image) =>
        moveMain(client, image, {
          previous: byId.get(image.component)!.mainDigest,
          manifest: context.manifests.get(image.component),
        }),
      )
      moves.forEach((move, i) => {
        if (!move.ok) {
          const image = report.images[i]
          failures.push(failureOf(byId.get(image.component)!.component, move.error))
        }
      })
    }
  } finally {
    await rm(workDir, {recursive: true, force: true})
  }

  report.images.sort((a, b) => a.component.localeCompare(b.component))
  failures.sort((a, b) => a.component.localeCompare(b.component))
  report.durationMs = now() - started
  return report
}

interface Context {
  options: PublishOptions
  deps: PublishDeps
  sha: string
  builder?: Builder
  sbom: SbomGenerator | null
  workDir: string
  now: () => number
  gitFacts?: {repository: string; ref?: string}
  /** Manifests read or written during the run, by component id (for --update-main). */
  manifests: Map<string, Manifest>
  /** `--jobs`: bounds the CPU-heavy steps (build, SBOM, cosign); registry-only steps run wider. */
  heavy: Semaphore
}

function verbOf(action: PlannedImage['action']): string {
  return action === 'build' ? 'building' : action === 'retag' ? 're-tagging :main' : 'reusing the existing tag'
}

async function publishImage(planned: PlannedImage, context: Context): Promise<ImageRecord> {
  const started = context.now()
  const {component} = planned
  const {client} = context.deps
  const tag = context.sha
  let manifest: Manifest
  let builderId: string | undefined
  let source: string | undefined
  let action: ImageRecord['action']
  let platforms: string[] | undefined

  if (planned.action === 'existing') {
    action = 'existing'
    const found = await client.getManifest(component.repository, planned.existing!.digest)
    if (!found) throw new Error(`${component.repository}@${planned.existing!.digest} vanished during the run`)
    manifest = found
  } else if (planned.action === 'retag') {
    action = 'retagged'
    manifest = planned.source!
    // The platforms of a single manifest come from its config blob: read it while the PUT is in flight (the same
    // request count, one round trip less). The PUT's failure comes first, as when they ran one after the other.
    const [put, read] = await Promise.allSettled([
      retagManifest(client, component.repository, manifest, tag),
      platformsOf(client, component.repository, manifest),
    ])
    if (put.status === 'rejected') throw put.reason
    if (read.status === 'rejected') throw read.reason
    platforms = read.value
    source = `${component.repository}:main@${manifest.digest}`
  } else {
    action = 'built'
    const outcome = await context.heavy.use(() =>
      context.builder!.buildAndPush({
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
      }),
    )
    builderId = outcome.builderId
    // The digest of record is read back from the registry, never taken from the builder.
    const pushed = await client.getManifest(component.repository, tag)
    if (!pushed) {
      throw failureError(
        'PUSHED_IMAGE_NOT_FOUND',
        `${component.repository}:${tag} is not in the registry after the build pushed it.`,
      )
    }
    manifest = pushed
  }
  context.manifests.set(component.id, manifest)

  platforms ??= await platformsOf(client, component.repository, manifest)
  const digestRef = `${component.repository}@${manifest.digest}`
  const [signature, attestations] = context.deps.signing
    ? await context.heavy.use(
        async () =>
          [
            await signImage(digestRef, action, context),
            await attestImage(digestRef, action, planned, builderId, platforms, context),
          ] as const,
      )
    : [
        await signImage(digestRef, action, context),
        await attestImage(digestRef, action, planned, builderId, platforms, context),
      ]

  return {
    ...identityOf(component, tag),
    digest: manifest.digest,
    ref: pinnedRef(component.repository, tag, manifest.digest),
    action,
    reason: planned.reason,
    ...(source ? {source} : {}),
    mediaType: manifest.mediaType,
    platforms,
    signature,
    attestations,
    durationMs: context.now() - started,
  }
}

async function signImage(digestRef: string, action: ImageRecord['action'], context: Context): Promise<SignatureRecord> {
  const signing = context.deps.signing
  if (!signing) return {status: 'skipped', verified: false, reason: 'signing is off (--no-sign)'}
  const mode = {mode: signing.mode, tlog: signing.tlog}
  if (action !== 'built' && (await signing.signer.hasValidSignature(digestRef)))
    return {status: 'existing', ...mode, verified: true}
  await signing.signer.sign(digestRef)
  await signing.signer.verify(digestRef)
  return {status: 'signed', ...mode, verified: true}
}

async function attestImage(
  digestRef: string,
  action: ImageRecord['action'],
  planned: PlannedImage,
  builderId: string | undefined,
  platforms: string[],
  context: Context,
): Promise<AttestationRecord[]> {
  const signing = context.deps.signing
  const records: AttestationRecord[] = []
  const {component} = planned
  const file = (suffix: string) => path.join(context.workDir, `${component.id}.${suffix}.json`)

  if (!signing) {
    records.push({type: 'cyclonedx', status: 'skipped', reason: 'signing is off (--no-sign): no attestations'})
    records.push({type: 'slsaprovenance1', status: 'skipped', reason: 'signing is off (--no-sign): no attestations'})
    return records
  }

  const sbom = context.sbom
  if (!sbom) {
    records.push({type: 'cyclonedx', status: 'skipped', reason: '--sbom none'})
  } else if (action !== 'built' && (await signing.signer.hasValidAttestation(digestRef, sbom.attestationType))) {
    records.push({type: sbom.attestationType, status: 'existing', tool: sbom.tool, verified: true})
  } else {
    const sbomFile = file('sbom')
    await sbom.generate(digestRef, sbomFile)
    await signing.signer.attest(digestRef, sbom.attestationType, sbomFile)
    await signing.signer.verifyAttestation(digestRef, sbom.attestationType)
    records.push({type: sbom.attestationType, status: 'attested', tool: sbom.tool, verified: true})
  }

  if (!context.deps.provenance) {
    records.push({type: 'slsaprovenance1', status: 'skipped', reason: '--no-provenance'})
  } else if (action !== 'built' && (await signing.signer.hasValidAttestation(digestRef, 'slsaprovenance1'))) {
    records.push({type: 'slsaprovenance1', status: 'existing', tool: 'ameide', verified: true})
  } else {
    const at = new Date(context.now())
    const predicate = buildProvenancePredicate({
      repository: context.gitFacts?.repository ?? `file://${context.options.repoRoot}`,
      sha: context.sha,
      ref: context.gitFacts?.ref,
      dockerfile: component.dockerfile,
      context: component.path,
      buildArgs: context.options.buildArgs,
      platforms: context.options.platforms.length > 0 ? context.options.platforms : platforms,
      component: component.id,
      // A reused digest (retag/existing without provenance) was built elsewhere: say so rather than guess.
      builderId: builderId ?? 'https://ameide.io/builders/reused-digest',
      builderName: context.builder?.name,
      ameideVersion: context.options.ameideVersion,
      startedOn: at,
      finishedOn: at,
      env: context.options.env,
    })
    const provenanceFile = file('provenance')
    await writeFile(provenanceFile, JSON.stringify(predicate))
    await signing.signer.attest(digestRef, 'slsaprovenance1', provenanceFile)
    await signing.signer.verifyAttestation(digestRef, 'slsaprovenance1')
    records.push({type: 'slsaprovenance1', status: 'attested', tool: 'ameide', verified: true})
  }
  return records
}

/** Platforms of an index (attestation manifests excluded) or, for one image, from its config. */
export async function platformsOf(client: RegistryClient, repository: string, manifest: Manifest): Promise<string[]> {
  const parsed = JSON.parse(manifest.bytes.toString('utf8')) as {
    manifests?: {platform?: {os: string; architecture: string; variant?: string}}[]
    config?: {digest: string}
  }
  const format = (p: {os?: string; architecture?: string; variant?: string}) =>
    [p.os, p.architecture, p.variant].filter((x) => x && x.length > 0).join('/')
  if (INDEX_MEDIA_TYPES.includes(manifest.mediaType) || parsed.manifests) {
    const platforms = (parsed.manifests ?? [])
      .map((m) => m.platform)
      .filter((p): p is {os: string; architecture: string} => Boolean(p) && p!.os !== 'unknown')
      .map(format)
    return [...new Set(platforms)].sort()
  }
  if (!parsed.config?.digest) return []
  const config = JSON.parse((await client.getBlob(repository, parsed.config.digest)).toString('utf8')) as {
    os?: string
    architecture?: string
    variant?: string
  }
  const platform = format(config)
  return platform ? [platform] : []
}

function dryRunRecord(planned: PlannedImage, sha: string, report: PublishReport): ImageRecord {
  const {component} = planned
  const digest =
    planned.action === 'existing'
      ? planned.existing!.digest
      : planned.action === 'retag'
        ? planned.source!.digest
        : null
  const mediaType =
    planned.action === 'existing'
      ? planned.existing!.mediaType
      : planned.action === 'retag'
        ? planned.source!.mediaType
        : null
  const platforms =
    planned.source && INDEX_MEDIA_TYPES.includes(planned.source.mediaType)
      ? ([
          ...new Set(
            (JSON.parse(planned.source.bytes.toString('utf8')).manifests ?? [])
              .map((m: {platform?: {os: string; architecture: string; variant?: string}}) => m.platform)
              .filter((p: {os: string} | undefined) => p && p.os !== 'unknown')
              .map((p: {os: string; architecture: string; variant?: string}) =>
                [p.os, p.architecture, p.variant].filter(Boolean).join('/'),
              ),
          ),
        ] as string[])
      : []
  const signature: SignatureRecord = report.signing.enabled
    ? {
        status: 'planned',
        mode: report.signing.mode,
        tlog: report.signing.tlog,
        verified: false,
        ...(planned.action === 'build' ? {} : {reason: 'only if no valid signature exists'}),
      }
    : {status: 'skipped', verified: false, reason: 'signing is off (--no-sign)'}
  const attestations: AttestationRecord[] = !report.signing.enabled
    ? [
        {type: 'cyclonedx', status: 'skipped', reason: 'signing is off (--no-sign): no attestations'},
        {type: 'slsaprovenance1', status: 'skipped', reason: 'signing is off (--no-sign): no attestations'},
      ]
    : [
        report.sbom.enabled
          ? {type: report.sbom.type ?? 'cyclonedx', status: 'planned', tool: report.sbom.tool}
          : {type: 'cyclonedx', status: 'skipped', reason: '--sbom none'},
        report.provenance.enabled
          ? {type: 'slsaprovenance1', status: 'planned', tool: 'ameide'}
          : {type: 'slsaprovenance1', status: 'skipped', reason: '--no-provenance'},
      ]
  return {
    ...identityOf(component, sha),
    digest,
    ref: digest ? pinnedRef(component.repository, sha, digest) : null,
    action: planned.action === 'build' ? 'built' : planned.action === 'retag' ? 'retagged' : 'existing',
    reason: planned.reason,
    ...(planned.source ? {source: `${component.repository}:main@${planned.source.digest}`} : {}),
    mediaType,
    platforms,
    signature,
    attestations,
    ...(report.updateMain
      ? {
          main: {
            action: planned.mainDigest === digest && digest !== null ? 'unchanged' : 'planned',
            previousDigest: planned.mainDigest ?? null,
          } as const,
        }
      : {}),
    durationMs: 0,
  }
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

function failureOf(component: Component, error: unknown): FailureRecord {
  const e = toAmeideError(error)
  return {component: component.id, code: e.code, message: e.message, exitCode: e.exitCode}
}

async function readGitFacts(
  repoRoot: string,
  env: Record<string, string | undefined>,
): Promise<{repository: string; ref?: string}> {
  const origin = await gitMaybe(repoRoot, ['remote', 'get-url', 'origin'])
  const serverUrl = env.GITHUB_SERVER_URL
  const repository =
    env.GITHUB_REPOSITORY && serverUrl
      ? `${serverUrl}/${env.GITHUB_REPOSITORY}`
      : origin.ok
        ? origin.stdout.trim()
        : `file://${repoRoot}`
  const head = await gitMaybe(repoRoot, ['symbolic-ref', '-q', 'HEAD'])
  const ref = env.GITHUB_REF || (head.ok ? head.stdout.trim() : undefined)
  return {repository, ...(ref ? {ref} : {})}
}
