import path from 'node:path'

import {usageError} from './errors.js'

/**
 * A Sigstore instance other than the public one: an internal Fulcio, its own Rekor, or an RFC 3161 timestamp
 * authority instead of a transparency log. One model for every command that signs or verifies: publish takes every
 * key, `gitops verify --evidence` and `primitive status --evidence` the ones that apply to verifying
 * (`SIGSTORE_VERIFY_KEYS`). Set by flags with cosign's own names, over `signing.sigstore` in ameide.yaml; cosign
 * receives them in src/effects/cosign/signer.ts. Nothing here is a secret: URLs with credentials are refused.
 */
export interface SigstoreSettings {
  /** cosign --fulcio-url: the certificate authority issuing keyless certificates. */
  fulcioUrl?: string
  /** cosign --rekor-url: the transparency log. */
  rekorUrl?: string
  /** File: the transparency log's public key (cosign: SIGSTORE_REKOR_PUBLIC_KEY). */
  rekorPublicKey?: string
  /** cosign --timestamp-server-url: an RFC 3161 timestamp authority (a trusted time without Rekor). */
  timestampServerUrl?: string
  /** File: PEM chain of the timestamp authority (cosign verify --timestamp-certificate-chain). */
  timestampCertificateChain?: string
  /** File: PEM bundle of the CA roots the signing certificate must chain to (verify --ca-roots; SIGSTORE_ROOT_FILE). */
  caRoots?: string
  /** A Fulcio without a certificate transparency log: sign --insecure-skip-verify, verify --insecure-ignore-sct. */
  insecureIgnoreSct?: boolean
  /** File: a Sigstore trusted root (JSON) for cosign 3's verification, used as it is instead of one ameide writes. */
  trustedRoot?: string
  /** File: a Sigstore signing config (JSON) for cosign 3's signing, used as it is instead of one ameide writes. */
  signingConfig?: string
}

export type SigstoreKey = keyof SigstoreSettings

/** Flag name (cosign's) of each key. */
export const SIGSTORE_FLAG_NAMES = {
  fulcioUrl: 'fulcio-url',
  rekorUrl: 'rekor-url',
  rekorPublicKey: 'rekor-public-key',
  timestampServerUrl: 'timestamp-server-url',
  timestampCertificateChain: 'timestamp-certificate-chain',
  caRoots: 'ca-roots',
  insecureIgnoreSct: 'insecure-ignore-sct',
  trustedRoot: 'trusted-root',
  signingConfig: 'signing-config',
} as const satisfies Record<SigstoreKey, string>

/** The keys that apply to verifying (`--evidence`); fulcioUrl, timestampServerUrl and signingConfig only serve signing. */
export const SIGSTORE_VERIFY_KEYS = [
  'rekorUrl',
  'rekorPublicKey',
  'timestampCertificateChain',
  'caRoots',
  'insecureIgnoreSct',
  'trustedRoot',
] as const satisfies readonly SigstoreKey[]

const URL_KEYS = ['fulcioUrl', 'rekorUrl', 'timestampServerUrl'] as const
export const FILE_KEYS = [
  'rekorPublicKey',
  'timestampCertificateChain',
  'caRoots',
  'trustedRoot',
  'signingConfig',
] as const

/** Flag values as oclif parses them (`--fulcio-url` …); absent flags are undefined. */
export type SigstoreFlagValues = Partial<Record<(typeof SIGSTORE_FLAG_NAMES)[SigstoreKey], string | boolean>>

/**
 * The effective settings: each flag over its ameide.yaml key (`signing.sigstore`, files relative to the repository
 * root `configRoot`), restricted to `keys`. A URL that is not http(s), or carries credentials, is exit 2.
 */
export function resolveSigstore(
  flags: SigstoreFlagValues,
  fromConfig: SigstoreSettings,
  configRoot: string,
  keys: readonly SigstoreKey[] = Object.keys(SIGSTORE_FLAG_NAMES) as SigstoreKey[],
): SigstoreSettings {
  const out: SigstoreSettings = {}
  for (const key of keys) {
    const flag = flags[SIGSTORE_FLAG_NAMES[key]]
    const configured = fromConfig[key]
    if (key === 'insecureIgnoreSct') {
      const value = flag ?? configured
      if (value === true) out.insecureIgnoreSct = true
      continue
    }
    const value =
      typeof flag === 'string'
        ? flag
        : typeof configured === 'string' && (FILE_KEYS as readonly string[]).includes(key)
          ? path.resolve(configRoot, configured)
          : (configured as string | undefined)
    if (value === undefined) continue
    if ((URL_KEYS as readonly string[]).includes(key)) checkServiceUrl(SIGSTORE_FLAG_NAMES[key], value)
    else if (value.trim() === '')
      throw usageError('INVALID_SIGSTORE_SETTING', `--${SIGSTORE_FLAG_NAMES[key]} is empty.`)
    ;(out as Record<string, string>)[key] = value
  }
  return out
}

function checkServiceUrl(flag: string, value: string): void {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw usageError('INVALID_SIGSTORE_SETTING', `--${flag} "${value}" is not a URL.`, [
      `Pass --${flag} https://host[:port] (or signing.sigstore in ameide.yaml).`,
    ])
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw usageError('INVALID_SIGSTORE_SETTING', `--${flag} must be an http(s) URL, not ${url.protocol}.`)
  }
  if (url.username || url.password) {
    throw usageError('INVALID_SIGSTORE_SETTING', `--${flag} carries credentials; they would end up in reports.`, [
      'Give the URL without user:password@ (cosign authenticates to Fulcio with the OIDC token).',
    ])
  }
}

/** True when any key is set: the run uses a private Sigstore (or part of one). */
export function isPrivateSigstore(settings: SigstoreSettings): boolean {
  return Object.keys(settings).length > 0
}
