import {mkdir, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli, type CliRun} from '../support/cli.js'
import {freePort, startRegistry, writeDockerConfig, type Registry} from '../support/registry.js'
import {assertMatchesSchema} from '../support/schema.js'
import {GITHUB_ISSUER, startPrivateSigstore, type PrivateSigstore} from '../support/sigstore/index.js'
import {commitAll, initGitRepo, makeTempDir, registerCleanup, runCleanups} from '../support/tmp.js'
import {TimestampAuthority} from '../support/sigstore/tsa.js'
import {COSIGN_UNDER_TEST, requireTools} from '../support/toolchain.js'
import {buildSetup, createMonorepo, publishCli, type Monorepo} from './fixture.js'

/**
 * Keyless signing end to end: the real cosign, the real registry, and a private Sigstore on loopback
 * (test/support/sigstore/: GitHub Actions' OIDC token endpoint, Fulcio, Rekor, OpenSSL's timestamp authority, each
 * checking its API contract). One component, four builds in all: commit 1 is published with Rekor, commit 2 is built
 * by the first error case and reused by the others (each finds no valid signature for its identity), commit 3 is signed with the timestamp
 * authority and no tlog, commit 4 outside Actions with SIGSTORE_ID_TOKEN.
 * Every CLI output is kept and grepped for the request token and the identity tokens at the end.
 */
const REPOSITORY = 'ameideio/keyless-demo'
const OUR_WORKFLOW = `${REPOSITORY}/.github/workflows/publish.yaml@refs/heads/main`

let registry: Registry
let sigstore: PrivateSigstore
let repo: Monorepo
let env: Record<string, string>
let ns: string
let tmp: string
const outputs: string[] = []

type Report = {
  signing: Record<string, unknown>
  images: {
    component: string
    ref: string
    action: string
    signature: {status: string; verified: boolean}
    attestations: {type: string; status: string}[]
  }[]
  failures: {component: string; code: string; message: string; exitCode: number; hints?: string[]}[]
}
type ErrorDoc = {error: {code: string; message: string; exitCode: number; hints: string[]}}

beforeAll(async () => {
  requireTools('buildah', 'docker-registry', 'cosign', 'openssl', 'skopeo')
  tmp = await makeTempDir('ameide-keyless-e2e-')
  registry = await startRegistry()
  sigstore = await startPrivateSigstore(path.join(tmp, 'sigstore'), REPOSITORY)
  const setup = await buildSetup(tmp, registry)
  const dockerConfig = path.join(tmp, 'docker-config')
  await writeDockerConfig(registry, dockerConfig)
  env = {
    ...setup.env,
    DOCKER_CONFIG: dockerConfig,
    TUF_ROOT: path.join(tmp, 'tuf'),
    ...sigstore.actionsEnv(REPOSITORY),
  }
  ns = `${registry.host}/keyless`
  repo = await createMonorepo(path.join(tmp, 'mono'), setup.base, registry.host, ['domain/orders'])
}, 180_000)
afterAll(runCleanups)

/** The private Fulcio every case signs with (no CT log: --insecure-ignore-sct). */
const fulcioFlags = (caRoots = sigstore.files.caRoots) => [
  '--fulcio-url',
  sigstore.fulcio.url,
  '--ca-roots',
  caRoots,
  '--insecure-ignore-sct',
]
const rekorFlags = () => ['--rekor-url', sigstore.rekor.url, '--rekor-public-key', sigstore.files.rekorPublicKey]
const tsaFlags = () => [
  '--no-tlog',
  '--timestamp-server-url',
  `${sigstore.tsa.url}/api/v1/timestamp`,
  '--timestamp-certificate-chain',
  sigstore.files.tsaChain,
]

async function publish(args: string[], extraEnv: Record<string, string> = {}): Promise<CliRun> {
  const run = await publishCli(repo.dir, ns, ['--keyless', '--sbom', 'none', ...args], {...env, ...extraEnv})
  outputs.push(run.stdout, run.stderr)
  return run
}

function failureOf(run: CliRun): Report['failures'][number] {
  const report = run.json<Report>()
  assertMatchesSchema('publish.schema.json', report)
  expect(report.failures, run.stdout).toHaveLength(1)
  return report.failures[0]
}

let signedRef: string
let timestampedRef: string

describe('primitive publish --keyless, private Sigstore (real cosign)', () => {
  it('with Rekor: signs and attests keyless, verified with the identity of this repository’s workflows', async () => {
    const rekorBefore = sigstore.rekor.entries.length
    const run = await publish([...fulcioFlags(), ...rekorFlags()])
    expect(run.exitCode, run.stderr + run.stdout.slice(0, 3000)).toBe(0)
    const report = run.json<Report>()
    assertMatchesSchema('publish.schema.json', report)
    expect(report.signing).toEqual({
      enabled: true,
      mode: 'keyless',
      tlog: true,
      sigstore: {
        fulcioUrl: sigstore.fulcio.url,
        rekorUrl: sigstore.rekor.url,
        rekorPublicKey: sigstore.files.rekorPublicKey,
        caRoots: sigstore.files.caRoots,
        insecureIgnoreSct: true,
      },
    })
    const [image] = report.images
    expect(image.signature).toMatchObject({status: 'signed', verified: true})
    expect(image.attestations.find((a) => a.type === 'slsaprovenance1')).toMatchObject({status: 'attested'})
    // one certificate and one log entry per signature: the image's and the provenance attestation's
    expect(sigstore.fulcio.issuedFor.slice(-2)).toEqual([
      `https://github.com/${OUR_WORKFLOW}`,
      `https://github.com/${OUR_WORKFLOW}`,
    ])
    expect(sigstore.rekor.entries.length - rekorBefore).toBe(2)
    expect(sigstore.violations()).toEqual([])
    signedRef = image.ref
  })

  it('keyless with --no-tlog and no timestamp authority is refused before any build, saying why', async () => {
    const run = await publish([...fulcioFlags(), '--no-tlog'])
    expect(run.exitCode).toBe(2)
    const {error} = run.json<ErrorDoc>()
    expect(error.code).toBe('KEYLESS_REQUIRES_TLOG')
    expect(error.message).toMatch(/timestamp authority/)
    expect(error.hints.join(' ')).toMatch(/--timestamp-server-url/)
  })

  describe('errors, on one unsigned image (commit 2)', () => {
    beforeAll(async () => {
      await repo.touch('domain/orders', 'domain/orders v2\n')
      await commitAll(repo.dir, 'change orders')
    })
    const sign = () => publish([...fulcioFlags(), ...rekorFlags()])

    for (const status of [403, 401] as const) {
      it(`the token endpoint answering ${status}: exit 3 OIDC_TOKEN_REFUSED before any build, hint \`permissions: id-token: write\``, async () => {
        sigstore.oidc.behaviour.refuse = status
        const run = await sign().finally(() => (sigstore.oidc.behaviour.refuse = undefined))
        expect(run.exitCode, run.stdout).toBe(3)
        const {error} = run.json<ErrorDoc>()
        expect(error.code).toBe('OIDC_TOKEN_REFUSED')
        expect(error.message).toContain(String(status))
        expect(error.hints.join(' ')).toContain('permissions: id-token: write')
      })
    }

    it('the token endpoint refusing in the middle of the run (cosign falls back to a login): OIDC_TOKEN_REFUSED', async () => {
      sigstore.oidc.behaviour.refuseAfter = 1 // the preflight's token, then 403
      const run = await sign().finally(() => {
        sigstore.oidc.behaviour.refuse = undefined
        sigstore.oidc.behaviour.refuseAfter = undefined
      })
      expect(run.exitCode, run.stdout).toBe(3)
      const failure = failureOf(run)
      expect(failure).toMatchObject({code: 'OIDC_TOKEN_REFUSED', exitCode: 3})
      expect(failure.hints?.join(' ')).toContain('permissions: id-token: write')
    })

    it('Fulcio refusing the token: exit 3 FULCIO_REFUSED_TOKEN', async () => {
      sigstore.fulcio.refuseTokens = true
      const run = await sign().finally(() => (sigstore.fulcio.refuseTokens = false))
      expect(run.exitCode, run.stdout).toBe(3)
      const failure = failureOf(run)
      expect(failure.code).toBe('FULCIO_REFUSED_TOKEN')
      expect(failure.message).toContain(sigstore.fulcio.url)
    })

    it('a certificate for another repository’s workflow is a failure (SIGNER_IDENTITY_MISMATCH), never a success', async () => {
      sigstore.oidc.behaviour.jobWorkflowRef = 'someone/else/.github/workflows/release.yaml@refs/heads/main'
      const run = await sign().finally(() => (sigstore.oidc.behaviour.jobWorkflowRef = OUR_WORKFLOW))
      expect(run.exitCode, run.stdout).toBe(1)
      const failure = failureOf(run)
      expect(failure.code, failure.message).toBe('SIGNER_IDENTITY_MISMATCH')
      expect(failure.message).toContain(`^https://github\\.com/${REPOSITORY.replace('.', '\\.')}/`)
      expect(failure.hints?.join(' ')).toMatch(/another workflow or repository/)
      expect(run.json<Report>().images).toEqual([])
      expect(sigstore.fulcio.issuedFor.at(-1)).toBe(
        'https://github.com/someone/else/.github/workflows/release.yaml@refs/heads/main',
      )
    })

    for (const service of ['fulcio', 'rekor', 'tsa'] as const) {
      it(`an unreachable ${service}: retried with the backoff, then exit 4 SIGN_REMOTE_FAILED`, async () => {
        const closed = `http://127.0.0.1:${await freePort()}`
        const flags =
          service === 'fulcio'
            ? ['--fulcio-url', closed, '--ca-roots', sigstore.files.caRoots, '--insecure-ignore-sct', ...rekorFlags()]
            : service === 'rekor'
              ? [...fulcioFlags(), '--rekor-url', closed, '--rekor-public-key', sigstore.files.rekorPublicKey]
              : [...fulcioFlags(), ...tsaFlags().map((f) => f.replace(sigstore.tsa.url, closed))]
        const run = await publish(flags)
        expect(run.exitCode, run.stdout).toBe(4)
        const failure = failureOf(run)
        expect(failure.code).toBe('SIGN_REMOTE_FAILED')
        expect(failure.message).toMatch(/gave up after \d+ attempts/)
      })
    }

    // Last on this image: the signature it makes is valid for the right roots.
    it('a trusted root that does not verify the chain: exit 3 CERTIFICATE_CHAIN_UNTRUSTED', async () => {
      const run = await publish([...fulcioFlags(sigstore.files.otherRoots), ...rekorFlags()])
      expect(run.exitCode, run.stdout).toBe(3)
      const failure = failureOf(run)
      expect(failure.code).toBe('CERTIFICATE_CHAIN_UNTRUSTED')
      expect(failure.hints?.join(' ')).toContain(`--ca-roots (${sigstore.files.otherRoots})`)
    })
  })

  it('with a timestamp authority and no transparency log (commit 3): signs keyless, Rekor untouched', async () => {
    await repo.touch('domain/orders', 'domain/orders v3\n')
    await commitAll(repo.dir, 'change orders again')
    const rekorBefore = sigstore.rekor.entries.length
    const repliesBefore = sigstore.tsa.replies.length
    const run = await publish([...fulcioFlags(), ...tsaFlags()])
    expect(run.exitCode, run.stderr + run.stdout.slice(0, 3000)).toBe(0)
    const report = run.json<Report>()
    assertMatchesSchema('publish.schema.json', report)
    expect(report.signing).toMatchObject({mode: 'keyless', tlog: false})
    expect(report.signing.sigstore).toMatchObject({
      timestampServerUrl: `${sigstore.tsa.url}/api/v1/timestamp`,
      timestampCertificateChain: sigstore.files.tsaChain,
    })
    expect(report.images[0].signature).toMatchObject({status: 'signed', verified: true})
    expect(report.images[0].attestations.find((a) => a.type === 'slsaprovenance1')).toMatchObject({status: 'attested'})
    timestampedRef = report.images[0].ref
    expect(sigstore.rekor.entries.length).toBe(rekorBefore)
    expect(sigstore.tsa.replies.length - repliesBefore).toBe(2)
    expect(sigstore.violations()).toEqual([])
  })
})

/** A GitOps checkout whose one values file pins `ref`. */
async function gitopsCheckout(name: string, ref: string): Promise<string> {
  const dir = path.join(tmp, name)
  await mkdir(path.join(dir, 'sources/values/env/local/apps'), {recursive: true})
  await initGitRepo(dir)
  await writeFile(path.join(dir, 'sources/values/env/local/apps/orders.yaml'), `image:\n  ref: ${ref}\n`)
  await commitAll(dir, 'refs')
  return dir
}

describe('primitive publish --keyless outside GitHub Actions', () => {
  it('signs with the identity token in SIGSTORE_ID_TOKEN and verifies with the identity flags (commit 4)', async () => {
    await repo.touch('domain/orders', 'domain/orders v4\n')
    await commitAll(repo.dir, 'change orders once more')
    const token = sigstore.oidc.mint()
    const run = await publish(
      [
        ...fulcioFlags(),
        ...rekorFlags(),
        '--certificate-identity-regexp',
        `^https://github\\.com/${REPOSITORY.replace('.', '\\.')}/`,
        '--certificate-oidc-issuer',
        GITHUB_ISSUER,
      ],
      {
        GITHUB_ACTIONS: '',
        ACTIONS_ID_TOKEN_REQUEST_URL: '',
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: '',
        SIGSTORE_ID_TOKEN: token,
      },
    )
    expect(run.exitCode, run.stderr + run.stdout.slice(0, 3000)).toBe(0)
    expect(run.json<Report>().images[0].signature).toMatchObject({status: 'signed', verified: true})
    expect(sigstore.violations()).toEqual([])
  })
})

describe('gitops verify --evidence with a private Sigstore (keyless)', () => {
  let gitops: string
  beforeAll(async () => {
    gitops = await gitopsCheckout('gitops', signedRef)
  })

  /** `gitops verify --evidence` of the signed ref for `identity`; the private Sigstore from flags unless `fromConfig`. */
  const verify = async (identity: string, fromConfig = false) => {
    const sigstoreFlags = fromConfig
      ? []
      : [
          '--ca-roots',
          sigstore.files.caRoots,
          '--insecure-ignore-sct',
          '--rekor-url',
          sigstore.rekor.url,
          '--rekor-public-key',
          sigstore.files.rekorPublicKey,
        ]
    const run = await runCli(
      [
        'gitops',
        'verify',
        '--json',
        '--evidence',
        '--rule',
        'unsigned',
        '--certificate-identity-regexp',
        identity,
        '--certificate-oidc-issuer',
        GITHUB_ISSUER,
        ...sigstoreFlags,
      ],
      {cwd: gitops, env: {...env, GITHUB_ACTIONS: ''}},
    )
    outputs.push(run.stdout, run.stderr)
    return run
  }

  it('passes for the identity that signed', async () => {
    const run = await verify(`^https://github\\.com/${REPOSITORY.replace('.', '\\.')}/`)
    expect(run.exitCode, run.stdout).toBe(0)
    const result = run.json()
    assertMatchesSchema('gitops-verify.schema.json', result)
    expect(result.evidence[0]).toMatchObject({image: signedRef.replace(/:[0-9a-f]{40}@/, '@'), signed: true})
  })

  it('fails for another identity', async () => {
    const run = await verify('^https://github\\.com/someone/else/')
    expect(run.exitCode, run.stdout).toBe(1)
    expect(run.json().evidence[0]).toMatchObject({signed: false})
  })

  it('reads the settings from signing.sigstore in ameide.yaml, files relative to the checkout', async () => {
    await writeFile(
      path.join(gitops, 'ameide.yaml'),
      `signing:\n  sigstore:\n    caRoots: ${path.relative(gitops, sigstore.files.caRoots)}\n    insecureIgnoreSct: true\n` +
        `    rekorUrl: ${sigstore.rekor.url}\n    rekorPublicKey: ${path.relative(gitops, sigstore.files.rekorPublicKey)}\n`,
    )
    const run = await verify(`^https://github\\.com/${REPOSITORY.replace('.', '\\.')}/`, true)
    expect(run.exitCode, run.stdout).toBe(0)
    expect(run.json().evidence[0]).toMatchObject({signed: true})
  })
})

describe('gitops verify --evidence with an evidencePolicy of keyless signers (private Sigstore)', () => {
  const ours = `^https://github\\.com/${REPOSITORY.replace('.', '\\.')}/`
  const sigstoreYaml = (dir: string) =>
    `signing:\n  sigstore:\n    caRoots: ${path.relative(dir, sigstore.files.caRoots)}\n    insecureIgnoreSct: true\n` +
    `    rekorUrl: ${sigstore.rekor.url}\n    rekorPublicKey: ${path.relative(dir, sigstore.files.rekorPublicKey)}\n`
  const policyYaml = (identities: string[]) =>
    [
      'evidencePolicy:',
      `  - images: ["${registry.host}/keyless/**"]`,
      '    signers:',
      ...identities.flatMap((id) => [`      - identity: '${id}'`, `        issuer: ${GITHUB_ISSUER}`]),
      '    provenance:',
      `      sourceRepositories: ["https://github.com/${REPOSITORY}"]`,
      '      builders: ["https://ameide.io/builders/*"]',
      '      buildTypes: ["https://ameide.io/buildtypes/primitive-image/v1"]',
      '      commitMatchesTag: true',
      '    sbom: optional',
      '',
    ].join('\n')
  const verify = async (identities: string[]) => {
    const dir = await gitopsCheckout(`gitops-policy-${identities.length}`, signedRef)
    await writeFile(path.join(dir, 'ameide.yaml'), sigstoreYaml(dir) + policyYaml(identities))
    const run = await runCli(['gitops', 'verify', '--json', '--evidence'], {
      cwd: dir,
      env: {...env, GITHUB_ACTIONS: ''},
    })
    outputs.push(run.stdout, run.stderr)
    return run
  }

  it('the signers are tried in order: another identity first, then ours verifies, and its provenance is judged', async () => {
    const run = await verify(['^https://github\\.com/someone/else/', ours])
    expect(run.exitCode, run.stdout).toBe(0)
    const result = run.json()
    assertMatchesSchema('gitops-verify.schema.json', result)
    expect(result.evidence[0]).toMatchObject({
      signed: true,
      provenance: true,
      policyEntry: 0,
      signer: {identity: ours, issuer: GITHUB_ISSUER},
      provenanceFacts: {repository: `https://github.com/${REPOSITORY}`, commit: signedRef.split(':')[2].split('@')[0]},
    })
  })

  it('signed by a workflow identity the entry does not list: signer-not-allowed', async () => {
    const run = await verify(['^https://github\\.com/someone/else/'])
    expect(run.exitCode, run.stdout).toBe(1)
    const result = run.json()
    expect(result.findings.map((f: {rule: string}) => f.rule)).toEqual(['provenance-missing', 'signer-not-allowed'])
    expect(result.findings[1].message).toContain('identity ^https://github\\.com/someone/else/')
    expect(sigstore.violations()).toEqual([])
  })
})

describe('gitops verify --evidence, keyless with signed timestamps and no transparency log', () => {
  const identity = `^https://github\\.com/${REPOSITORY.replace('.', '\\.')}/`
  const verify = async (dir: string, chain: string) => {
    const run = await runCli(
      [
        'gitops', 'verify', '--json', '--evidence', '--rule', 'unsigned', '--no-tlog',
        '--certificate-identity-regexp', identity, '--certificate-oidc-issuer', GITHUB_ISSUER,
        '--ca-roots', sigstore.files.caRoots, '--insecure-ignore-sct', '--timestamp-certificate-chain', chain,
      ],
      {cwd: dir, env: {...env, GITHUB_ACTIONS: ''}},
    ) // prettier-ignore
    outputs.push(run.stdout, run.stderr)
    return run
  }

  it('passes with the timestamp authority’s chain, and fails with a chain that did not sign the timestamp', async () => {
    const dir = await gitopsCheckout('gitops-tsa', timestampedRef)
    const good = await verify(dir, sigstore.files.tsaChain)
    expect(good.exitCode, good.stdout).toBe(0)
    expect(good.json().evidence[0]).toMatchObject({signed: true})
    const otherTsa = await new TimestampAuthority(await makeTempDir('ameide-other-tsa-')).setUp()
    registerCleanup(() => otherTsa.stop())
    const wrong = await verify(dir, otherTsa.chain) // another authority's chain never signed this timestamp
    expect(wrong.exitCode, wrong.stdout).toBe(1)
    expect(wrong.json().evidence[0]).toMatchObject({signed: false})
  })

  it('a chain cosign cannot load is an error quoting cosign (cosign 2), never a verdict on the image', async () => {
    const dir = await gitopsCheckout('gitops-tsa-root', timestampedRef)
    const run = await verify(dir, sigstore.files.caRoots) // a lone root: no timestamp authority's leaf
    if (COSIGN_UNDER_TEST === 3) {
      // cosign 3 takes it into the trusted root as an authority, and the timestamp does not verify with it
      expect(run.exitCode, run.stdout).toBe(1)
      expect(run.json().evidence[0]).toMatchObject({signed: false})
      return
    }
    expect(run.exitCode, run.stdout).toBe(3)
    expect(run.json().error).toMatchObject({code: 'COSIGN_FAILED'})
    expect(run.json().error.message).toMatch(/TSA certificate chain must contain exactly one leaf/)
  })
})

describe('secrets', () => {
  it('neither the request token nor any identity token appears in any output or report', () => {
    expect(sigstore.oidc.issued.length).toBeGreaterThan(0)
    const all = outputs.join('\n')
    expect(all).not.toContain(sigstore.oidc.requestToken)
    for (const token of sigstore.oidc.issued) {
      expect(all).not.toContain(token)
      // nor its signature part alone (a token cut at a line end)
      expect(all).not.toContain(token.split('.')[2])
    }
  })
})
