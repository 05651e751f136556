import type {RetryPolicy} from '../../core/retry.js'
import {CosignSigner} from '../../effects/cosign.js'
import {runTool} from '../../effects/tools.js'
import {isPlainHttp} from '../../effects/registry/hosts.js'
import {parseImageReference, registryApiHost} from '../../images/reference.js'
import type {EvidenceVerifier} from './verify.js'

export interface CosignEvidenceOptions {
  /** Public key (file, env://VAR, KMS URI) or, keyless, a certificate identity regexp and OIDC issuer. */
  key?: string
  certificateIdentityRegexp?: string
  certificateOidcIssuer?: string
  tlog: boolean
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
  const signer = (insecureRegistry: boolean) =>
    new CosignSigner({
      mode: options.key ? 'key' : 'keyless',
      keyRef: options.key,
      verifyKeyRef: options.key,
      certificateIdentityRegexp: options.certificateIdentityRegexp,
      certificateOidcIssuer: options.certificateOidcIssuer,
      tlog: options.tlog,
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
