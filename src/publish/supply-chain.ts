import {writeFile} from 'node:fs/promises'
import path from 'node:path'

import type {Progress} from '../core/output/progress.js'
import {gitMaybe} from '../effects/git.js'
import type {SigstoreSettings} from '../core/sigstore.js'
import type {SbomGenerator, Signer} from '../effects/signing.js'
import type {Component} from './components.js'
import type {PlannedAction} from './plan.js'
import {decodeEnvelopes, judgeProvenance} from '../attestations/statements.js'
import {buildProvenancePredicate} from './provenance.js'
import type {AttestationRecord, ImageAction, PublishReport, SignatureRecord} from './report.js'

/**
 * The supply-chain step of publish, one per image: a cosign signature, an SBOM attestation and an SLSA provenance
 * attestation, each added only when missing and verified. With signing off it is `NO_SIGN`, a null object that
 * records every part as skipped, so the core never asks whether signing is on. Which signer (key, keyless, none)
 * is `signing.ts`'s policy.
 */
export interface SupplyChainRecords {
  signature: SignatureRecord
  attestations: AttestationRecord[]
  /** A re-tag: the commit that built the source, as its verified provenance says. */
  sourceCommit?: string
}

/** One publish run, as the provenance predicate records it. */
export interface SupplyChainRun {
  repoRoot: string
  sha: string
  buildArgs: Record<string, string>
  /** --platform (empty: the image's own platforms go into the predicate). */
  platforms: string[]
  /** The builder selected for this run, if any. */
  builderName?: string
  ameideVersion?: string
  env: Record<string, string | undefined>
  /** Where predicate files are written. */
  workDir: string
  now: () => number
  /** Bounds the CPU-heavy steps (cosign, SBOM generation) to `--jobs`. */
  heavy: <T>(work: () => Promise<T>) => Promise<T>
}

/** The image to sign and attest. */
export interface SupplyChainSubject {
  component: Component
  /** `<repository>@<digest>` */
  digestRef: string
  action: ImageAction
  /** The builder's id when this run built the image. */
  builderId?: string
  /** The image's platforms as the registry has them ([] for a re-tagged single manifest: see platformsFromConfig). */
  platforms: string[]
  /** A re-tagged single manifest: reads its platform from the config blob, only when a predicate needs it. */
  platformsFromConfig?: () => Promise<string[]>
}

export interface SupplyChain {
  /** The report's `signing`, `sbom` and `provenance` sections. */
  sections(): Pick<PublishReport, 'signing' | 'sbom' | 'provenance'>
  /** Fails fast, before any registry call, when signing cannot work here (cosign, OIDC, the SBOM tool). Not in a dry run. */
  preflight(progress: Progress): Promise<void>
  /** Signs and attests what is missing, each verified. */
  secure(subject: SupplyChainSubject, run: SupplyChainRun): Promise<SupplyChainRecords>
  /** What a dry run reports for an image the plan builds, re-tags or reuses. */
  planned(action: PlannedAction): SupplyChainRecords
}

const SIGNING_OFF = 'signing is off (--no-sign)'

function skipped(): SupplyChainRecords {
  return {
    signature: {status: 'skipped', verified: false, reason: SIGNING_OFF},
    attestations: [
      {type: 'cyclonedx', status: 'skipped', reason: `${SIGNING_OFF}: no attestations`},
      {type: 'slsaprovenance1', status: 'skipped', reason: `${SIGNING_OFF}: no attestations`},
    ],
  }
}

/** `--no-sign`: nothing is signed or attested, and the report says so. */
export const NO_SIGN: SupplyChain = {
  sections: () => ({signing: {enabled: false}, sbom: {enabled: false}, provenance: {enabled: false}}),
  preflight: async () => {},
  secure: async () => skipped(),
  planned: () => skipped(),
}

export interface SignedSupplyChainOptions {
  signer: Signer
  mode: 'key' | 'keyless'
  tlog: boolean
  keyRef?: string
  /** A private Sigstore, recorded in the report's `signing` (URLs and file paths; never a secret). */
  sigstore?: SigstoreSettings
  /** `--sbom` as chosen (auto, syft, cdxgen, none), for the report of a dry run (no tool is selected then). */
  sbomChoice: string
  /** Selected at preflight; null: no SBOM (`--sbom none`). */
  selectSbom: () => Promise<SbomGenerator | null>
  provenance: boolean
}

/** Signing on: cosign signature, SBOM and provenance attestations (each may be opted out and is then skipped). */
export class SignedSupplyChain implements SupplyChain {
  private sbom: SbomGenerator | null = null
  /** Per run: the repository and ref provenance records (read once). */
  private readonly gitFacts = new WeakMap<SupplyChainRun, Promise<GitFacts>>()

  constructor(private readonly options: SignedSupplyChainOptions) {}

  sections(): Pick<PublishReport, 'signing' | 'sbom' | 'provenance'> {
    const {mode, tlog, keyRef, sigstore, sbomChoice} = this.options
    const sbom = this.sbom
    return {
      signing: {enabled: true, mode, tlog, ...(keyRef ? {keyRef} : {}), ...(sigstore ? {sigstore} : {})},
      sbom:
        sbomChoice !== 'none'
          ? {enabled: true, ...(sbom ? {tool: sbom.tool, type: sbom.attestationType} : {tool: sbomChoice})}
          : {enabled: false},
      provenance: {enabled: this.options.provenance},
    }
  }

  async preflight(progress: Progress): Promise<void> {
    progress.update('Checking cosign and the SBOM tool')
    await this.options.signer.preflight()
    this.sbom = await this.options.selectSbom()
  }

  secure(subject: SupplyChainSubject, run: SupplyChainRun): Promise<SupplyChainRecords> {
    return run.heavy(async () => ({signature: await this.sign(subject), ...(await this.attest(subject, run))}))
  }

  planned(action: PlannedAction): SupplyChainRecords {
    const {signing, sbom, provenance} = this.sections()
    return {
      signature: {
        status: 'planned',
        mode: signing.mode,
        tlog: signing.tlog,
        verified: false,
        ...(action === 'build' ? {} : {reason: 'only if no valid signature exists'}),
      },
      attestations: [
        sbom.enabled
          ? {type: sbom.type ?? 'cyclonedx', status: 'planned', tool: sbom.tool}
          : {type: 'cyclonedx', status: 'skipped', reason: '--sbom none'},
        provenance.enabled
          ? {type: 'slsaprovenance1', status: 'planned', tool: 'ameide'}
          : {type: 'slsaprovenance1', status: 'skipped', reason: '--no-provenance'},
      ],
    }
  }

  private async sign({digestRef, action}: SupplyChainSubject): Promise<SignatureRecord> {
    const {signer} = this.options
    const mode = {mode: this.options.mode, tlog: this.options.tlog}
    if (action !== 'built' && (await signer.hasValidSignature(digestRef)))
      return {status: 'existing', ...mode, verified: true}
    await signer.sign(digestRef)
    await signer.verify(digestRef)
    return {status: 'signed', ...mode, verified: true}
  }

  /**
   * The attestations of one image, one table walked once: each row is skipped (opted out), `existing` (a valid one is
   * there and the image was not just built), or written, attested and verified.
   */
  private async attest(
    subject: SupplyChainSubject,
    run: SupplyChainRun,
  ): Promise<{attestations: AttestationRecord[]; sourceCommit?: string}> {
    const {signer} = this.options
    const {digestRef, action} = subject
    const sbom = this.sbom
    const rows: AttestationRow[] = [
      sbom
        ? {
            type: sbom.attestationType,
            tool: sbom.tool,
            suffix: 'sbom',
            write: (file) => sbom.generate(digestRef, file),
          }
        : {type: 'cyclonedx', skipped: '--sbom none'},
      this.options.provenance
        ? {
            type: 'slsaprovenance1',
            tool: 'ameide',
            suffix: 'provenance',
            write: async (file) => writeFile(file, JSON.stringify(await this.provenanceOf(subject, run))),
          }
        : {type: 'slsaprovenance1', skipped: '--no-provenance'},
    ]
    const records: AttestationRecord[] = []
    let sourceCommit: string | undefined
    for (const row of rows) {
      if ('skipped' in row) {
        records.push({type: row.type, status: 'skipped', reason: row.skipped})
      } else if (action === 'retagged' && row.type === 'slsaprovenance1') {
        // A re-tag carries the provenance of the commit that built :main: read it, so the report can say which.
        const existing = await signer.verifiedAttestations(digestRef, row.type)
        if (existing !== null) {
          records.push({type: row.type, status: 'existing', tool: row.tool, verified: true})
          const digest = digestRef.slice(digestRef.lastIndexOf('@') + 1)
          const commit = decodeEnvelopes(existing)
            .statements.map((s) => judgeProvenance(s, digest, undefined).facts.commit)
            .find((c) => c !== undefined)
          if (commit) sourceCommit = commit
        } else {
          records.push(await this.attestRow(row, subject, run))
        }
      } else if (action !== 'built' && (await signer.hasValidAttestation(digestRef, row.type))) {
        records.push({type: row.type, status: 'existing', tool: row.tool, verified: true})
      } else {
        records.push(await this.attestRow(row, subject, run))
      }
    }
    return {attestations: records, ...(sourceCommit ? {sourceCommit} : {})}
  }

  /** Writes the predicate of a row, attests and verifies it. */
  private async attestRow(
    row: Exclude<AttestationRow, {skipped: string}>,
    subject: SupplyChainSubject,
    run: SupplyChainRun,
  ): Promise<AttestationRecord> {
    const {signer} = this.options
    const file = path.join(run.workDir, `${subject.component.id}.${row.suffix}.json`)
    await row.write(file)
    await signer.attest(subject.digestRef, row.type, file)
    await signer.verifyAttestation(subject.digestRef, row.type)
    return {type: row.type, status: 'attested', tool: row.tool, verified: true}
  }

  /** The SLSA v1 provenance predicate of one image. */
  private async provenanceOf(subject: SupplyChainSubject, run: SupplyChainRun) {
    const {component} = subject
    const git = await this.gitFactsOf(run)
    const at = new Date(run.now())
    return buildProvenancePredicate({
      repository: git.repository,
      sha: run.sha,
      ref: git.ref,
      dockerfile: component.dockerfile,
      context: component.path,
      buildArgs: run.buildArgs,
      platforms: await predicatePlatforms(subject, run),
      component: component.id,
      // A reused digest (retag/existing without provenance) was built elsewhere: say so rather than guess.
      builderId: subject.builderId ?? 'https://ameide.io/builders/reused-digest',
      builderName: run.builderName,
      ameideVersion: run.ameideVersion,
      startedOn: at,
      finishedOn: at,
      env: run.env,
    })
  }

  private gitFactsOf(run: SupplyChainRun): Promise<GitFacts> {
    let facts = this.gitFacts.get(run)
    if (!facts) {
      facts = readGitFacts(run.repoRoot, run.env)
      this.gitFacts.set(run, facts)
    }
    return facts
  }
}

/** One attestation of the table: opted out (`skipped`), or its type, tool and how its predicate file is written. */
type AttestationRow =
  | {type: AttestationRecord['type']; skipped: string}
  | {type: AttestationRecord['type']; tool: string; suffix: string; write: (file: string) => Promise<void>}

interface GitFacts {
  repository: string
  ref?: string
}

/** The source repository and ref provenance records: GitHub Actions' own, else the origin remote and HEAD's branch. */
async function readGitFacts(repoRoot: string, env: Record<string, string | undefined>): Promise<GitFacts> {
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

/** --platform, else the image's own platforms (a re-tagged single manifest's read from its config only now). */
async function predicatePlatforms(subject: SupplyChainSubject, run: SupplyChainRun): Promise<string[]> {
  if (run.platforms.length > 0) return run.platforms
  if (subject.platforms.length > 0 || !subject.platformsFromConfig) return subject.platforms
  return subject.platformsFromConfig()
}
