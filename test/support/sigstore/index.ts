import {writeFile} from 'node:fs/promises'
import {mkdir} from 'node:fs/promises'
import path from 'node:path'

import {registerCleanup} from '../tmp.js'
import {FulcioStandIn} from './fulcio.js'
import type {Violation} from './loopback.js'
import {OidcTokenEndpoint, GITHUB_ISSUER} from './oidc.js'
import {makeCa} from './pki.js'
import {RekorStandIn} from './rekor.js'
import {TimestampAuthority} from './tsa.js'

export {GITHUB_ISSUER}

/**
 * A private Sigstore on loopback for the real cosign: GitHub Actions' OIDC token endpoint, Fulcio (its CA made
 * with openssl), Rekor, and OpenSSL's timestamp authority, each checking its API contract (see each module), plus
 * the files a pipeline would be given: Fulcio's root, another root (a trust that does not verify the chain), Rekor's
 * public key, the TSA chain.
 */
export interface PrivateSigstore {
  oidc: OidcTokenEndpoint
  fulcio: FulcioStandIn
  rekor: RekorStandIn
  tsa: TimestampAuthority
  files: {caRoots: string; otherRoots: string; rekorPublicKey: string; tsaChain: string}
  /** Every violation any stand-in saw. */
  violations(): Violation[]
  /** The job's environment inside GitHub Actions for `repository` (ambient OIDC). */
  actionsEnv(repository: string): Record<string, string>
}

export async function startPrivateSigstore(dir: string, repository: string): Promise<PrivateSigstore> {
  await mkdir(dir, {recursive: true})
  const [fulcioCa, otherCa] = await Promise.all([makeCa(dir, 'fulcio-root'), makeCa(dir, 'other-root')])
  const oidc = await new OidcTokenEndpoint(`request-token-${process.pid}-${Date.now()}`, {
    repository,
    jobWorkflowRef: `${repository}/.github/workflows/publish.yaml@refs/heads/main`,
  }).start()
  const fulcio = await new FulcioStandIn(fulcioCa, oidc, dir).start()
  const rekor = await new RekorStandIn().start()
  const tsa = await new TimestampAuthority(dir).setUp()
  registerCleanup(async () => {
    await Promise.all([oidc.stop(), fulcio.stop(), rekor.stop(), tsa.stop()])
  })
  const files = {
    caRoots: fulcioCa.cert,
    otherRoots: otherCa.cert,
    rekorPublicKey: path.join(dir, 'rekor.pub'),
    tsaChain: tsa.chain,
  }
  await writeFile(files.rekorPublicKey, rekor.publicKeyPem)
  return {
    oidc,
    fulcio,
    rekor,
    tsa,
    files,
    violations: () => [...oidc.violations, ...fulcio.violations, ...rekor.violations, ...tsa.violations],
    actionsEnv: (repo) => ({
      GITHUB_ACTIONS: 'true',
      GITHUB_REPOSITORY: repo,
      GITHUB_SERVER_URL: 'https://github.com',
      ACTIONS_ID_TOKEN_REQUEST_URL: oidc.requestUrl,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: oidc.requestToken,
    }),
  }
}
