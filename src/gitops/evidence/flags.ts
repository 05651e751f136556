/**
 * The cosign identity flags of the commands that verify evidence (`gitops verify --evidence`, `primitive status
 * --evidence`): one definition, so both read the same key, keyless identity, transparency-log choice and private
 * Sigstore (src/core/sigstore-flags.ts).
 * Checked and turned into a verifier by ./evidence.ts, which loads only when one of them is given.
 */
import {Flags} from '@oclif/core'

import type {ErrorCode} from '../../core/error-codes.js'
import {SIGSTORE_VERIFY_FLAGS} from '../../core/sigstore-flags.js'

export const EVIDENCE_IDENTITY_FLAGS = {
  key: Flags.string({description: 'Public key to verify with (file, env://VAR, KMS URI).', helpValue: 'KEYREF'}),
  'certificate-identity-regexp': Flags.string({
    description: 'Keyless: the signing certificate identity (regexp).',
    helpValue: 'REGEXP',
  }),
  'certificate-oidc-issuer': Flags.string({description: 'Keyless: the OIDC issuer.', helpValue: 'URL'}),
  tlog: Flags.boolean({
    description: 'Require transparency-log entries. --no-tlog: air-gapped key signatures.',
    default: true,
    allowNo: true,
  }),
  ...SIGSTORE_VERIFY_FLAGS,
}

/** The codes those flags and the cosign they run raise, as both commands' help says them (spread in order). */
export const EVIDENCE_FLAG_CODES = {
  COSIGN_NOT_FOUND: '--evidence and cosign is not installed',
  COSIGN_FAILED: 'cosign could not run a verification (its words quoted); never read as unsigned',
  COSIGN_VERSION_UNSUPPORTED: '--signing-config / --trusted-root with cosign 2 (they need cosign 3)',
  INVALID_SIGSTORE_SETTING: '--rekor-url (or signing.sigstore.rekorUrl) is not an http(s) URL or carries credentials',
  SIGSTORE_FILE_UNREADABLE: '--ca-roots, --rekor-public-key or --timestamp-certificate-chain names no readable file',
} as const satisfies Partial<Record<ErrorCode, string>>

/** Whether evidence was asked for: `--evidence` or any identity or Sigstore flag (which then needs checking). */
export function evidenceFlagged(flags: {evidence: boolean} & Partial<Record<string, unknown>>): boolean {
  return flags.evidence || EVIDENCE_ONLY_FLAGS.some((name) => flags[name] !== undefined)
}

/** The flags that mean nothing without --evidence. */
export const EVIDENCE_ONLY_FLAGS = [
  'key',
  'certificate-identity-regexp',
  'certificate-oidc-issuer',
  ...Object.keys(SIGSTORE_VERIFY_FLAGS),
] as const
