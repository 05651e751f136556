import type {Kind} from '../primitives/kinds.js'
import type {SigstoreSettings} from '../core/sigstore.js'
import type {AttestationType} from '../effects/signing.js'
import type {PublishMatrix, ShardRecord} from './shards.js'

/** The `--json` document of `ameide primitive publish` (schemas/publish.schema.json). */
export const REPORT_SCHEMA_VERSION = 1

export type ImageAction = 'built' | 'retagged' | 'existing'

export interface SignatureRecord {
  /** signed: this run signed; existing: a valid signature was already there; planned: dry run; skipped: signing off. */
  status: 'signed' | 'existing' | 'planned' | 'skipped'
  mode?: 'key' | 'keyless'
  /** Uploaded to / checked against the transparency log. */
  tlog?: boolean
  /** `cosign verify` succeeded on the digest after signing. */
  verified: boolean
  reason?: string
}

export interface AttestationRecord {
  type: AttestationType
  status: 'attested' | 'existing' | 'planned' | 'skipped'
  /** Predicate producer: cdxgen, syft, ameide. */
  tool?: string
  verified?: boolean
  reason?: string
}

export interface MainTagRecord {
  /** moved: `:main` now points at this digest; unchanged: it already did; planned: dry run. */
  action: 'moved' | 'unchanged' | 'planned'
  previousDigest: string | null
}

export interface ImageRecord {
  /** `<kind>-<name>` */
  component: string
  kind: Kind
  name: string
  path: string
  dockerfile: string
  repository: string
  tag: string
  /** null only in a dry run for an image still to build. */
  digest: string | null
  /** `<repository>:<sha>@<digest>`: what GitOps writes into image.ref (null only in a dry run for a build). */
  ref: string | null
  action: ImageAction
  reason: string
  /** Retags: `<repository>:main@<digest>`. */
  source?: string
  /**
   * Retags: the commit that built the source, as its verified SLSA provenance says (absent without signing or without
   * a provenance). The tag is this run's commit; a GitOps gate with `commitMatchesTag` names both.
   */
  sourceCommit?: string
  mediaType: string | null
  platforms: string[]
  signature: SignatureRecord
  attestations: AttestationRecord[]
  /** Present with --update-main. */
  main?: MainTagRecord
  durationMs: number
}

export interface FailureRecord {
  component: string
  /** Stable error code (UPPER_SNAKE). */
  code: string
  message: string
  /** The exit code this failure alone would have. */
  exitCode: number
  /** What to do next (e.g. `permissions: id-token: write`), when the failure says. */
  hints?: string[]
}

export interface PublishReport {
  schemaVersion: typeof REPORT_SCHEMA_VERSION
  sha: string
  /** Base commit of change detection, null with --all or on a root commit. */
  base: string | null
  baseDescription: string
  registry: string
  dryRun: boolean
  /** Builder used (or that would be used); null when nothing was built. */
  builder: string | null
  signing: {enabled: boolean; mode?: 'key' | 'keyless'; tlog?: boolean; keyRef?: string; sigstore?: SigstoreSettings}
  sbom: {enabled: boolean; tool?: string; type?: AttestationType}
  provenance: {enabled: boolean}
  updateMain: boolean
  images: ImageRecord[]
  failures: FailureRecord[]
  durationMs: number
  /** `--shard I/N`: which shard of which plan this report covers (`publish merge` combines them). */
  shard?: ShardRecord
  /** Dry run without --shard: the shards for `strategy.matrix` (src/publish/shards.ts). */
  matrix?: PublishMatrix
}

/** The `ref` GitOps consumes: tag for humans, digest for the pull. */
export function pinnedRef(repository: string, tag: string, digest: string): string {
  return `${repository}:${tag}@${digest}`
}
