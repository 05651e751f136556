/**
 * The cosign identity flags of the commands that verify evidence (`gitops verify --evidence`, `primitive status
 * --evidence`): one definition, so both read the same key, keyless identity, transparency-log choice and private
 * Sigstore (src/core/sigstore-flags.ts).
 * Checked and turned into a verifier by ./evidence.ts, which loads only when one of them is given.
 */
import {Flags} from '@oclif/core'

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
