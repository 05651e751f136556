import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import type {SigstoreSettings} from '../../../src/core/sigstore.js'
import {signingFlags, verificationFlags, type CosignRun} from '../../../src/effects/cosign/flags.js'
import {verifyOutcome} from '../../../src/effects/cosign/outcomes.js'
import {signingConfig, trustIsLocal} from '../../../src/effects/cosign/trust.js'
import {parseGitVersion} from '../../../src/effects/cosign/version.js'

/**
 * cosign 2 and 3 in process: which version a `cosign version --json` names, what a verification's words mean (the
 * messages are cosign's own, captured from runs of 2.5.0 and 3.1.3 against the registries of the suites), and the
 * flags each version is given — cosign 3 never the ones it refuses beside a signing config.
 */
const result = (exitCode: number, stderr: string) => ({exitCode, stdout: '', stderr, timedOut: false})

describe('the version', () => {
  it('a release names its major; a distribution build (devel) names none; 4 and later speak as 3', () => {
    expect(parseGitVersion('{"gitVersion": "v3.1.3"}')).toEqual({major: 3, text: 'v3.1.3'})
    expect(parseGitVersion('{"gitVersion": "v2.5.0"}')).toEqual({major: 2, text: 'v2.5.0'})
    expect(parseGitVersion('{"gitVersion": "2.6.1"}')).toEqual({major: 2, text: '2.6.1'})
    expect(parseGitVersion('{"gitVersion": "v4.0.0"}')?.major).toBe(3)
    expect(parseGitVersion('{"gitVersion": "devel"}')).toBeUndefined()
    expect(parseGitVersion('not json')).toBeUndefined()
  })
})

describe('what a verification means', () => {
  it('nothing stored: exit 10, or no attestation of the type (cosign 3), or none at all (cosign 2)', () => {
    expect(verifyOutcome(result(10, 'Error: no signatures found'))).toEqual({status: 'none'})
    const noneOfType =
      'Error: none of the attestations matched the predicate type: slsaprovenance1, found: https://sigstore.dev/cosign/sign/v1'
    expect(verifyOutcome(result(1, noneOfType))).toEqual({status: 'none'})
    expect(verifyOutcome(result(1, 'Error: no matching attestations: \n'))).toEqual({status: 'none'})
  })

  it('another signer: cosign 2 exits 12, cosign 3 exits 1 with a reason', () => {
    const v2 = 'Error: no matching signatures: invalid signature when validating ASN.1 encoded signature'
    expect(verifyOutcome(result(12, v2))).toMatchObject({status: 'other-signer'})
    const v3 =
      'error during command execution: no matching attestations: failed to verify signature: could not verify envelope: accepted signatures do not match threshold, Found: 0, Expected 1'
    expect(verifyOutcome(result(1, v3))).toEqual({
      status: 'other-signer',
      reason:
        'no matching attestations: failed to verify signature: could not verify envelope: accepted signatures do not match threshold, Found: 0, Expected 1',
    })
  })

  it('a signature about another image, in either format, is tampered — never another signer', () => {
    const v2 = 'Error: no matching signatures: invalid or missing digest in claim: sha256:1508'
    expect(verifyOutcome(result(12, v2)).status).toBe('tampered')
    const v3 =
      'Error: no matching attestations: failed to verify signature: provided artifact digest does not match any digest in statement'
    expect(verifyOutcome(result(1, v3)).status).toBe('tampered')
  })

  it('cosign that could not run is failed, whatever it says, never a verdict on the image', () => {
    for (const stderr of [
      'Error: --tlog-upload=false is not supported with --signing-config or --use-signing-config.',
      'Error: cannot specify service URLs and use signing config',
      'Error: loading verifier from key opts: loading public key: open nonexist.pub: no such file or directory',
      'Error: unsupported: CA roots/intermediates must be provided using --trusted-root when using --new-bundle-format',
    ])
      expect(verifyOutcome(result(1, stderr)).status).toBe('failed')
  })
})

const settings: fc.Arbitrary<SigstoreSettings> = fc.record(
  {
    fulcioUrl: fc.constant('https://fulcio.internal'),
    rekorUrl: fc.constant('https://rekor.internal'),
    rekorPublicKey: fc.constant('/trust/rekor.pub'),
    timestampServerUrl: fc.constant('https://tsa.internal/api/v1/timestamp'),
    timestampCertificateChain: fc.constant('/trust/tsa.pem'),
    caRoots: fc.constant('/trust/roots.pem'),
    insecureIgnoreSct: fc.constant(true),
  },
  {requiredKeys: []},
)
const V3: CosignRun = {
  version: {major: 3, text: 'v3.1.3'},
  files: {signingConfig: '/t/sc.json', trustedRoot: '/t/tr.json'},
}
const REFUSED_BY_COSIGN_3 = [
  '--tlog-upload=false',
  '--fulcio-url',
  '--rekor-url',
  '--timestamp-server-url',
  '--ca-roots',
  '--timestamp-certificate-chain',
  '--insecure-skip-verify',
  '--replace',
]

describe('what cosign 3 is given', () => {
  it('never a flag it refuses or deprecates, for any settings, mode and log choice (property)', () => {
    fc.assert(
      fc.property(settings, fc.constantFrom('key', 'keyless'), fc.boolean(), (sigstore, mode, tlog) => {
        const o = {mode, tlog, sigstore, keyRef: 'k', insecureRegistry: false} as const
        const flags = [...signingFlags(o, V3), ...verificationFlags(o, V3)]
        for (const refused of REFUSED_BY_COSIGN_3) expect(flags).not.toContain(refused)
        expect(signingFlags(o, V3)).toEqual(expect.arrayContaining(['--signing-config', '/t/sc.json']))
        expect(verificationFlags(o, V3)).toEqual(expect.arrayContaining(['--trusted-root', '/t/tr.json']))
        expect(verificationFlags(o, V3).includes('--insecure-ignore-tlog')).toBe(!tlog)
      }),
    )
  })

  it('a signing config names exactly the services of the run: Fulcio when keyless, Rekor with the log, the TSA when set', () => {
    fc.assert(
      fc.property(settings, fc.boolean(), fc.boolean(), (sigstore, keyless, tlog) => {
        const config = signingConfig(sigstore, {keyless, tlog}) as Record<string, {url: string}[]>
        expect(config.caUrls.map((s) => s.url)).toEqual(
          keyless ? [sigstore.fulcioUrl ?? 'https://fulcio.sigstore.dev'] : [],
        )
        expect(config.rekorTlogUrls.map((s) => s.url)).toEqual(
          tlog ? [sigstore.rekorUrl ?? 'https://rekor.sigstore.dev'] : [],
        )
        expect(config.tsaUrls.map((s) => s.url)).toEqual(
          sigstore.timestampServerUrl ? [sigstore.timestampServerUrl] : [],
        )
      }),
    )
  })

  it('the trust is local only where every piece the run needs is a file of the user’s', () => {
    expect(trustIsLocal({}, {keyless: false, tlog: false})).toBe(true)
    expect(trustIsLocal({}, {keyless: false, tlog: true})).toBe(false) // the public Rekor's key: TUF
    expect(trustIsLocal({rekorPublicKey: 'r'}, {keyless: false, tlog: true})).toBe(true)
    expect(trustIsLocal({}, {keyless: true, tlog: false})).toBe(false) // the public Fulcio's roots: TUF
    expect(trustIsLocal({caRoots: 'c', timestampServerUrl: 'u'}, {keyless: true, tlog: false})).toBe(false)
    expect(
      trustIsLocal(
        {caRoots: 'c', timestampServerUrl: 'u', timestampCertificateChain: 't'},
        {keyless: true, tlog: false},
      ),
    ).toBe(true)
  })
})
