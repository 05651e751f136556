import {execa} from 'execa'
import {writeFile} from 'node:fs/promises'
import path from 'node:path'

import {requireTool} from '../toolchain.js'

/**
 * A tiny PKI made with openssl (EC P-256): a root CA, and certificates it issues for a public key it is handed (as
 * Fulcio does: `x509 -req -force_pubkey` over a placeholder request, so no private key of the subject is needed).
 * Certificates live a day: openssl 3.0's `x509` has no shorter validity; cosign checks them at the signing time.
 */
export interface Ca {
  name: string
  cert: string
  key: string
  /** The PEM of `cert`. */
  pem: string
}

let serial = 1000

async function openssl(args: string[], input?: string): Promise<string> {
  const {stdout} = await execa(requireTool('openssl'), args, {input, timeout: 30_000})
  return stdout
}

export async function makeCa(dir: string, name: string): Promise<Ca> {
  const key = path.join(dir, `${name}.key`)
  const cert = path.join(dir, `${name}.pem`)
  await openssl([
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    key,
    '-out',
    cert,
    '-days',
    '2',
    '-subj',
    `/O=ameide-test/CN=${name}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ])
  return {name, cert, key, pem: await openssl(['x509', '-in', cert])}
}

/** An EC P-256 key pair in `dir`: [private key file, public key file]. */
export async function makeKey(dir: string, name: string): Promise<{key: string; pub: string}> {
  const key = path.join(dir, `${name}.key`)
  const pub = path.join(dir, `${name}.pub`)
  await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', key])
  await openssl(['pkey', '-in', key, '-pubout', '-out', pub])
  return {key, pub}
}

/**
 * A certificate from `ca` for the PEM public key `publicKeyPem`, with `extensions` (openssl extension config lines).
 * Returns its PEM.
 */
export async function issue(
  ca: Ca,
  dir: string,
  publicKeyPem: string,
  extensions: string[],
  subject = '/O=ameide-test',
): Promise<string> {
  const n = serial++
  const pub = path.join(dir, `leaf-${n}.pub`)
  const ext = path.join(dir, `leaf-${n}.cnf`)
  await writeFile(pub, publicKeyPem)
  await writeFile(ext, `[v3]\n${extensions.join('\n')}\n`)
  const placeholder = await placeholderRequest(dir, subject)
  return openssl([
    'x509',
    '-req',
    '-in',
    placeholder,
    '-force_pubkey',
    pub,
    '-CA',
    ca.cert,
    '-CAkey',
    ca.key,
    '-set_serial',
    String(n),
    '-days',
    '1',
    '-extfile',
    ext,
    '-extensions',
    'v3',
  ])
}

const placeholders = new Map<string, Promise<string>>()

/** One request per folder and subject: it only carries the subject, its key is replaced (-force_pubkey). */
function placeholderRequest(dir: string, subject: string): Promise<string> {
  const file = path.join(dir, `placeholder-${placeholders.size}.csr`)
  const key = `${dir}|${subject}`
  let made = placeholders.get(key)
  if (!made) {
    made = openssl([
      'req',
      '-new',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      '/dev/null',
      '-subj',
      subject,
      '-out',
      file,
    ]).then(() => file)
    placeholders.set(key, made)
  }
  return made
}
