import {createHash} from 'node:crypto'
import {describe, expect, it} from 'vitest'

import {RegistryClient} from '../../src/effects/registry/client.js'
import {
  CredentialChain,
  type CredentialSource,
  type RegistryCredential,
} from '../../src/effects/registry/credentials.js'
import type {HttpExchange, Transport} from '../../src/effects/registry/http.js'

/**
 * The registry client's layers in-process: credentials as a chain of sources, the authorizer's Basic and Bearer
 * state, and the transport passed in. The same flows against a real registry: registry-client.test.ts.
 */
const FAST_RETRY = {attempts: 3, baseDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs: 10}
const MANIFEST = Buffer.from('{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"}')
const DIGEST = `sha256:${createHash('sha256').update(MANIFEST).digest('hex')}`

/** A credential source that says which hosts it was asked about. */
class FixedSource implements CredentialSource {
  readonly asked: string[] = []

  constructor(private readonly credentials: Record<string, RegistryCredential>) {}

  async get(host: string): Promise<RegistryCredential | undefined> {
    this.asked.push(host)
    return this.credentials[host]
  }
}

function answer(status: number, headers: Record<string, string> = {}, body = Buffer.alloc(0)): HttpExchange {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]))
  return {status, headers: {get: (name) => lower[name.toLowerCase()] ?? null}, body}
}

interface Sent {
  method: string
  url: string
  authorization?: string
}

/** A registry behind a Bearer token service, as a transport: no sockets. */
function bearerRegistry(): {transport: Transport; sent: Sent[]} {
  const sent: Sent[] = []
  const basic = `Basic ${Buffer.from('robot:s3cret').toString('base64')}`
  const transport: Transport = async (method, url, headers) => {
    sent.push({method, url, authorization: headers.Authorization})
    const u = new URL(url)
    if (u.pathname === '/token') {
      if (headers.Authorization !== basic) return answer(401)
      return answer(200, {}, Buffer.from(JSON.stringify({token: `token-for ${u.searchParams.get('scope')}`})))
    }
    const scope = `repository:app/one:${method === 'PUT' ? 'pull,push' : 'pull'}`
    if (headers.Authorization !== `Bearer token-for ${scope}`) {
      return answer(401, {'WWW-Authenticate': `Bearer realm="https://auth.test/token",service="reg.test"`})
    }
    if (method === 'PUT') return answer(201, {'Docker-Content-Digest': DIGEST})
    return answer(
      200,
      {'Content-Type': 'application/vnd.oci.image.manifest.v1+json', 'Docker-Content-Digest': DIGEST},
      method === 'HEAD' ? Buffer.alloc(0) : MANIFEST,
    )
  }
  return {transport, sent}
}

describe('registry credentials: a chain of sources', () => {
  it('asks the sources in order, takes the first answer, and asks once per host', async () => {
    const first = new FixedSource({'a.test': {username: 'a', password: 'pa', source: 'first'}})
    const second = new FixedSource({
      'a.test': {username: 'other', password: 'po', source: 'second'},
      'b.test': {username: 'b', password: 'pb', source: 'second'},
    })
    const chain = new CredentialChain([first, second])
    expect(await chain.get('a.test')).toMatchObject({username: 'a', source: 'first'})
    expect(await chain.get('b.test')).toMatchObject({username: 'b', source: 'second'})
    expect(await chain.get('c.test')).toBeUndefined()
    await chain.get('a.test')
    expect(first.asked).toEqual(['a.test', 'b.test', 'c.test'])
    expect(second.asked).toEqual(['b.test', 'c.test'])
  })
})

describe('registry client over an injected transport', () => {
  it('answers a Bearer challenge with a token per scope, Basic credentials from the chain, and reuses the token', async () => {
    const {transport, sent} = bearerRegistry()
    const source = new FixedSource({'reg.test': {username: 'robot', password: 's3cret', source: 'test source'}})
    const client = new RegistryClient({transport, credentials: new CredentialChain([source]), retryPolicy: FAST_RETRY})

    const manifest = await client.getManifest('reg.test/app/one', 'main')
    expect(manifest?.digest).toBe(DIGEST)
    expect(sent.map((s) => `${s.method} ${s.url}`)).toEqual([
      'GET https://reg.test/v2/app/one/manifests/main',
      'GET https://auth.test/token?service=reg.test&scope=repository%3Aapp%2Fone%3Apull',
      'GET https://reg.test/v2/app/one/manifests/main',
    ])

    // The pull token is reused; the push scope asks for its own (no 401 round trip: the challenge is known).
    sent.length = 0
    await client.headManifest('reg.test/app/one', 'main')
    expect(await client.putManifest('reg.test/app/one', 'v1', MANIFEST, manifest!.mediaType)).toBe(DIGEST)
    expect(sent.map((s) => `${s.method} ${s.url.split('?')[0]} ${s.authorization?.split(' ')[0]}`)).toEqual([
      'HEAD https://reg.test/v2/app/one/manifests/main Bearer',
      'GET https://auth.test/token Basic',
      'PUT https://reg.test/v2/app/one/manifests/v1 Bearer',
    ])
    expect(client.requests).toBe(6)
  })

  it('without credentials the token service refuses: exit 3 REGISTRY_UNAUTHORIZED', async () => {
    const {transport} = bearerRegistry()
    const client = new RegistryClient({transport, credentials: new CredentialChain([]), retryPolicy: FAST_RETRY})
    await expect(client.getManifest('reg.test/app/one', 'main')).rejects.toMatchObject({
      code: 'REGISTRY_UNAUTHORIZED',
      exitCode: 3,
    })
  })

  it('a Basic challenge: the host is answered with Basic credentials from then on, without another 401', async () => {
    const sent: Sent[] = []
    const basic = `Basic ${Buffer.from('u:p').toString('base64')}`
    const transport: Transport = async (method, url, headers) => {
      sent.push({method, url, authorization: headers.Authorization})
      if (headers.Authorization !== basic) return answer(401, {'WWW-Authenticate': 'Basic realm="reg"'})
      return answer(200, {'Content-Type': 'application/vnd.oci.image.manifest.v1+json'}, MANIFEST)
    }
    const credentials = new CredentialChain([
      new FixedSource({'127.0.0.1:5999': {username: 'u', password: 'p', source: 's'}}),
    ])
    const client = new RegistryClient({transport, credentials, retryPolicy: FAST_RETRY})
    await client.getManifest('127.0.0.1:5999/x', 'main')
    await client.getManifest('127.0.0.1:5999/y', 'main')
    expect(sent.map((s) => [s.url, s.authorization ?? 'none'])).toEqual([
      ['http://127.0.0.1:5999/v2/x/manifests/main', 'none'],
      ['http://127.0.0.1:5999/v2/x/manifests/main', basic],
      ['http://127.0.0.1:5999/v2/y/manifests/main', basic],
    ])
  })
})
