/**
 * Flux's `verify` of an OCI chart, checked as source-controller checks it before anything renders the chart: with
 * cosign (src/effects/cosign/signer.ts), the chart's manifest by its digest. With `secretRef`, the `.pub` keys of that
 * Secret — read from the BASE revision only (./policy.ts), never from the head that asks — any one of which may have
 * signed it, the transparency log not consulted (as Flux does for a static key); without, keyless: the certificate's
 * issuer and subject matching one of `matchOIDCIdentity` (none: any), against the public Sigstore. A Secret the base
 * does not hold readably (only in the cluster, or encrypted) cannot be known offline: the chart is then
 * render-unavailable, named, never rendered unverified. A provider other than cosign (notation) is not checked here:
 * render-unavailable too. A signature that does not verify is a `render-refused`; cosign that cannot run or reach
 * what it needs is render-unavailable.
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {CosignSigner} from '../../../effects/cosign/signer.js'
import type {ChartVerification, RemoteChart} from '../../model/model.js'
import type {ChartAllowList} from './policy.js'

/** A chart whose verification could not be carried out (render-unavailable). */
export class ChartUnverifiable extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ChartUnverifiable'
  }
}

/** A chart whose signature does not verify (render-refused). */
export class ChartSignatureRefused extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ChartSignatureRefused'
  }
}

/** Why `ref`'s verification cannot be done at all (before anything is fetched), or undefined. */
export function verificationProblem(ref: RemoteChart, allow: ChartAllowList): string | undefined {
  const v = ref.verify
  if (!v || ref.type !== 'oci') return undefined
  const what = `chart ${ref.name} from ${ref.source} must be verified (spec.verify of ${v.via})`
  if (v.provider !== 'cosign')
    return `${what} with ${v.provider}, which the gate does not check: it is not rendered unverified.`
  if (v.secretRef && !allow.keys.has(`${v.namespace}/${v.secretRef}`))
    return `${what} with the public keys of Secret ${v.namespace}/${v.secretRef}, which the base revision does not hold in a readable file (it lives only in the cluster, or is encrypted): it cannot be verified here, so it is not rendered unverified.`
  return undefined
}

export interface VerifyOptions {
  allow: ChartAllowList
  /** The registry is reached over plain HTTP. */
  insecure: boolean
  env?: Record<string, string | undefined>
}

/** Verifies `repository@digest` as Flux would; throws ChartSignatureRefused or ChartUnverifiable. */
export async function verifyChart(ref: RemoteChart, manifestDigest: string, options: VerifyOptions): Promise<void> {
  const v = ref.verify as ChartVerification
  const subject = `${ref.repository}@${manifestDigest}`
  // Signatures are looked for beside the chart, never where the environment redirects them.
  const env = {...(options.env ?? process.env)}
  delete env.COSIGN_REPOSITORY
  const base = {
    insecureRegistry: options.insecure,
    env,
    timeoutMs: 120_000,
    retryPolicy: {attempts: 2, baseDelayMs: 200, maxDelayMs: 1_000, maxRetryAfterMs: 1_000},
  }
  const outcomes: string[] = []
  try {
    if (v.secretRef) {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'ameide-chart-keys-'))
      try {
        const pems = options.allow.keys.get(`${v.namespace}/${v.secretRef}`) ?? []
        for (const [i, pem] of pems.entries()) {
          const file = path.join(dir, `${i}.pub`)
          writeFileSync(file, pem)
          const signer = new CosignSigner({...base, mode: 'key', verifyKeyRef: file, tlog: false})
          const outcome = await signer.signatureOf(subject)
          if (outcome.status === 'verified') return
          outcomes.push(outcome.status)
        }
      } finally {
        rmSync(dir, {recursive: true, force: true})
      }
    } else {
      const identities = v.matchOIDCIdentity.length > 0 ? v.matchOIDCIdentity : [{issuer: '.*', subject: '.*'}]
      for (const id of identities) {
        const signer = new CosignSigner({
          ...base,
          mode: 'keyless',
          certificateIdentityRegexp: id.subject,
          certificateOidcIssuerRegexp: id.issuer,
          tlog: true,
        })
        const outcome = await signer.signatureOf(subject)
        if (outcome.status === 'verified') return
        outcomes.push(outcome.status)
      }
    }
  } catch (error) {
    throw new ChartUnverifiable(
      `chart ${ref.name} (oci://${subject}) could not be verified with cosign (spec.verify of ${v.via}): ${(error as Error).message}; it is not rendered unverified.`,
    )
  }
  const by = v.secretRef
    ? `any public key of Secret ${v.namespace}/${v.secretRef} (as the base revision holds it)`
    : `a keyless identity matching spec.verify.matchOIDCIdentity`
  throw new ChartSignatureRefused(
    `chart ${ref.name} (oci://${subject}) ${outcomes.includes('other-signer') ? 'is signed, but not by' : 'carries no signature cosign verifies by'} ${by} (spec.verify of ${v.via}): it is not rendered.`,
  )
}
