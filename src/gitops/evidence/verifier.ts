/**
 * The evidence half of `gitops verify --evidence`: its flags checked and turned into a verifier (a key, or a keyless
 * identity), and the cosign verifier itself: signature, SBOM and provenance attestations of every pinned image.
 */
import {constants} from 'node:fs'
import {access} from 'node:fs/promises'
import path from 'node:path'

import {
  resolveEvidencePolicy,
  type EvidencePolicyEntry,
  type PolicySigner,
  type ResolvedPolicyEntry,
} from '../../core/evidence-policy.js'
import {prerequisiteError, usageError} from '../../core/errors.js'
import type {RetryPolicy} from '../../core/retry.js'
import {
  resolveSigstore,
  SIGSTORE_VERIFY_KEYS,
  type SigstoreFlagValues,
  type SigstoreSettings,
} from '../../core/sigstore.js'
import {CosignSigner, keylessIdentityFromEnv} from '../../effects/cosign/signer.js'
import {checkSigstoreFiles} from '../../effects/cosign/failures.js'
import {cosignVersion} from '../../effects/cosign/version.js'
import {isPlainHttp} from '../../effects/registry/hosts.js'
import {parseImageReference, registryApiHost} from '../../images/reference.js'
import {EVIDENCE_ONLY_FLAGS} from './flags.js'
import type {EvidenceVerifier} from './types.js'
import type {SignerCheck} from './types.js'

/** `gitops verify`'s evidence flags. */
export interface EvidenceFlags extends SigstoreFlagValues {
  evidence: boolean
  key?: string
  'certificate-identity-regexp'?: string
  'certificate-oidc-issuer'?: string
  tlog: boolean
}

/** Where the Sigstore settings and the evidence policy of ameide.yaml come from, and the root its files are under. */
export interface EvidenceConfig {
  insecureRegistries: string[]
  sigstore: SigstoreSettings
  root: string
  /** `evidencePolicy` (null or absent: the flags are the policy). */
  evidencePolicy?: EvidencePolicyEntry[] | null
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
 * The evidence set-up of `gitops verify --evidence`. With an `evidencePolicy` in ameide.yaml: its signers (key files
 * checked readable, exit 3 CONFIG_INVALID naming the entry), and the signer flags refused (exit 2: the policy
 * decides). Without: a key, or a keyless identity from the flags or the CI's ambient OIDC (exit 3
 * KEYLESS_IDENTITY_MISSING when neither), the one signer of every image. Undefined without --evidence.
 */
export async function evidenceFromFlags(
  flags: EvidenceFlags,
  config: EvidenceConfig,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{verifier: EvidenceVerifier; concurrency: number} | undefined> {
  if (!flags.evidence) return undefined
  const sigstore = resolveSigstore(flags, config.sigstore, config.root, SIGSTORE_VERIFY_KEYS)
  const common = {tlog: flags.tlog, insecureHosts: config.insecureRegistries, sigstore, env}
  if (config.evidencePolicy) {
    const signerFlag = (['key', 'certificate-identity-regexp', 'certificate-oidc-issuer'] as const).find(
      (name) => flags[name] !== undefined,
    )
    if (signerFlag) {
      throw usageError(
        'INVALID_USAGE',
        `--${signerFlag} does not apply: ameide.yaml has an evidencePolicy, whose signers decide per image.`,
        ['Drop the flag, or change the signers of evidencePolicy in ameide.yaml.'],
      )
    }
    const policy = resolveEvidencePolicy(config.evidencePolicy)
    await checkPolicyKeys(policy, config.root)
    return {verifier: await cosignEvidence({...common, policy, root: config.root}), concurrency: 4}
  }
  const ambient = keylessIdentityFromEnv(env)
  const identity = flags['certificate-identity-regexp'] ?? ambient?.certificateIdentityRegexp
  const issuer = flags['certificate-oidc-issuer'] ?? ambient?.certificateOidcIssuer
  if (flags.key === undefined && (!identity || !issuer)) {
    throw prerequisiteError('KEYLESS_IDENTITY_MISSING', '--evidence without --key verifies keyless signatures.', [
      'Pass --key PUBLIC_KEY, or --certificate-identity-regexp and --certificate-oidc-issuer.',
    ])
  }
  const signer: PolicySigner = flags.key ? {key: flags.key} : {identity: identity!, issuer: issuer!}
  return {verifier: await cosignEvidence({...common, signer}), concurrency: 4}
}

/** Every key file of the policy is a readable file under the root (exit 3 CONFIG_INVALID naming the entry). */
async function checkPolicyKeys(policy: ResolvedPolicyEntry[], root: string): Promise<void> {
  for (const entry of policy) {
    for (const [j, signer] of entry.signers.entries()) {
      if (!('key' in signer)) continue
      try {
        await access(path.join(root, signer.key), constants.R_OK)
      } catch {
        throw prerequisiteError(
          'CONFIG_INVALID',
          `ameide.yaml is invalid: evidencePolicy.${entry.index}.signers.${j}.key: ${signer.key} is missing or not readable.`,
          ['Commit the cosign public key at that path (relative to the GitOps repository root), or fix the path.'],
        )
      }
    }
  }
}

export interface CosignEvidenceOptions {
  /** The flags' one signer (a public key: file, env://VAR, KMS URI; or a keyless identity regexp and issuer)… */
  signer?: PolicySigner
  /** …or the evidence policy, whose key files are relative to `root`. */
  policy?: ResolvedPolicyEntry[]
  root?: string
  tlog: boolean
  /** A private Sigstore's verifying settings. */
  sigstore?: SigstoreSettings
  /** Registry hosts reached over plain HTTP besides loopback (ameide.yaml `insecureRegistries`). */
  insecureHosts: string[]
  retryPolicy?: RetryPolicy
  env?: Record<string, string | undefined>
}

/**
 * Evidence through cosign, the same verifier `publish` uses after signing: per signer, `cosign verify` and
 * `cosign verify-attestation` (cyclonedx, spdxjson, slsaprovenance1), whose verified envelopes are judged by
 * ./examine.ts. One cosign set-up per signer, made once.
 */
export async function cosignEvidence(options: CosignEvidenceOptions): Promise<EvidenceVerifier> {
  // Missing cosign is exit 3 (COSIGN_NOT_FOUND) before any registry call.
  await cosignVersion('cosign', options.env ?? process.env)
  await checkSigstoreFiles(options.sigstore ?? {})
  const checks = new Map<string, SignerCheck>()
  const checkOf = (signer: PolicySigner): SignerCheck => {
    const id = JSON.stringify(signer)
    let check = checks.get(id)
    if (!check) {
      check = cosignCheck(signer, options)
      checks.set(id, check)
    }
    return check
  }
  return {
    policy: options.policy ?? null,
    signersOf: (entry) =>
      (entry ? entry.signers : options.signer ? [options.signer] : []).map((signer) => ({
        signer,
        check: checkOf(signer),
      })),
  }
}

function cosignCheck(signer: PolicySigner, options: CosignEvidenceOptions): SignerCheck {
  const key = 'key' in signer ? (options.policy ? path.join(options.root ?? '.', signer.key) : signer.key) : undefined
  const make = (insecureRegistry: boolean) =>
    new CosignSigner({
      mode: key ? 'key' : 'keyless',
      keyRef: key,
      verifyKeyRef: key,
      certificateIdentityRegexp: 'identity' in signer ? signer.identity : undefined,
      certificateOidcIssuer: 'identity' in signer ? signer.issuer : undefined,
      tlog: options.tlog,
      sigstore: options.sigstore,
      insecureRegistry,
      retryPolicy: options.retryPolicy,
      env: options.env,
    })
  const [secure, plain] = [make(false), make(true)]
  // Plain HTTP only where publish would use it: loopback and the configured insecure hosts.
  const forRef = (ref: string) => {
    const host = registryApiHost(parseImageReference(ref).registry)
    return isPlainHttp(host, options.insecureHosts) ? plain : secure
  }
  return {
    signatureOf: (ref) => forRef(ref).signatureOf(ref),
    attestationsOf: (ref, type) => forRef(ref).attestationsOf(ref, type),
  }
}
