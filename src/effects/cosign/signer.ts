import {mkdtemp, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {prerequisiteError, usageError} from '../../core/errors.js'
import {isDigestPinned, parseImageReference, registryApiHost, tryParseImageReference} from '../../images/reference.js'
import {redact, registerSecret} from '../../core/secrets.js'
import {RegistryClient} from '../registry/client.js'
import {retryTool, runTool, ToolFailure, type RetriedStep, type ToolResult} from '../tools.js'
import type {AttestationType, Signer} from '../signing.js'
import {checkSigstoreFiles, explainCosignFailure} from './failures.js'
import {attestFlags, signingFlags, trustEnv, verificationFlags, type CosignRun} from './flags.js'
import {verifyOutcome, type VerifyOutcome} from './outcomes.js'
import {prepareRun} from './prepare.js'
import {preflightKey, preflightKeyless, type CosignSignerOptions} from './preflight.js'
import {PREDICATE_TYPES, storedBundlePredicates, type ReferrerSource} from './stored.js'
import {COSIGN_INSTALL_HINT, type CosignVersion} from './version.js'

/** GitHub Actions' OIDC issuer (keyless signatures made in a workflow). */
const GITHUB_OIDC_ISSUER = 'https://token.actions.githubusercontent.com'

export type {CosignSignerOptions} from './preflight.js'

/** What `cosign verify` says of a digest, for one key or identity (./outcomes.ts tells them apart). */
export type SignatureVerdict =
  | Extract<VerifyOutcome, {status: 'verified' | 'other-signer' | 'tampered'}>
  | {status: 'unsigned'}
  /** Signed in a format the installed cosign cannot read (cosign 2 and a cosign 3 bundle): the reason names the fix. */
  | {status: 'unreadable'; reason: string}

/**
 * The Signer, with cosign as an external process, cosign 2 or 3 (./version.ts; each given the flags it takes,
 * ./flags.ts). Everything is addressed by digest (`<repository>@sha256:…`). Key mode: `--key KEYREF` (file,
 * `env://VAR`, KMS URIs); the key password only ever travels in COSIGN_PASSWORD (registered as a secret). Keyless:
 * OIDC (ambient in GitHub Actions, or an identity token) and verification by certificate identity + issuer.
 * `tlog: false` is the air-gapped mode.
 */
export class CosignSigner implements Signer {
  private setup: Promise<CosignRun> | undefined

  constructor(private readonly options: CosignSignerOptions & {registry?: ReferrerSource}) {
    registerSecret(this.env.COSIGN_PASSWORD)
    registerSecret(options.identityToken)
    registerSecret(this.env.SIGSTORE_ID_TOKEN)
    registerSecret(this.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN)
    const envKey = /^env:\/\/(.+)$/.exec(options.keyRef ?? '')
    if (envKey) registerSecret(this.env[envKey[1]])
  }

  private get env(): Record<string, string | undefined> {
    return this.options.env ?? process.env
  }

  /** The version and the files of this signer's runs, made once (the key mode's public key derived when needed). */
  private prepared(): Promise<CosignRun> {
    if (!this.setup) {
      this.setup = prepareRun(this.options, this.env)
      this.setup.catch(() => (this.setup = undefined)) // a failed set-up is tried again by the next call
    }
    return this.setup
  }

  private async run(args: string[]): Promise<ToolResult> {
    const run = await this.prepared()
    const env: Record<string, string | undefined> = {...this.env, ...trustEnv(this.options, run)}
    if (this.options.identityToken) env.SIGSTORE_ID_TOKEN = this.options.identityToken
    return runTool(this.options.binary ?? 'cosign', args, {
      env,
      timeoutMs: this.options.timeoutMs ?? 120_000,
      missingCode: 'COSIGN_NOT_FOUND',
      installHint: COSIGN_INSTALL_HINT,
    })
  }

  /** The version found (read once). */
  async version(): Promise<CosignVersion> {
    return (await this.prepared()).version
  }

  async preflight(): Promise<void> {
    const o = this.options
    await checkSigstoreFiles(o.sigstore ?? {})
    await this.prepared()
    if (o.mode === 'keyless') return preflightKeyless(o, this.env)
    const keyRef = await preflightKey(o.keyRef, this.env)
    if (!o.verifyKeyRef) await this.derivePublicKey(keyRef)
  }

  /** `cosign public-key --key KEYREF`: the key to verify with; also proves the password opens the key. */
  private async derivePublicKey(keyRef: string): Promise<void> {
    const run = await this.prepared()
    if (run.publicKeyFile) return
    const result = await this.run(['public-key', '--key', keyRef])
    if (result.exitCode !== 0) {
      throw prerequisiteError('COSIGN_KEY_INVALID', new ToolFailure('cosign', 'public-key', result).message, [
        'Check the key reference and COSIGN_PASSWORD (a wrong password fails here, before any build).',
      ])
    }
    const dir = await mkdtemp(join(tmpdir(), 'ameide-cosign-'))
    run.publicKeyFile = join(dir, 'cosign.pub')
    await writeFile(run.publicKeyFile, result.stdout.trim() + '\n')
  }

  /** The flags of a verification, the key mode's public key derived first when none was given. */
  private async verifying(): Promise<string[]> {
    const o = this.options
    if (o.mode === 'key' && !o.verifyKeyRef && o.keyRef) await this.derivePublicKey(o.keyRef)
    return verificationFlags(o, await this.prepared())
  }

  /** A failed run: a failure a user can act on (token, Fulcio, identity, trust) gets its code and hint. */
  private checked(subcommand: string, result: ToolResult): ToolResult {
    if (result.exitCode === 0) return result
    const o = this.options
    const failure = new ToolFailure('cosign', subcommand, result)
    const explained = explainCosignFailure(
      subcommand,
      result,
      {
        mode: o.mode,
        identity: o.certificateIdentityRegexp,
        issuer: o.certificateOidcIssuer,
        sigstore: o.sigstore ?? {},
      },
      failure.transient,
    )
    if (explained) throw explained
    throw failure
  }

  async signArgs(digestRef: string): Promise<string[]> {
    assertDigestRef(digestRef)
    return ['sign', ...signingFlags(this.options, await this.prepared()), digestRef]
  }

  async sign(digestRef: string): Promise<void> {
    const args = await this.signArgs(digestRef)
    await this.retried('sign', 'SIGN_FAILED', 'SIGN_REMOTE_FAILED', async () =>
      this.checked('sign', await this.run(args)),
    )
  }

  async verify(digestRef: string): Promise<void> {
    assertDigestRef(digestRef)
    const args = ['verify', ...(await this.verifying()), digestRef]
    await this.retried('verify', 'SIGNATURE_INVALID', 'VERIFY_REMOTE_FAILED', async () =>
      this.checked('verify', await this.run(args)),
    )
  }

  async hasValidSignature(digestRef: string): Promise<boolean> {
    return (await this.signatureOf(digestRef)).status === 'verified'
  }

  async attestArgs(digestRef: string, type: AttestationType, predicateFile: string): Promise<string[]> {
    assertDigestRef(digestRef)
    const run = await this.prepared()
    return [
      'attest',
      ...signingFlags(this.options, run),
      ...attestFlags(run),
      '--type',
      type,
      '--predicate',
      predicateFile,
      digestRef,
    ]
  }

  async attest(digestRef: string, type: AttestationType, predicateFile: string): Promise<void> {
    const args = await this.attestArgs(digestRef, type, predicateFile)
    await this.retried('attest', 'ATTEST_FAILED', 'ATTEST_REMOTE_FAILED', async () =>
      this.checked('attest', await this.run(args)),
    )
  }

  async verifyAttestation(digestRef: string, type: AttestationType): Promise<void> {
    assertDigestRef(digestRef)
    const args = ['verify-attestation', ...(await this.verifying()), '--type', type, digestRef]
    await this.retried('verify-attestation', 'ATTESTATION_INVALID', 'VERIFY_REMOTE_FAILED', async () =>
      this.checked('verify-attestation', await this.run(args)),
    )
  }

  async hasValidAttestation(digestRef: string, type: AttestationType): Promise<boolean> {
    return (await this.verifiedAttestations(digestRef, type)) !== null
  }

  /**
   * `cosign verify` of a digest, by meaning (./outcomes.ts). Nothing found by cosign 2 where cosign 3's bundles are
   * stored is `unreadable`, naming the fix. cosign failing to run is COSIGN_FAILED, never a verdict; a transient
   * failure is retried, then VERIFY_REMOTE_FAILED.
   */
  async signatureOf(digestRef: string): Promise<SignatureVerdict> {
    assertDigestRef(digestRef)
    const {outcome} = await this.outcome(['verify', ...(await this.verifying()), digestRef], 'verify')
    if (outcome.status === 'verified') return outcome
    if (outcome.status === 'other-signer' || outcome.status === 'tampered') return outcome
    const unreadable = await this.unreadableBundles(digestRef, (types) => types.length > 0)
    return unreadable ? {status: 'unreadable', reason: unreadable} : {status: 'unsigned'}
  }

  /**
   * `cosign verify-attestation --type TYPE`: the DSSE envelopes that verified (cosign's stdout, one JSON document a
   * line), or null when none did (none of that type, or none signed by this key or identity).
   */
  async verifiedAttestations(digestRef: string, type: AttestationType): Promise<string | null> {
    return (await this.attestationsOf(digestRef, type)).envelopes
  }

  /** As verifiedAttestations, and for none verified, why when it is a format the installed cosign cannot read. */
  async attestationsOf(
    digestRef: string,
    type: AttestationType,
  ): Promise<{envelopes: string | null; unreadable?: string}> {
    assertDigestRef(digestRef)
    const args = ['verify-attestation', ...(await this.verifying()), '--type', type, digestRef]
    const {outcome, stdout} = await this.outcome(args, 'verify-attestation')
    if (outcome.status === 'verified') return {envelopes: stdout}
    if (outcome.status !== 'none') return {envelopes: null}
    const unreadable = await this.unreadableBundles(digestRef, (types) => types.includes(PREDICATE_TYPES[type]))
    return unreadable ? {envelopes: null, unreadable} : {envelopes: null}
  }

  /** With cosign 2 only: whether bundles it cannot read are stored for the digest (`wanted` of their predicate types). */
  private async unreadableBundles(
    digestRef: string,
    wanted: (types: string[]) => boolean,
  ): Promise<string | undefined> {
    const run = await this.prepared()
    if (run.version.major === 3) return undefined
    const ref = parseImageReference(digestRef)
    const registry =
      this.options.registry ??
      new RegistryClient({
        insecureHosts: this.options.insecureRegistry ? [registryApiHost(ref.registry)] : [],
        retryPolicy: this.options.retryPolicy,
      })
    const types = await storedBundlePredicates(registry, ref.repository, ref.digest!)
    if (!wanted(types)) return undefined
    return (
      `stored as Sigstore bundles (cosign 3's format: ${types.join(', ')}), which cosign ${run.version.text} on PATH ` +
      'cannot read: install cosign 3 (sigstore/cosign-installer installs it by default)'
    )
  }

  /** A verification's outcome; cosign that could not run is COSIGN_FAILED, quoting it. */
  private async outcome(args: string[], subcommand: string): Promise<{outcome: VerifyOutcome; stdout: string}> {
    const result = await this.answer(args, subcommand)
    const outcome = verifyOutcome(result)
    if (outcome.status !== 'failed') return {outcome, stdout: result.stdout}
    const version = (await this.prepared()).version.text
    throw prerequisiteError(
      'COSIGN_FAILED',
      `cosign ${subcommand} (${version}) could not run: ${redact(outcome.reason)}`,
      [
        'This is not a verdict on the image. Check the cosign version and the key, identity and trust settings ' +
          '(ameide doctor shows what the cosign found can do).',
      ],
    )
  }

  private retried<T>(
    subcommand: string,
    failureCode: RetriedStep['failureCode'],
    remoteCode: RetriedStep['remoteCode'],
    attempt: () => Promise<T>,
  ): Promise<T> {
    return retryTool({tool: 'cosign', subcommand, failureCode, remoteCode, policy: this.options.retryPolicy}, attempt)
  }

  /** The run's result; a transient failure is retried (then VERIFY_REMOTE_FAILED), any other is returned. */
  private async answer(args: string[], subcommand: string): Promise<ToolResult> {
    return this.retried(subcommand, 'VERIFY_FAILED', 'VERIFY_REMOTE_FAILED', async () => {
      const result = await this.run(args)
      if (result.exitCode !== 0 && new ToolFailure('cosign', subcommand, result).transient) {
        throw new ToolFailure('cosign', subcommand, result)
      }
      return result
    })
  }
}

/** Signing always goes by digest: `<repository>@sha256:<64 hex>` (a tag may be moved under our feet). */
function assertDigestRef(ref: string): void {
  const parsed = tryParseImageReference(ref)
  if (!parsed || !isDigestPinned(parsed)) {
    throw usageError(
      'NOT_A_DIGEST_REFERENCE',
      `Refusing to sign or verify "${ref}": cosign is always given <repository>@sha256:<digest>.`,
    )
  }
}

/**
 * Keyless verification identity inside GitHub Actions: certificates issued to this repository's
 * workflows by GitHub's OIDC issuer. Undefined outside Actions.
 */
export function keylessIdentityFromEnv(
  env: Record<string, string | undefined>,
): {certificateIdentityRegexp: string; certificateOidcIssuer: string} | undefined {
  if (env.GITHUB_ACTIONS !== 'true' || !env.GITHUB_REPOSITORY) return undefined
  const server = (env.GITHUB_SERVER_URL ?? 'https://github.com').replace(/\/+$/, '')
  return {
    certificateIdentityRegexp: `^${escapeRegExp(`${server}/${env.GITHUB_REPOSITORY}/`)}`,
    certificateOidcIssuer: GITHUB_OIDC_ISSUER,
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
