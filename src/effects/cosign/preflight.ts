/**
 * What must hold before cosign signs anything (`CosignSigner.preflight`), checked before any build: keyless — an
 * OIDC token or the means to request one, a trusted time, the identity to verify with; key — a key reference that
 * names a readable key, and its password when the key is encrypted.
 */
import {constants} from 'node:fs'
import {access, readFile} from 'node:fs/promises'

import {prerequisiteError, usageError} from '../../core/errors.js'
import {probeActionsIdToken} from '../actions-oidc.js'
import {checkTrustedTime} from './failures.js'
import type {SigningOptions} from '../signing.js'
import type {ExternalToolOptions} from '../tools.js'

/** What the cosign signer is given (src/effects/cosign.ts); checked here before anything is signed. */
export interface CosignSignerOptions extends SigningOptions, ExternalToolOptions {
  /** Keyless: an OIDC identity token; handed to cosign as SIGSTORE_ID_TOKEN in its environment, never on argv. */
  identityToken?: string
}

type Env = Record<string, string | undefined>

/** A key reference with a scheme (KMS URIs, `env://`): not a file to read. */
export const KEY_SCHEMES = /^[a-z][a-z0-9+.-]*:\/\//i

export async function preflightKeyless(o: CosignSignerOptions, env: Env): Promise<void> {
  const inActions = env.GITHUB_ACTIONS === 'true'
  const token = o.identityToken ?? env.SIGSTORE_ID_TOKEN
  if (!token && inActions && !env.ACTIONS_ID_TOKEN_REQUEST_URL) {
    throw prerequisiteError(
      'OIDC_TOKEN_UNAVAILABLE',
      'Keyless signing in GitHub Actions needs an OIDC token, and this job cannot request one.',
      ['add `permissions: id-token: write` to the workflow job (or pass --key to sign with a key).'],
    )
  }
  if (!token && !inActions) {
    throw prerequisiteError(
      'OIDC_TOKEN_UNAVAILABLE',
      'Keyless signing outside GitHub Actions needs an OIDC identity token.',
      ['Set SIGSTORE_ID_TOKEN to an OIDC token for Sigstore, or sign with --key KEYREF.'],
    )
  }
  checkTrustedTime(o.tlog, o.sigstore ?? {})
  if (!o.certificateIdentityRegexp || !o.certificateOidcIssuer) {
    throw prerequisiteError(
      'KEYLESS_IDENTITY_MISSING',
      'Keyless verification needs a certificate identity (regexp) and an OIDC issuer.',
      ['Pass --certificate-identity-regexp and --certificate-oidc-issuer (defaults exist inside GitHub Actions).'],
    )
  }
  // cosign hides a refused token behind an interactive fallback: ask the endpoint once, before any build.
  if (!token && inActions) await probeActionsIdToken(env, o.retryPolicy)
}

/** The key reference, checked: set, its variable or file readable, its password there when the key is encrypted. */
export async function preflightKey(keyRef: string | undefined, env: Env): Promise<string> {
  if (!keyRef)
    throw usageError('SIGNING_KEY_MISSING', 'Key-based signing needs a key reference.', [
      'Pass --key FILE | env://VAR | a KMS URI.',
    ])
  const envKey = /^env:\/\/(.+)$/.exec(keyRef)
  if (envKey && !env[envKey[1]]) {
    throw prerequisiteError('COSIGN_KEY_UNREADABLE', `The signing key variable ${envKey[1]} is not set.`, [
      `Export ${envKey[1]} with the cosign private key (PEM).`,
    ])
  }
  if (!KEY_SCHEMES.test(keyRef)) {
    try {
      await access(keyRef, constants.R_OK)
    } catch {
      throw prerequisiteError('COSIGN_KEY_UNREADABLE', `The signing key file ${keyRef} is missing or not readable.`, [
        'Pass --key with a readable cosign private key (cosign generate-key-pair), env://VAR or a KMS URI.',
      ])
    }
  }
  const keyMaterial = envKey ? env[envKey[1]] : KEY_SCHEMES.test(keyRef) ? undefined : await readFile(keyRef, 'utf8')
  if (keyMaterial?.includes('ENCRYPTED') && env.COSIGN_PASSWORD === undefined) {
    throw prerequisiteError('COSIGN_PASSWORD_MISSING', 'The signing key is encrypted and COSIGN_PASSWORD is not set.', [
      'Export COSIGN_PASSWORD (from a CI secret); ameide never takes the password as a flag.',
    ])
  }
  return keyRef
}
