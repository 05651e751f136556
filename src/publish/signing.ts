import {prerequisiteError} from '../core/errors.js'
import type {RetryPolicy} from '../core/retry.js'
import {registerSecret} from '../core/secrets.js'
import {isPrivateSigstore, type SigstoreSettings} from '../core/sigstore.js'
import type {SbomGenerator, Signer} from '../effects/signing.js'
import {NO_SIGN, SignedSupplyChain, type SupplyChain} from './supply-chain.js'

/**
 * The signing policy of publish: which signer, if any. `--key` → key mode; `--keyless`, or inside GitHub Actions
 * without `--key` → keyless (OIDC); `--no-sign` → off; none of these → exit 3 `SIGNING_NOT_CONFIGURED` (publishing
 * unsigned images is a choice someone makes, never a default).
 */
export interface SigningFlags {
  key?: string
  keyless: boolean
  /** false: `--no-sign`. */
  sign: boolean
  tlog: boolean
  certificateIdentityRegexp?: string
  certificateOidcIssuer?: string
  /** A private Sigstore: the flags over ameide.yaml's signing.sigstore, resolved (src/core/sigstore.ts). */
  sigstore?: SigstoreSettings
}

export interface SignedChoice {
  mode: 'key' | 'keyless'
  tlog: boolean
  /** Absent or empty: the public Sigstore. */
  sigstore?: SigstoreSettings
  /** Key mode: the key (a file, env://VAR or a KMS URI). */
  keyRef?: string
  /** Keyless: the identity `cosign verify` must see, when given (inside GitHub Actions it defaults to the workflow's). */
  certificateIdentityRegexp?: string
  certificateOidcIssuer?: string
}

export type SigningChoice = {mode: 'off'} | SignedChoice

export function chooseSigning(flags: SigningFlags, env: Record<string, string | undefined>): SigningChoice {
  registerSecret(env.COSIGN_PASSWORD)
  if (!flags.sign) return {mode: 'off'}
  if (flags.key)
    return {
      mode: 'key',
      tlog: flags.tlog,
      keyRef: flags.key,
      ...(flags.sigstore ? {sigstore: flags.sigstore} : {}),
    }
  if (!flags.keyless && env.GITHUB_ACTIONS !== 'true') {
    throw prerequisiteError(
      'SIGNING_NOT_CONFIGURED',
      'Images are signed, but no signing key was given and this is not GitHub Actions (keyless).',
      [
        'Pass --key cosign.key (password in COSIGN_PASSWORD), --keyless with SIGSTORE_ID_TOKEN, or --no-sign to publish unsigned images.',
      ],
    )
  }
  return {
    mode: 'keyless',
    tlog: flags.tlog,
    ...(flags.sigstore ? {sigstore: flags.sigstore} : {}),
    certificateIdentityRegexp: flags.certificateIdentityRegexp,
    certificateOidcIssuer: flags.certificateOidcIssuer,
  }
}

export interface SupplyChainSetup {
  /** `--sbom` as chosen (auto, syft, cdxgen, none). */
  sbomChoice: string
  /** Selects the SBOM generator (null for `--sbom none`); called at preflight, never in a dry run. */
  selectSbom: () => Promise<SbomGenerator | null>
  provenance: boolean
  /** Makes the signer of a key or keyless choice: `cosignSigner`, or a fake in tests. */
  signer: (choice: SignedChoice) => Signer | Promise<Signer>
}

/** The supply-chain step for a choice: `NO_SIGN` when signing is off, else signature + SBOM + provenance. */
export async function supplyChainFor(choice: SigningChoice, setup: SupplyChainSetup): Promise<SupplyChain> {
  if (choice.mode === 'off') return NO_SIGN
  return new SignedSupplyChain({
    signer: await setup.signer(choice),
    mode: choice.mode,
    tlog: choice.tlog,
    ...(choice.keyRef ? {keyRef: choice.keyRef} : {}),
    ...(choice.sigstore && isPrivateSigstore(choice.sigstore) ? {sigstore: choice.sigstore} : {}),
    sbomChoice: setup.sbomChoice,
    selectSbom: setup.selectSbom,
    provenance: setup.provenance,
  })
}

/** cosign as the signer. Keyless inside GitHub Actions: verified against this repository's workflows by default. */
export async function cosignSigner(
  choice: SignedChoice,
  context: {env: Record<string, string | undefined>; insecureRegistry: boolean; retryPolicy: RetryPolicy},
): Promise<Signer> {
  const {CosignSigner, keylessIdentityFromEnv} = await import('../effects/cosign/signer.js')
  const keyless = choice.mode === 'keyless'
  const fromEnv = keyless ? keylessIdentityFromEnv(context.env) : undefined
  return new CosignSigner({
    mode: choice.mode,
    keyRef: choice.keyRef,
    tlog: choice.tlog,
    sigstore: choice.sigstore,
    insecureRegistry: context.insecureRegistry,
    env: context.env,
    retryPolicy: context.retryPolicy,
    ...(keyless
      ? {
          certificateIdentityRegexp: choice.certificateIdentityRegexp ?? fromEnv?.certificateIdentityRegexp,
          certificateOidcIssuer: choice.certificateOidcIssuer ?? fromEnv?.certificateOidcIssuer,
        }
      : {}),
  })
}
