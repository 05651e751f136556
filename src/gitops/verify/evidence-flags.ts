/**
 * The cosign identity flags of the commands that verify evidence (`gitops verify --evidence`, `primitive status
 * --evidence`): one definition, so both read the same key, keyless identity and transparency-log choice.
 * Checked and turned into a verifier by ./evidence.ts, which loads only when one of them is given.
 */
import {Flags} from '@oclif/core'

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
}

/** Whether evidence was asked for: `--evidence` or any identity flag (which then needs checking). */
export function evidenceFlagged(flags: {
  evidence: boolean
  key?: string
  'certificate-identity-regexp'?: string
  'certificate-oidc-issuer'?: string
}): boolean {
  return (
    flags.evidence ||
    flags.key !== undefined ||
    flags['certificate-identity-regexp'] !== undefined ||
    flags['certificate-oidc-issuer'] !== undefined
  )
}
