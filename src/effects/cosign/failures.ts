import {constants} from 'node:fs'
import {access} from 'node:fs/promises'

import type {AmeideError} from '../../core/errors.js'
import {failureError, prerequisiteError, usageError} from '../../core/errors.js'
import {redact} from '../../core/secrets.js'
import {FILE_KEYS, SIGSTORE_FLAG_NAMES, type SigstoreSettings} from '../../core/sigstore.js'
import type {ToolResult} from '../tools.js'

/**
 * What cosign's failures mean to a user of keyless signing, each with its code and a hint: the OIDC token endpoint
 * refusing the job, Fulcio refusing the token, a certificate for another identity, a trusted root that does not
 * verify the chain. Recognised from cosign 2.5's and cosign 3's own messages (measured against the loopback
 * stand-ins of test/support/sigstore/); anything else stays the caller's generic failure. Transient failures (an unreachable
 * Fulcio, Rekor or TSA) are left to tools.ts, which retries them and reports exit 4 — except cosign's fallback to an
 * interactive login, which no retry mends.
 */
export interface FailureContext {
  mode: 'key' | 'keyless'
  identity?: string
  issuer?: string
  sigstore: SigstoreSettings
}

const FULCIO = /signingCert|retrieving cert|getting key from Fulcio|fulcio/i
// cosign 2.5, then cosign 3 (sigstore-go's verifier) for the same meaning.
const IDENTITY_MISMATCH =
  /none of the expected identities matched|expected identity not found|no matching CertificateIdentity found/i
const UNTRUSTED_CHAIN =
  /certificate signed by unknown authority|x509: .*(?:verify|unknown authority)|invalid certificate chain|certificate chain|leaf certificate verification failed/i

export function explainCosignFailure(
  subcommand: string,
  result: ToolResult,
  context: FailureContext,
  transient: boolean,
): AmeideError | undefined {
  if (context.mode !== 'keyless') return undefined
  const output = `${result.stderr}\n${result.stdout}`
  const detail = redact(lastLines(output))
  // cosign falls back to an interactive login (device flow) when the ambient token could not be fetched.
  if (/using device flow|oauth2\.sigstore\.dev/i.test(output)) {
    return prerequisiteError(
      'OIDC_TOKEN_REFUSED',
      `cosign ${subcommand} got no identity token from the OIDC token endpoint and fell back to an interactive login: ${detail}`,
      [
        'Add `permissions: id-token: write` to the workflow job that publishes (a pull request from a fork gets no token).',
      ],
    )
  }
  // The rest are answers, not outages: a transient failure (an unreachable Fulcio, Rekor or TSA) is retried instead.
  if (transient) return undefined
  if (FULCIO.test(output) && /\b(400|401|403)\b|unauthori[sz]ed|forbidden/i.test(output)) {
    const fulcio = context.sigstore.fulcioUrl ?? 'https://fulcio.sigstore.dev'
    return prerequisiteError('FULCIO_REFUSED_TOKEN', `Fulcio (${fulcio}) refused the OIDC token: ${detail}`, [
      'Fulcio issues certificates only for OIDC issuers and audiences it is configured for: check --fulcio-url, ' +
        'and that it trusts this CI provider (audience "sigstore").',
    ])
  }
  if (IDENTITY_MISMATCH.test(output)) {
    return failureError(
      'SIGNER_IDENTITY_MISMATCH',
      `cosign ${subcommand}: the signing certificate is not for the identity this run expects ` +
        `(${context.identity ?? '?'} from ${context.issuer ?? '?'}): ${detail}`,
      [
        "The certificate was issued to another workflow or repository; sign from this repository's workflow, or " +
          'pass the identity you trust with --certificate-identity-regexp and --certificate-oidc-issuer.',
      ],
    )
  }
  if (UNTRUSTED_CHAIN.test(output)) {
    return prerequisiteError(
      'CERTIFICATE_CHAIN_UNTRUSTED',
      `cosign ${subcommand}: the signing certificate does not chain to the trusted roots: ${detail}`,
      [
        context.sigstore.trustedRoot
          ? `--trusted-root (${context.sigstore.trustedRoot}) must list the Fulcio that issued the certificate among its certificateAuthorities.`
          : context.sigstore.caRoots
            ? `--ca-roots (${context.sigstore.caRoots}) must hold the root (and intermediates) of the Fulcio that issued the certificate.`
            : 'A private Fulcio needs its CA roots: pass --ca-roots FILE (or signing.sigstore.caRoots in ameide.yaml).',
      ],
    )
  }
  return undefined
}

/**
 * A keyless certificate lives minutes: its signature verifies later only with a trusted time, from the
 * transparency log or from an RFC 3161 timestamp authority. Neither → exit 2 `KEYLESS_REQUIRES_TLOG`.
 */
export function checkTrustedTime(tlog: boolean, sigstore: SigstoreSettings): void {
  if (tlog) return
  if (!sigstore.timestampServerUrl) {
    throw usageError(
      'KEYLESS_REQUIRES_TLOG',
      'Keyless signing with --no-tlog needs a timestamp authority: a keyless certificate is valid for minutes, and ' +
        'without a transparency log or a signed timestamp nothing proves the signature was made while it was valid.',
      ['Drop --no-tlog, or add --timestamp-server-url URL and --timestamp-certificate-chain FILE, or sign with --key.'],
    )
  }
  if (!sigstore.timestampCertificateChain) {
    throw usageError(
      'KEYLESS_REQUIRES_TLOG',
      'Keyless signing with --no-tlog verifies its timestamps, and needs the timestamp authority’s certificate chain.',
      ['Add --timestamp-certificate-chain FILE (or signing.sigstore.timestampCertificateChain in ameide.yaml).'],
    )
  }
}

/** The Sigstore files named by flags or ameide.yaml exist and are readable (exit 3 before any build). */
export async function checkSigstoreFiles(sigstore: SigstoreSettings): Promise<void> {
  for (const key of FILE_KEYS) {
    const file = sigstore[key]
    if (!file) continue
    try {
      await access(file, constants.R_OK)
    } catch {
      throw prerequisiteError(
        'SIGSTORE_FILE_UNREADABLE',
        `--${SIGSTORE_FLAG_NAMES[key]} ${file} is missing or not readable.`,
        [
          `Pass a readable PEM file (or fix signing.sigstore.${key} in ameide.yaml; its paths are relative to the repository root).`,
        ],
      )
    }
  }
}

function lastLines(text: string, n = 3): string {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-n)
    .join(' | ')
    .slice(-600)
}
