/**
 * cosign's arguments for one run, as each major version takes them. cosign 2: the service and trust flags
 * (`--fulcio-url`, `--rekor-url`, `--tlog-upload=false`, `--ca-roots`, `--timestamp-certificate-chain`) and the
 * private Sigstore's trust in its environment. cosign 3 refuses those beside its signing config: it is given a
 * signing config and a trusted root (./trust.ts) instead, and finds either storage format by itself.
 */
import type {SigstoreSettings} from '../../core/sigstore.js'
import type {CosignSignerOptions} from './preflight.js'
import type {CosignVersion} from './version.js'

/** The files of a cosign 3 run (absent: cosign's own defaults, the public Sigstore's through TUF). */
export interface TrustFiles {
  signingConfig?: string
  trustedRoot?: string
}

/** What is known of the run once cosign's version is read: the version, its files, the key to verify with. */
export interface CosignRun {
  version: CosignVersion
  files: TrustFiles
  /** Key mode: the public key derived from the private key (`cosign public-key`), when none was given. */
  publicKeyFile?: string
}

type Options = Pick<
  CosignSignerOptions,
  | 'mode'
  | 'keyRef'
  | 'verifyKeyRef'
  | 'tlog'
  | 'insecureRegistry'
  | 'sigstore'
  | 'certificateIdentityRegexp'
  | 'certificateOidcIssuer'
  | 'certificateOidcIssuerRegexp'
>

function registryFlags(o: Options): string[] {
  // --allow-http-registry: plain HTTP to non-loopback hosts; --allow-insecure-registry: TLS without verification.
  return o.insecureRegistry ? ['--allow-http-registry', '--allow-insecure-registry'] : []
}

/** Flags of `sign` / `attest`. */
export function signingFlags(o: Options, run: CosignRun): string[] {
  const s: SigstoreSettings = o.sigstore ?? {}
  const keyless = o.mode === 'keyless'
  const key = o.mode === 'key' ? ['--key', o.keyRef ?? ''] : []
  if (run.version.major === 3) {
    return [
      '--yes',
      ...key,
      ...(run.files.signingConfig ? ['--signing-config', run.files.signingConfig] : []),
      ...(run.files.trustedRoot ? ['--trusted-root', run.files.trustedRoot] : []),
      ...registryFlags(o),
    ]
  }
  return [
    '--yes',
    ...key,
    ...(keyless && s.fulcioUrl ? ['--fulcio-url', s.fulcioUrl] : []),
    ...(keyless && s.insecureIgnoreSct ? ['--insecure-skip-verify'] : []),
    ...(o.tlog ? (s.rekorUrl ? ['--rekor-url', s.rekorUrl] : []) : ['--tlog-upload=false']),
    ...(s.timestampServerUrl ? ['--timestamp-server-url', s.timestampServerUrl] : []),
    ...registryFlags(o),
  ]
}

/** Flags of `verify` / `verify-attestation`. */
export function verificationFlags(o: Options, run: CosignRun): string[] {
  const s: SigstoreSettings = o.sigstore ?? {}
  const keyless = o.mode === 'keyless'
  const identity = keyless
    ? [
        '--certificate-identity-regexp',
        o.certificateIdentityRegexp ?? '',
        ...(o.certificateOidcIssuerRegexp !== undefined
          ? ['--certificate-oidc-issuer-regexp', o.certificateOidcIssuerRegexp]
          : ['--certificate-oidc-issuer', o.certificateOidcIssuer ?? '']),
      ]
    : ['--key', o.verifyKeyRef ?? run.publicKeyFile ?? o.keyRef ?? '']
  const ignoreSct = keyless && s.insecureIgnoreSct ? ['--insecure-ignore-sct'] : []
  if (run.version.major === 3) {
    return [
      ...identity,
      ...(run.files.trustedRoot ? ['--trusted-root', run.files.trustedRoot] : []),
      ...ignoreSct,
      ...(o.tlog ? [] : ['--insecure-ignore-tlog']),
      ...(s.timestampCertificateChain ? ['--use-signed-timestamps'] : []),
      ...registryFlags(o),
    ]
  }
  return [
    ...identity,
    ...(keyless && s.caRoots ? ['--ca-roots', s.caRoots] : []),
    ...ignoreSct,
    ...(o.tlog ? (s.rekorUrl ? ['--rekor-url', s.rekorUrl] : []) : ['--insecure-ignore-tlog']),
    ...(s.timestampCertificateChain
      ? ['--use-signed-timestamps', '--timestamp-certificate-chain', s.timestampCertificateChain]
      : []),
    ...registryFlags(o),
  ]
}

/**
 * `attest`'s own flags. cosign 2 stores attestations in one `.att` image: `--replace` swaps a same-type one instead of
 * piling up another. cosign 3 stores each as a referrer and deprecates `--replace`: publish attests only where no
 * attestation of the type verifies, so a re-run adds none.
 */
export function attestFlags(run: CosignRun): string[] {
  return run.version.major === 3 ? [] : ['--replace']
}

/** cosign 2 reads a private Sigstore's trust from its environment; cosign 3 from the trusted root it is given. */
export function trustEnv(o: Options, run: CosignRun): Record<string, string> {
  if (run.version.major === 3) return {}
  const s: SigstoreSettings = o.sigstore ?? {}
  return {
    ...(s.caRoots ? {SIGSTORE_ROOT_FILE: s.caRoots} : {}),
    ...(s.rekorPublicKey ? {SIGSTORE_REKOR_PUBLIC_KEY: s.rekorPublicKey} : {}),
  }
}
