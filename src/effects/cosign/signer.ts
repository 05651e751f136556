import {mkdtemp, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {prerequisiteError, usageError} from '../../core/errors.js'
import {isDigestPinned, tryParseImageReference} from '../../images/reference.js'
import {registerSecret} from '../../core/secrets.js'
import {retryTool, runTool, ToolFailure, type ToolResult} from '../tools.js'
import type {SigstoreSettings} from '../../core/sigstore.js'
import {checkSigstoreFiles, explainCosignFailure} from './failures.js'
import {preflightKey, preflightKeyless, type CosignSignerOptions} from './preflight.js'
import type {AttestationType, Signer} from '../signing.js'

/** GitHub Actions' OIDC issuer (keyless signatures made in a workflow). */
const GITHUB_OIDC_ISSUER = 'https://token.actions.githubusercontent.com'

export type {CosignSignerOptions} from './preflight.js'

const INSTALL_HINT =
  'Install cosign 2.x (https://docs.sigstore.dev/cosign/system_config/installation/; Debian trixie: apt-get install cosign; CI: scripts/ci/install-toolchain.sh), or publish without signing.'

/** cosign's exit code when an image carries signatures but none verifies (its errors package, NoMatchingSignature). */
const COSIGN_NO_MATCHING_SIGNATURE = 12

/**
 * The Signer, with cosign as an external process. Everything is addressed by digest
 * (`<repository>@sha256:…`). Key mode: `--key KEYREF` (file, `env://VAR`, KMS URIs); the key password only
 * ever travels in COSIGN_PASSWORD (registered as a secret). Keyless: OIDC (ambient in GitHub Actions, or
 * an identity token) and verification by certificate identity + issuer. `tlog: false` is the air-gapped
 * mode: `--tlog-upload=false` to sign, `--insecure-ignore-tlog` to verify.
 */
export class CosignSigner implements Signer {
  private publicKeyFile: string | undefined

  constructor(private readonly options: CosignSignerOptions) {
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

  private get binary(): string {
    return this.options.binary ?? 'cosign'
  }

  private childEnv(): Record<string, string | undefined> {
    const env: Record<string, string | undefined> = {...this.env}
    if (this.options.identityToken) env.SIGSTORE_ID_TOKEN = this.options.identityToken
    const sigstore = this.sigstore
    // cosign reads a private Sigstore's trust from its environment, for sign and verify alike.
    if (sigstore.caRoots) env.SIGSTORE_ROOT_FILE = sigstore.caRoots
    if (sigstore.rekorPublicKey) env.SIGSTORE_REKOR_PUBLIC_KEY = sigstore.rekorPublicKey
    return env
  }

  private get sigstore(): SigstoreSettings {
    return this.options.sigstore ?? {}
  }

  private run(args: string[]): Promise<ToolResult> {
    return runTool(this.binary, args, {
      env: this.childEnv(),
      timeoutMs: this.options.timeoutMs ?? 120_000,
      missingCode: 'COSIGN_NOT_FOUND',
      installHint: INSTALL_HINT,
    })
  }

  private registryFlags(): string[] {
    // --allow-http-registry: plain HTTP to non-loopback hosts; --allow-insecure-registry: TLS without verification.
    return this.options.insecureRegistry ? ['--allow-http-registry', '--allow-insecure-registry'] : []
  }

  /** Flags of `sign` / `attest`. */
  signingFlags(): string[] {
    const s = this.sigstore
    const keyless = this.options.mode === 'keyless'
    return [
      '--yes',
      ...(this.options.mode === 'key' ? ['--key', this.options.keyRef ?? ''] : []),
      ...(keyless && s.fulcioUrl ? ['--fulcio-url', s.fulcioUrl] : []),
      ...(keyless && s.insecureIgnoreSct ? ['--insecure-skip-verify'] : []),
      ...(this.options.tlog ? (s.rekorUrl ? ['--rekor-url', s.rekorUrl] : []) : ['--tlog-upload=false']),
      ...(s.timestampServerUrl ? ['--timestamp-server-url', s.timestampServerUrl] : []),
      ...this.registryFlags(),
    ]
  }

  /** Flags of `verify` / `verify-attestation` (after preflight, the key mode's public key is known). */
  verificationFlags(): string[] {
    const o = this.options
    const identity =
      o.mode === 'key'
        ? ['--key', o.verifyKeyRef ?? this.publicKeyFile ?? o.keyRef ?? '']
        : [
            '--certificate-identity-regexp',
            o.certificateIdentityRegexp ?? '',
            ...(o.certificateOidcIssuerRegexp !== undefined
              ? ['--certificate-oidc-issuer-regexp', o.certificateOidcIssuerRegexp]
              : ['--certificate-oidc-issuer', o.certificateOidcIssuer ?? '']),
          ]
    const s = this.sigstore
    const keyless = o.mode === 'keyless'
    return [
      ...identity,
      ...(keyless && s.caRoots ? ['--ca-roots', s.caRoots] : []),
      ...(keyless && s.insecureIgnoreSct ? ['--insecure-ignore-sct'] : []),
      ...(o.tlog ? (s.rekorUrl ? ['--rekor-url', s.rekorUrl] : []) : ['--insecure-ignore-tlog']),
      ...(s.timestampCertificateChain
        ? ['--use-signed-timestamps', '--timestamp-certificate-chain', s.timestampCertificateChain]
        : []),
      ...this.registryFlags(),
    ]
  }

  async preflight(): Promise<void> {
    const o = this.options
    await checkSigstoreFiles(this.sigstore)
    const version = await this.run(['version', '--json'])
    if (version.exitCode !== 0) {
      throw prerequisiteError(
        'COSIGN_NOT_USABLE',
        `cosign does not run here: ${version.stderr.trim().split('\n').pop() ?? ''}`,
        [INSTALL_HINT],
      )
    }
    if (o.mode === 'keyless') return preflightKeyless(o, this.env)
    const keyRef = await preflightKey(o.keyRef, this.env)
    if (!o.verifyKeyRef) await this.derivePublicKey(keyRef)
  }

  /** `cosign public-key --key KEYREF`: the key to verify with; also proves the password opens the key. */
  private async derivePublicKey(keyRef: string): Promise<void> {
    const result = await this.run(['public-key', '--key', keyRef])
    if (result.exitCode !== 0) {
      throw prerequisiteError('COSIGN_KEY_INVALID', new ToolFailure('cosign', 'public-key', result).message, [
        'Check the key reference and COSIGN_PASSWORD (a wrong password fails here, before any build).',
      ])
    }
    const dir = await mkdtemp(join(tmpdir(), 'ameide-cosign-'))
    this.publicKeyFile = join(dir, 'cosign.pub')
    await writeFile(this.publicKeyFile, result.stdout.trim() + '\n')
  }

  private async ensureVerificationKey(): Promise<void> {
    const o = this.options
    if (o.mode === 'key' && !o.verifyKeyRef && !this.publicKeyFile && o.keyRef) await this.derivePublicKey(o.keyRef)
  }

  /** A failed run: a failure a user can act on (token, Fulcio, identity, trust) gets its code and hint. */
  private checked(subcommand: string, result: ToolResult): ToolResult {
    if (result.exitCode === 0) return result
    const o = this.options
    const failure = new ToolFailure('cosign', subcommand, result)
    const explained = explainCosignFailure(
      subcommand,
      result,
      {mode: o.mode, identity: o.certificateIdentityRegexp, issuer: o.certificateOidcIssuer, sigstore: this.sigstore},
      failure.transient,
    )
    if (explained) throw explained
    throw failure
  }

  signArgs(digestRef: string): string[] {
    assertDigestRef(digestRef)
    return ['sign', ...this.signingFlags(), digestRef]
  }

  async sign(digestRef: string): Promise<void> {
    const args = this.signArgs(digestRef)
    await retryTool(
      {
        tool: 'cosign',
        subcommand: 'sign',
        failureCode: 'SIGN_FAILED',
        remoteCode: 'SIGN_REMOTE_FAILED',
        policy: this.options.retryPolicy,
      },
      async () => this.checked('sign', await this.run(args)),
    )
  }

  async verify(digestRef: string): Promise<void> {
    assertDigestRef(digestRef)
    await this.ensureVerificationKey()
    const args = ['verify', ...this.verificationFlags(), digestRef]
    await retryTool(
      {
        tool: 'cosign',
        subcommand: 'verify',
        failureCode: 'SIGNATURE_INVALID',
        remoteCode: 'VERIFY_REMOTE_FAILED',
        policy: this.options.retryPolicy,
      },
      async () => this.checked('verify', await this.run(args)),
    )
  }

  async hasValidSignature(digestRef: string): Promise<boolean> {
    assertDigestRef(digestRef)
    await this.ensureVerificationKey()
    return this.answers(['verify', ...this.verificationFlags(), digestRef], 'verify')
  }

  attestArgs(digestRef: string, type: AttestationType, predicateFile: string): string[] {
    assertDigestRef(digestRef)
    // --replace: a rerun swaps a same-type attestation instead of piling up another one.
    return ['attest', ...this.signingFlags(), '--replace', '--type', type, '--predicate', predicateFile, digestRef]
  }

  async attest(digestRef: string, type: AttestationType, predicateFile: string): Promise<void> {
    const args = this.attestArgs(digestRef, type, predicateFile)
    await retryTool(
      {
        tool: 'cosign',
        subcommand: 'attest',
        failureCode: 'ATTEST_FAILED',
        remoteCode: 'ATTEST_REMOTE_FAILED',
        policy: this.options.retryPolicy,
      },
      async () => this.checked('attest', await this.run(args)),
    )
  }

  async verifyAttestation(digestRef: string, type: AttestationType): Promise<void> {
    assertDigestRef(digestRef)
    await this.ensureVerificationKey()
    const args = ['verify-attestation', ...this.verificationFlags(), '--type', type, digestRef]
    await retryTool(
      {
        tool: 'cosign',
        subcommand: 'verify-attestation',
        failureCode: 'ATTESTATION_INVALID',
        remoteCode: 'VERIFY_REMOTE_FAILED',
        policy: this.options.retryPolicy,
      },
      async () => this.checked('verify-attestation', await this.run(args)),
    )
  }

  async hasValidAttestation(digestRef: string, type: AttestationType): Promise<boolean> {
    assertDigestRef(digestRef)
    await this.ensureVerificationKey()
    return this.answers(
      ['verify-attestation', ...this.verificationFlags(), '--type', type, digestRef],
      'verify-attestation',
    )
  }

  /**
   * `cosign verify` of a digest: `verified`; `other-signer` when it carries signatures but none verifies with this
   * key or identity (cosign's exit 12, "no matching signatures"); `unsigned` for any other refusal ("no signatures
   * found", exit 10). A transient failure is retried, then VERIFY_REMOTE_FAILED.
   */
  async signatureOf(digestRef: string): Promise<'verified' | 'other-signer' | 'unsigned'> {
    assertDigestRef(digestRef)
    await this.ensureVerificationKey()
    const result = await this.answer(['verify', ...this.verificationFlags(), digestRef], 'verify')
    if (result.exitCode === 0) return 'verified'
    return result.exitCode === COSIGN_NO_MATCHING_SIGNATURE ? 'other-signer' : 'unsigned'
  }

  /**
   * `cosign verify-attestation --type TYPE`: the DSSE envelopes that verified (cosign's stdout, one JSON document a
   * line), or null when none did (none of that type, or none signed by this key or identity).
   */
  async verifiedAttestations(digestRef: string, type: AttestationType): Promise<string | null> {
    assertDigestRef(digestRef)
    await this.ensureVerificationKey()
    const args = ['verify-attestation', ...this.verificationFlags(), '--type', type, digestRef]
    const result = await this.answer(args, 'verify-attestation')
    return result.exitCode === 0 ? result.stdout : null
  }

  /** The run's result; a transient failure is retried (then VERIFY_REMOTE_FAILED), any other is returned. */
  private async answer(args: string[], subcommand: string): Promise<ToolResult> {
    return retryTool(
      {
        tool: 'cosign',
        subcommand,
        failureCode: 'VERIFY_FAILED',
        remoteCode: 'VERIFY_REMOTE_FAILED',
        policy: this.options.retryPolicy,
      },
      async () => {
        const result = await this.run(args)
        if (result.exitCode !== 0 && new ToolFailure('cosign', subcommand, result).transient) {
          throw new ToolFailure('cosign', subcommand, result)
        }
        return result
      },
    )
  }

  /** exit 0 → true; a transient failure is retried; any other failure ("no signatures found", wrong key) → false. */
  private async answers(args: string[], subcommand: string): Promise<boolean> {
    return (await this.answer(args, subcommand)).exitCode === 0
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
