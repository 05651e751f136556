/**
 * Signing and attestations, by digest (`<repository>@sha256:…`), implemented with cosign as an
 * external process in `cosign.ts`.
 */
import type {SigstoreSettings} from '../core/sigstore.js'

export type AttestationType = 'cyclonedx' | 'spdxjson' | 'slsaprovenance1'

export interface SigningOptions {
  /** `key`: --key KEYREF (file, env://VAR, KMS URI); `keyless`: OIDC (GitHub Actions). */
  mode: 'key' | 'keyless'
  keyRef?: string
  /** Public key (or the key ref) used to verify; for keyless, the certificate identity/issuer. */
  verifyKeyRef?: string
  certificateIdentityRegexp?: string
  certificateOidcIssuer?: string
  /** Keyless verification: the issuer as a regexp (`--certificate-oidc-issuer-regexp`), in place of the exact one. */
  certificateOidcIssuerRegexp?: string
  /** Upload to the transparency log; false = air-gapped (`--tlog-upload=false`, verify with `--insecure-ignore-tlog`). */
  tlog: boolean
  /** Registry reached over plain HTTP. */
  insecureRegistry: boolean
  /** A private Sigstore (Fulcio, Rekor, a timestamp authority, CA roots); empty: the public one. */
  sigstore?: SigstoreSettings
}

export interface Signer {
  /** Fails fast (exit 3) before any build when signing cannot work here (cosign missing, no OIDC token…). */
  preflight(): Promise<void>
  hasValidSignature(digestRef: string): Promise<boolean>
  sign(digestRef: string): Promise<void>
  /** Throws when `cosign verify` fails. */
  verify(digestRef: string): Promise<void>
  hasValidAttestation(digestRef: string, type: AttestationType): Promise<boolean>
  /** The DSSE envelopes of `type` that verify (one JSON document a line), or null when none does. */
  verifiedAttestations(digestRef: string, type: AttestationType): Promise<string | null>
  attest(digestRef: string, type: AttestationType, predicateFile: string): Promise<void>
  verifyAttestation(digestRef: string, type: AttestationType): Promise<void>
}

/** Generates an SBOM document for a pushed image (syft when on PATH, else cdxgen). */
export interface SbomGenerator {
  readonly tool: 'syft' | 'cdxgen'
  readonly attestationType: Extract<AttestationType, 'cyclonedx' | 'spdxjson'>
  generate(digestRef: string, outFile: string): Promise<void>
}
