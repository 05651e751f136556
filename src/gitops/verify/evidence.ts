/**
 * The evidence half of `gitops verify --evidence`: its flags checked and turned into a verifier (a key, or a keyless
 * identity), and the cosign verifier itself: signature, SBOM and provenance attestations of every pinned image.
 */
import {prerequisiteError, usageError} from '../../core/errors.js'
import type {RetryPolicy} from '../../core/retry.js'
import {
  resolveSigstore,
  SIGSTORE_VERIFY_KEYS,
  type SigstoreFlagValues,
  type SigstoreSettings,
} from '../../core/sigstore.js'
import {CosignSigner, keylessIdentityFromEnv} from '../../effects/cosign.js'
import {checkSigstoreFiles} from '../../effects/cosign-failures.js'
import {runTool} from '../../effects/tools.js'
import {isPlainHttp} from '../../effects/registry/hosts.js'
import {parseImageReference, registryApiHost} from '../../images/reference.js'
import {EVIDENCE_ONLY_FLAGS} from './evidence-flags.js'
import type {EvidenceVerifier} from './verify.js'

/** `gitops verify`'s evidence flags. */
export interface EvidenceFlags extends SigstoreFlagValues {
  evidence: boolean
  key?: string
  'certificate-identity-regexp'?: string
  'certificate-oidc-issuer'?: string
  tlog: boolean
}

/** Where the Sigstore settings of ameide.yaml come from: its `signing.sigstore` and the root its files are under. */
export interface EvidenceConfig {
  insecureRegistries: string[]
  sigstore: SigstoreSettings
  root: string
}

/**
 * The flags checked at the door (exit 2): the key, certificate and Sigstore flags only with --evidence, and the key
 * not with the keyless flags.
 */
export function checkEvidenceFlags(flags: EvidenceFlags): void {
  const keyless = flags['certificate-identity-regexp'] !== undefined || flags['certificate-oidc-issuer'] !== undefined
  const given = EVIDENCE_ONLY_FLAGS.filter((name) => (flags as unknown as Record<string, unknown>)[name] !== undefined)
  if (!flags.evidence && given.length > 0) {
    throw usageError('INVALID_USAGE', `--${given[0]} only applies with --evidence.`)
  }
  if (flags.key !== undefined && keyless) {
    throw usageError('INVALID_USAGE', '--key and the keyless certificate flags exclude each other.')
  }
}

/**
 * The evidence set-up of `gitops verify --evidence`: a key, or a keyless identity from the flags or the CI's
 * ambient OIDC (exit 3 KEYLESS_IDENTITY_MISSING when neither), then the cosign verifier. Undefined without --evidence.
 */
export async function evidenceFromFlags(
  flags: EvidenceFlags,
  config: EvidenceConfig,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{verifier: EvidenceVerifier; concurrency: number} | undefined> {
  if (!flags.evidence) return undefined
  const sigstore = resolveSigstore(flags, config.sigstore, config.root, SIGSTORE_VERIFY_KEYS)
  const ambient = keylessIdentityFromEnv(env)
  const identity = flags['certificate-identity-regexp'] ?? ambient?.certificateIdentityRegexp
  const issuer = flags['certificate-oidc-issuer'] ?? ambient?.certificateOidcIssuer
  if (flags.key === undefined && (!identity || !issuer)) {
    throw prerequisiteError('KEYLESS_IDENTITY_MISSING', '--evidence without --key verifies keyless signatures.', [
      'Pass --key PUBLIC_KEY, or --certificate-identity-regexp and --certificate-oidc-issuer.',
    ])
  }
  const verifier = await cosignEvidence({
    key: flags.key,
    certificateIdentityRegexp: flags.key ? undefined : identity,
    certificateOidcIssuer: flags.key ? undefined : issuer,
    tlog: flags.tlog,
    insecureHosts: config.insecureRegistries,
    sigstore,
    env,
  })
  return {verifier, concurrency: 4}
}

export interface CosignEvidenceOptions {
  /** Public key (file, env://VAR, KMS URI) or, keyless, a certificate identity regexp and OIDC issuer. */
  key?: string
  certificateIdentityRegexp?: string
  certificateOidcIssuer?: string
  tlog: boolean
  /** A private Sigstore's verifying settings. */
  sigstore?: SigstoreSettings
  /** Registry hosts reached over plain HTTP besides loopback (ameide.yaml `insecureRegistries`). */
  insecureHosts: string[]
  retryPolicy?: RetryPolicy
  env?: Record<string, string | undefined>
}

/**
 * Evidence through cosign, the same verifier `publish` uses after signing: a valid signature, a verified SBOM
 * attestation (cyclonedx or spdxjson) and a verified SLSA provenance attestation (slsaprovenance1).
 */
export async function cosignEvidence(options: CosignEvidenceOptions): Promise<EvidenceVerifier> {
  // Missing cosign is exit 3 (COSIGN_NOT_FOUND) before any registry call.
  await runTool('cosign', ['version'], {
    env: options.env ?? process.env,
    timeoutMs: 30_000,
    missingCode: 'COSIGN_NOT_FOUND',
    installHint: 'Install cosign 2.x (CI: scripts/ci/install-toolchain.sh); --evidence verifies with it.',
  })
  await checkSigstoreFiles(options.sigstore ?? {})
  const signer = (insecureRegistry: boolean) =>
    new CosignSigner({
      mode: options.key ? 'key' : 'keyless',
      keyRef: options.key,
      verifyKeyRef: options.key,
      certificateIdentityRegexp: options.certificateIdentityRegexp,
      certificateOidcIssuer: options.certificateOidcIssuer,
      tlog: options.tlog,
      sigstore: options.sigstore,
      insecureRegistry,
      retryPolicy: options.retryPolicy,
      env: options.env,
    })
  const [secure, plain] = [signer(false), signer(true)]
  // Plain HTTP only where publish would use it: loopback and the configured insecure hosts.
  const forRef = (ref: string) => {
    const host = registryApiHost(parseImageReference(ref).registry)
    return isPlainHttp(host, options.insecureHosts) ? plain : secure
  }
  return {
    signed: (ref) => forRef(ref).hasValidSignature(ref),
    hasSbom: async (ref) =>
      (await forRef(ref).hasValidAttestation(ref, 'cyclonedx')) || forRef(ref).hasValidAttestation(ref, 'spdxjson'),
    hasProvenance: (ref) => forRef(ref).hasValidAttestation(ref, 'slsaprovenance1'),
  }
}
