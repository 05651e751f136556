/**
 * The two files cosign 3 takes in place of the service and trust flags it refuses, written from the user's Sigstore
 * settings to their published formats (sigstore/protobuf-specs, `sigstore_trustroot.proto`, in protobuf JSON):
 * - a signing config (`--signing-config`, media type v0.2): the Fulcio, Rekor and timestamp authority to use — none
 *   of Rekor for a run without a transparency log;
 * - a trusted root (`--trusted-root`, v0.1): the CA chains keyless certificates chain to, the Rekor key, the timestamp
 *   authority's chain.
 * A user who has their own file passes it (`--signing-config`, `--trusted-root`): it is used as it is.
 */
import {createHash, createPublicKey, X509Certificate} from 'node:crypto'
import {readFile} from 'node:fs/promises'

import {prerequisiteError} from '../../core/errors.js'
import type {SigstoreSettings} from '../../core/sigstore.js'

export const SIGNING_CONFIG_MEDIA_TYPE = 'application/vnd.dev.sigstore.signingconfig.v0.2+json'
export const TRUSTED_ROOT_MEDIA_TYPE = 'application/vnd.dev.sigstore.trustedroot+json;version=0.1'

const PUBLIC_FULCIO = 'https://fulcio.sigstore.dev'
const PUBLIC_REKOR = 'https://rekor.sigstore.dev'
/** A service's validity starts before anything it signed; the files say no end. */
const SINCE = '1970-01-01T00:00:00Z'
const OPERATOR = 'ameide (from the Sigstore settings)'

export interface RunShape {
  keyless: boolean
  tlog: boolean
}

/** The services a run signs with: Fulcio when keyless, Rekor when the log is on, the timestamp authority when set. */
export function signingConfig(settings: SigstoreSettings, run: RunShape): object {
  const service = (url: string) => ({url, majorApiVersion: 1, validFor: {start: SINCE}, operator: OPERATOR})
  const tsa = settings.timestampServerUrl
  return {
    mediaType: SIGNING_CONFIG_MEDIA_TYPE,
    caUrls: run.keyless ? [service(settings.fulcioUrl ?? PUBLIC_FULCIO)] : [],
    oidcUrls: [],
    rekorTlogUrls: run.tlog ? [service(settings.rekorUrl ?? PUBLIC_REKOR)] : [],
    ...(run.tlog ? {rekorTlogConfig: {selector: 'ANY'}} : {}),
    tsaUrls: tsa ? [service(tsa)] : [],
    ...(tsa ? {tsaConfig: {selector: 'ANY'}} : {}),
  }
}

/**
 * Whether the trust a run needs is all in the user's files: otherwise cosign 3 takes the public Sigstore's trusted
 * root from its TUF repository (keyless certificates from the public Fulcio, entries in the public Rekor).
 */
export function trustIsLocal(settings: SigstoreSettings, run: RunShape): boolean {
  if (run.keyless && !settings.caRoots) return false
  if (run.tlog && !settings.rekorPublicKey) return false
  return !(settings.timestampServerUrl && !settings.timestampCertificateChain)
}

/** The trusted root of the user's files (each read and parsed; an unusable one is exit 3 naming the flag). */
export async function trustedRoot(settings: SigstoreSettings): Promise<object> {
  const [cas, rekorKey, tsaChain] = await Promise.all([
    settings.caRoots ? certificates(settings.caRoots, 'ca-roots') : [],
    settings.rekorPublicKey ? publicKeyDer(settings.rekorPublicKey) : undefined,
    settings.timestampCertificateChain
      ? certificates(settings.timestampCertificateChain, 'timestamp-certificate-chain')
      : [],
  ])
  return {
    mediaType: TRUSTED_ROOT_MEDIA_TYPE,
    tlogs: rekorKey ? [transparencyLog(settings.rekorUrl ?? PUBLIC_REKOR, rekorKey)] : [],
    certificateAuthorities: chainsToRoots(cas).map((chain) => authority(chain, settings.fulcioUrl ?? PUBLIC_FULCIO)),
    ctlogs: [],
    timestampAuthorities:
      tsaChain.length > 0 ? [authority(leafFirst(tsaChain), settings.timestampServerUrl ?? '')] : [],
  }
}

function transparencyLog(baseUrl: string, key: {der: Buffer; details: string}): object {
  return {
    baseUrl,
    hashAlgorithm: 'SHA2_256',
    publicKey: {rawBytes: key.der.toString('base64'), keyDetails: key.details, validFor: {start: SINCE}},
    logId: {keyId: createHash('sha256').update(key.der).digest('base64')},
  }
}

function authority(chain: X509Certificate[], uri: string): object {
  return {
    subject: {organization: chain.at(-1)!.subject.match(/^O=(.*)$/m)?.[1] ?? '', commonName: commonName(chain.at(-1)!)},
    uri,
    certChain: {certificates: chain.map((c) => ({rawBytes: c.raw.toString('base64')}))},
    validFor: {start: new Date(Math.min(...chain.map((c) => Date.parse(c.validFrom)))).toISOString()},
  }
}

function commonName(cert: X509Certificate): string {
  return cert.subject.match(/^CN=(.*)$/m)?.[1] ?? ''
}

/** Every root (self-issued) with the certificates below it that chain to it, leaf-most first. */
function chainsToRoots(certs: X509Certificate[]): X509Certificate[][] {
  const roots = certs.filter((c) => c.checkIssued(c))
  return roots.map((root) => {
    const chain = [root]
    for (let parent = root; ;) {
      const child = certs.find((c) => !chain.includes(c) && c.checkIssued(parent))
      if (!child) return chain
      chain.unshift(child)
      parent = child
    }
  })
}

/** A chain as given in any order, leaf first and root last. */
function leafFirst(certs: X509Certificate[]): X509Certificate[] {
  const leaf = certs.find((c) => !certs.some((other) => other !== c && other.checkIssued(c))) ?? certs[0]
  const chain = [leaf]
  for (let child = leaf; !child.checkIssued(child);) {
    const parent = certs.find((c) => !chain.includes(c) && child.checkIssued(c))
    if (!parent) break
    chain.push(parent)
    child = parent
  }
  return chain
}

async function certificates(file: string, flag: string): Promise<X509Certificate[]> {
  const text = await readFile(file, 'utf8')
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []
  try {
    const certs = blocks.map((pem) => new X509Certificate(pem))
    if (certs.length > 0) return certs
  } catch {
    // reported below
  }
  throw prerequisiteError('SIGSTORE_FILE_UNREADABLE', `--${flag} ${file} holds no PEM certificate that parses.`, [
    `Pass a PEM file of certificates (or fix it in signing.sigstore of ameide.yaml).`,
  ])
}

async function publicKeyDer(file: string): Promise<{der: Buffer; details: string}> {
  try {
    const key = createPublicKey(await readFile(file, 'utf8'))
    const der = key.export({type: 'spki', format: 'der'})
    return {der, details: keyDetails(key.asymmetricKeyType, key.asymmetricKeyDetails)}
  } catch {
    throw prerequisiteError('SIGSTORE_FILE_UNREADABLE', `--rekor-public-key ${file} is not a PEM public key.`, [
      "Pass Rekor's public key as PEM (GET /api/v1/log/publicKey of the Rekor), or fix signing.sigstore in ameide.yaml.",
    ])
  }
}

function keyDetails(type: string | undefined, details: {namedCurve?: string; modulusLength?: number} = {}): string {
  if (type === 'ed25519') return 'PKIX_ED25519'
  if (type === 'rsa') return `PKIX_RSA_PKCS1V15_${details.modulusLength ?? 2048}_SHA256`
  const curve = {prime256v1: 'P256_SHA_256', secp384r1: 'P384_SHA_384', secp521r1: 'P521_SHA_512'}[
    details.namedCurve ?? ''
  ]
  return `PKIX_ECDSA_${curve ?? 'P256_SHA_256'}`
}
