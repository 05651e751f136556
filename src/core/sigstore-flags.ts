/**
 * The private-Sigstore flags, with cosign's own names: one definition for publish (every key) and for the commands
 * that verify evidence (the verifying subset, spread into src/gitops/evidence/flags.ts). Each flag overrides
 * its `signing.sigstore` key in ameide.yaml (src/core/sigstore.ts).
 */
import {Flags} from '@oclif/core'

export const SIGSTORE_VERIFY_FLAGS = {
  'rekor-url': Flags.string({
    description: 'Sigstore: the Rekor transparency log (default: the public one).',
    helpValue: 'URL',
  }),
  'rekor-public-key': Flags.string({
    description: "Sigstore: Rekor's public key, PEM (cosign SIGSTORE_REKOR_PUBLIC_KEY).",
    helpValue: 'FILE',
  }),
  'timestamp-certificate-chain': Flags.string({
    description: "Sigstore: the timestamp authority's PEM certificate chain; signed timestamps are then verified.",
    helpValue: 'FILE',
  }),
  'ca-roots': Flags.string({
    description: 'Sigstore: PEM bundle of the CA roots keyless certificates chain to (a private Fulcio).',
    helpValue: 'FILE',
  }),
  'insecure-ignore-sct': Flags.boolean({
    description: 'Sigstore: accept certificates without an SCT (a Fulcio without a CT log).',
  }),
  'trusted-root': Flags.string({
    description:
      'Sigstore: a trusted root (JSON) for cosign 3, used as it is (default: one written from the flags above, or the public one).',
    helpValue: 'FILE',
  }),
}

export const SIGSTORE_SIGNING_FLAGS = {
  'fulcio-url': Flags.string({description: 'Sigstore: the Fulcio issuing keyless certificates.', helpValue: 'URL'}),
  'timestamp-server-url': Flags.string({
    description: 'Sigstore: an RFC 3161 timestamp authority (with it, --keyless --no-tlog is allowed).',
    helpValue: 'URL',
  }),
  'signing-config': Flags.string({
    description:
      'Sigstore: a signing config (JSON) for cosign 3, used as it is (default: one written from the flags, or cosign’s own).',
    helpValue: 'FILE',
  }),
  ...SIGSTORE_VERIFY_FLAGS,
}
