import {writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {AmeideError} from '../../src/core/errors.js'
import {resolveSigstore, SIGSTORE_VERIFY_KEYS} from '../../src/core/sigstore.js'
import {signingFlags, verificationFlags, type CosignRun} from '../../src/effects/cosign/flags.js'
import type {CosignSignerOptions} from '../../src/effects/cosign/preflight.js'
import {checkSigstoreFiles, checkTrustedTime} from '../../src/effects/cosign/failures.js'
import {makeTempDir, runCleanups} from '../support/tmp.js'

/**
 * The private-Sigstore model: flags over ameide.yaml, what reaches cosign (flags and SIGSTORE_* variables), and the
 * checks before any build. The end-to-end behaviour with the real cosign is test/publish/keyless-e2e.test.ts.
 */
let tmp: string
beforeAll(async () => {
  tmp = await makeTempDir('ameide-sigstore-')
})
afterAll(runCleanups)

function codeOf(fn: () => unknown): {code: string; exitCode: number; message: string; hints: string[]} {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(AmeideError)
    return error as AmeideError
  }
  throw new Error('expected an AmeideError')
}

describe('resolveSigstore: flags over signing.sigstore', () => {
  it('a flag wins over its key; config files are relative to the repository root; absent keys stay absent', () => {
    const settings = resolveSigstore(
      {'fulcio-url': 'https://fulcio.internal', 'insecure-ignore-sct': undefined},
      {fulcioUrl: 'https://ignored', caRoots: 'sigstore/roots.pem', insecureIgnoreSct: true},
      '/repo',
    )
    expect(settings).toEqual({
      fulcioUrl: 'https://fulcio.internal',
      caRoots: path.resolve('/repo', 'sigstore/roots.pem'),
      insecureIgnoreSct: true,
    })
  })

  it('the verifying subset drops the signing-only keys', () => {
    const settings = resolveSigstore(
      {'fulcio-url': 'https://f', 'timestamp-server-url': 'https://t', 'rekor-url': 'https://r'},
      {},
      '/repo',
      SIGSTORE_VERIFY_KEYS,
    )
    expect(settings).toEqual({rekorUrl: 'https://r'})
  })

  it('a URL that is not http(s), or carries credentials, is exit 2 INVALID_SIGSTORE_SETTING (never echoed back)', () => {
    expect(codeOf(() => resolveSigstore({'rekor-url': 'ftp://rekor'}, {}, '/'))).toMatchObject({
      code: 'INVALID_SIGSTORE_SETTING',
      exitCode: 2,
    })
    expect(codeOf(() => resolveSigstore({'rekor-url': 'not a url'}, {}, '/')).code).toBe('INVALID_SIGSTORE_SETTING')
    const withSecret = codeOf(() => resolveSigstore({}, {fulcioUrl: 'https://user:s3cret-pw@fulcio.internal'}, '/'))
    expect(withSecret.code).toBe('INVALID_SIGSTORE_SETTING')
    expect(withSecret.message).not.toContain('s3cret-pw')
  })
})

const options = (o: CosignSignerOptions) => o
const V2: CosignRun = {version: {major: 2, text: 'v2.5.0'}, files: {}}

describe('what cosign receives', () => {
  const sigstore = {
    fulcioUrl: 'https://fulcio.internal',
    rekorUrl: 'https://rekor.internal',
    rekorPublicKey: '/trust/rekor.pub',
    timestampServerUrl: 'https://tsa.internal/api/v1/timestamp',
    timestampCertificateChain: '/trust/tsa-chain.pem',
    caRoots: '/trust/fulcio-roots.pem',
    insecureIgnoreSct: true,
  }
  const keyless = (tlog: boolean) =>
    options({
      mode: 'keyless',
      tlog,
      insecureRegistry: false,
      certificateIdentityRegexp: '^https://github\\.com/o/r/',
      certificateOidcIssuer: 'https://token.actions.githubusercontent.com',
      sigstore,
      env: {},
    })

  it('keyless with Rekor: sign and verify flags with cosign’s names', () => {
    expect(signingFlags(keyless(true), V2)).toEqual([
      '--yes',
      '--fulcio-url',
      'https://fulcio.internal',
      '--insecure-skip-verify',
      '--rekor-url',
      'https://rekor.internal',
      '--timestamp-server-url',
      'https://tsa.internal/api/v1/timestamp',
    ])
    expect(verificationFlags(keyless(true), V2)).toEqual([
      '--certificate-identity-regexp', '^https://github\\.com/o/r/',
      '--certificate-oidc-issuer', 'https://token.actions.githubusercontent.com',
      '--ca-roots', '/trust/fulcio-roots.pem',
      '--insecure-ignore-sct',
      '--rekor-url', 'https://rekor.internal',
      '--use-signed-timestamps', '--timestamp-certificate-chain', '/trust/tsa-chain.pem',
    ]) // prettier-ignore
  })

  it('keyless with a timestamp authority and no tlog: no Rekor on either side', () => {
    expect(signingFlags(keyless(false), V2)).toContain('--tlog-upload=false')
    expect(signingFlags(keyless(false), V2)).not.toContain('--rekor-url')
    expect(verificationFlags(keyless(false), V2)).toContain('--insecure-ignore-tlog')
    expect(verificationFlags(keyless(false), V2)).not.toContain('--rekor-url')
  })

  it('key mode never gets the keyless-only flags (Fulcio, CA roots, SCT)', () => {
    const signer = options({
      mode: 'key',
      keyRef: 'k',
      verifyKeyRef: 'k.pub',
      tlog: true,
      insecureRegistry: false,
      sigstore,
      env: {},
    })
    for (const flags of [signingFlags(signer, V2), verificationFlags(signer, V2)]) {
      expect(flags).not.toContain('--fulcio-url')
      expect(flags).not.toContain('--ca-roots')
      expect(flags.join(' ')).not.toMatch(/sct|skip-verify/)
    }
    expect(signingFlags(signer, V2)).toContain('--timestamp-server-url')
  })
})

describe('checks before any build', () => {
  it('keyless --no-tlog: refused without a timestamp authority, and without its chain; accepted with both', () => {
    const none = codeOf(() => checkTrustedTime(false, {}))
    expect(none).toMatchObject({code: 'KEYLESS_REQUIRES_TLOG', exitCode: 2})
    expect(none.message).toMatch(/valid for minutes/)
    expect(codeOf(() => checkTrustedTime(false, {timestampServerUrl: 'https://tsa'})).hints.join(' ')).toContain(
      '--timestamp-certificate-chain',
    )
    expect(() =>
      checkTrustedTime(false, {timestampServerUrl: 'https://tsa', timestampCertificateChain: 'c.pem'}),
    ).not.toThrow()
    expect(() => checkTrustedTime(true, {})).not.toThrow()
  })

  it('a missing Sigstore file is exit 3 SIGSTORE_FILE_UNREADABLE naming the flag', async () => {
    const present = path.join(tmp, 'roots.pem')
    await writeFile(present, '-----BEGIN CERTIFICATE-----\n')
    await expect(checkSigstoreFiles({caRoots: present})).resolves.toBeUndefined()
    const error = await checkSigstoreFiles({caRoots: present, rekorPublicKey: path.join(tmp, 'nope.pub')}).catch(
      (e: AmeideError) => e,
    )
    expect(error).toMatchObject({code: 'SIGSTORE_FILE_UNREADABLE', exitCode: 3})
    expect((error as AmeideError).message).toContain('--rekor-public-key')
  })
})

describe('signing.sigstore in ameide.yaml', () => {
  it('is read and validated with the rest of the file', async () => {
    const {loadConfig} = await import('../../src/core/config.js')
    const {mkdir} = await import('node:fs/promises')
    const good = path.join(tmp, 'good')
    await mkdir(good, {recursive: true})
    await writeFile(
      path.join(good, 'ameide.yaml'),
      'signing:\n  sigstore:\n    fulcioUrl: https://fulcio.internal\n    caRoots: trust/roots.pem\n    insecureIgnoreSct: true\n',
    )
    expect((await loadConfig(good)).config.signing.sigstore).toEqual({
      fulcioUrl: 'https://fulcio.internal',
      caRoots: 'trust/roots.pem',
      insecureIgnoreSct: true,
    })
    const bad = path.join(tmp, 'bad')
    await mkdir(bad, {recursive: true})
    await writeFile(path.join(bad, 'ameide.yaml'), 'signing:\n  sigstore:\n    fulcio: https://fulcio.internal\n')
    await expect(loadConfig(bad)).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('fulcio'),
    })
  })
})

describe('at the door (the built CLI)', () => {
  it('Sigstore flags without --evidence, and a bad URL, are exit 2 before cosign or a registry is asked', async () => {
    const {runCli} = await import('../support/cli.js')
    const {initGitRepo} = await import('../support/tmp.js')
    const repo = path.join(tmp, 'door')
    const {mkdir} = await import('node:fs/promises')
    await mkdir(repo, {recursive: true})
    await initGitRepo(repo)
    const alone = await runCli(['gitops', 'verify', '--json', '--insecure-ignore-sct'], {cwd: repo})
    expect(alone.exitCode).toBe(2)
    expect(alone.json().error.message).toContain('--insecure-ignore-sct only applies with --evidence')
    const badUrl = await runCli(['primitive', 'publish', '--json', '--keyless', '--fulcio-url', 'ftp://fulcio'], {
      cwd: repo,
    })
    expect(badUrl.exitCode).toBe(2)
    expect(badUrl.json().error.code).toBe('INVALID_SIGSTORE_SETTING')
  })
})
