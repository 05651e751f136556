import {execa} from 'execa'
import {readFile, writeFile} from 'node:fs/promises'
import type {IncomingMessage, ServerResponse} from 'node:http'
import path from 'node:path'

import {requireTool} from '../toolchain.js'
import {LoopbackServer} from './loopback.js'
import {issue, makeCa, makeKey, type Ca} from './pki.js'

/**
 * An RFC 3161 timestamp authority: OpenSSL's own (`openssl ts -reply`) behind HTTP on loopback, the transport of
 * RFC 3161 §3.4 (POST `application/timestamp-query`, answer `application/timestamp-reply`). Its certificate carries
 * the critical timeStamping EKU and is issued by its own root; `chain` is the PEM chain cosign verifies with.
 */
export class TimestampAuthority extends LoopbackServer {
  /** PEM file: the TSA certificate and its root (cosign verify --timestamp-certificate-chain). */
  chain = ''
  readonly replies: number[] = []
  private config = ''
  private n = 0

  constructor(private readonly dir: string) {
    super('tsa')
  }

  async setUp(): Promise<this> {
    const root: Ca = await makeCa(this.dir, 'tsa-root')
    const {key, pub} = await makeKey(this.dir, 'tsa')
    const cert = path.join(this.dir, 'tsa.pem')
    await writeFile(
      cert,
      await issue(
        root,
        this.dir,
        await readFile(pub, 'utf8'),
        ['keyUsage=critical,digitalSignature', 'extendedKeyUsage=critical,timeStamping'],
        '/O=ameide-test/CN=tsa',
      ),
    )
    this.chain = path.join(this.dir, 'tsa-chain.pem')
    await writeFile(this.chain, (await readFile(cert, 'utf8')).trim() + '\n' + root.pem.trim() + '\n')
    await writeFile(path.join(this.dir, 'tsaserial'), '01\n')
    this.config = path.join(this.dir, 'tsa.cnf')
    await writeFile(
      this.config,
      [
        '[tsa]',
        'default_tsa = tsa1',
        '[tsa1]',
        `serial = ${path.join(this.dir, 'tsaserial')}`,
        'crypto_device = builtin',
        `signer_cert = ${cert}`,
        `certs = ${root.cert}`,
        `signer_key = ${key}`,
        'signer_digest = sha256',
        'default_policy = 1.3.6.1.4.1.57264.2',
        'digests = sha256, sha384, sha512',
        'accuracy = secs:1',
        'ordering = yes',
        'tsa_name = yes',
        'ess_cert_id_chain = no',
        'ess_cert_id_alg = sha256',
        '',
      ].join('\n'),
    )
    return this.start()
  }

  protected async handle(req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer): Promise<void> {
    const where = `${req.method} ${url.pathname}`
    if (req.method !== 'POST' || req.headers['content-type'] !== 'application/timestamp-query') {
      this.violation(where, `not an RFC 3161 request (content-type ${String(req.headers['content-type'])})`)
      res.writeHead(400).end()
      return
    }
    const n = ++this.n
    const query = path.join(this.dir, `q${n}.tsq`)
    const reply = path.join(this.dir, `r${n}.tsr`)
    await writeFile(query, body)
    const run = await execa(
      requireTool('openssl'),
      ['ts', '-reply', '-config', this.config, '-queryfile', query, '-out', reply],
      {reject: false, timeout: 30_000},
    )
    if (run.exitCode !== 0) {
      this.violation(where, `openssl ts -reply refused the query: ${run.stderr}`)
      res.writeHead(400).end()
      return
    }
    this.replies.push(n)
    res.writeHead(200, {'content-type': 'application/timestamp-reply'})
    res.end(await readFile(reply))
  }
}
