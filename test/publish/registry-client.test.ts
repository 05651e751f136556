import {mkdir, writeFile} from 'node:fs/promises'
import {createServer, request as httpRequest, type IncomingMessage, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {parseChallenge} from '../../src/effects/registry/challenge.js'
import {RegistryClient, sha256Digest} from '../../src/effects/registry/client.js'
import {DockerStyleCredentials} from '../../src/effects/registry/credentials.js'
import {isPlainHttp} from '../../src/effects/registry/hosts.js'
import {parseRepository, registryApiHost} from '../../src/images/reference.js'
import {retagManifest} from '../../src/publish/retag.js'
import {buildahEnv, pushBaseImage, pushMultiArchIndex, type BuildahEnv} from '../support/images.js'
import {
  blobExists,
  getManifest,
  listTags,
  startRegistry,
  writeDockerConfig,
  type Registry,
} from '../support/registry.js'
import {startFaultProxy} from '../support/fault-proxy.js'
import {makeTempDir, runCleanups} from '../support/tmp.js'

const FAST_RETRY = {attempts: 4, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 5000}
const SHA = 'a'.repeat(40)

let registry: Registry
let env: BuildahEnv
let tmp: string

beforeAll(async () => {
  tmp = await makeTempDir('ameide-regclient-')
  registry = await startRegistry()
  env = await buildahEnv(tmp, {insecureRegistries: [registry.host]})
})
afterAll(runCleanups)

describe('registry client against a real registry', () => {
  it('retags an OCI image manifest: same bytes, same digest, and HEAD/tag list agree', async () => {
    const base = await pushBaseImage(registry, env, {repo: 'app/single', tag: 'main'})
    const client = new RegistryClient({retryPolicy: FAST_RETRY})
    const repository = `${registry.host}/app/single`

    const main = await client.getManifest(repository, 'main')
    expect(main?.digest).toBe(base.digest)
    expect(main?.mediaType).toBe('application/vnd.oci.image.manifest.v1+json')
    expect(await client.headManifest(repository, SHA)).toBeNull()

    const digest = await retagManifest(client, repository, main!, SHA)
    expect(digest).toBe(base.digest)
    const after = await getManifest(registry, 'app/single', SHA)
    expect(after.digest).toBe(base.digest)
    expect(after.body.equals(main!.bytes)).toBe(true)
    expect((await client.headManifest(repository, SHA))?.digest).toBe(base.digest)
    expect(await listTags(registry, 'app/single')).toEqual([SHA, 'main'].sort())
    const config = JSON.parse(main!.bytes.toString('utf8')).config.digest as string
    expect(await blobExists(registry, 'app/single', config)).toBe(true)
    expect(await blobExists(registry, 'app/single', `sha256:${'0'.repeat(64)}`)).toBe(false)
    expect(await listTags(registry, 'does/not-exist')).toEqual([])
  })

  it('retags a multi-arch OCI index unchanged (children untouched)', async () => {
    const index = await pushMultiArchIndex(registry, env, {repo: 'app/multi', tag: 'main'})
    const client = new RegistryClient({retryPolicy: FAST_RETRY})
    const repository = `${registry.host}/app/multi`
    const main = await client.getManifest(repository, 'main')
    expect(main?.mediaType).toBe('application/vnd.oci.image.index.v1+json')
    expect(await retagManifest(client, repository, main!, SHA)).toBe(index.digest)
    const copied = await getManifest(registry, 'app/multi', SHA)
    expect(copied.digest).toBe(index.digest)
    expect(copied.mediaType).toBe('application/vnd.oci.image.index.v1+json')
    const children = copied.json<{manifests: {digest: string}[]}>().manifests.map((m) => m.digest)
    expect(children.sort()).toEqual(Object.values(index.manifests).sort())
  })

  it('refuses to store bytes under a digest that does not match', async () => {
    const client = new RegistryClient({retryPolicy: FAST_RETRY})
    const repository = `${registry.host}/app/single`
    const main = (await client.getManifest(repository, 'main'))!
    const forged = {...main, digest: sha256Digest(Buffer.from('other'))}
    await expect(retagManifest(client, repository, forged, 'b'.repeat(40))).rejects.toMatchObject({
      code: 'RETAG_DIGEST_MISMATCH',
    })
  })

  it('uses Basic credentials from DOCKER_CONFIG and never needs them on the command line', async () => {
    const secured = await startRegistry({auth: 'htpasswd', password: 'client-test-password-1'})
    await pushBaseImage(secured, env, {repo: 'auth/app', tag: 'main'})
    const repository = `${secured.host}/auth/app`

    const anonymous = new RegistryClient({
      retryPolicy: FAST_RETRY,
      credentials: new DockerStyleCredentials({env: {}, home: tmp}),
    })
    const denied = await anonymous.getManifest(repository, 'main').catch((e) => e)
    expect(denied).toMatchObject({code: 'REGISTRY_UNAUTHORIZED', exitCode: 3})
    expect(String(denied.message)).not.toContain('client-test-password-1')

    const dockerDir = path.join(tmp, 'docker-config')
    await writeDockerConfig(secured, dockerDir)
    const client = new RegistryClient({
      retryPolicy: FAST_RETRY,
      credentials: new DockerStyleCredentials({env: {DOCKER_CONFIG: dockerDir}}),
    })
    const main = await client.getManifest(repository, 'main')
    expect(await retagManifest(client, repository, main!, SHA)).toBe(main!.digest)

    const authFile = path.join(tmp, 'auth.json')
    await writeFile(
      authFile,
      JSON.stringify({auths: {[secured.host]: {username: 'ci-user', password: 'client-test-password-1'}}}),
    )
    const viaAuthFile = new RegistryClient({
      credentials: new DockerStyleCredentials({env: {REGISTRY_AUTH_FILE: authFile}, home: tmp}),
    })
    expect((await viaAuthFile.headManifest(repository, SHA))?.digest).toBe(main!.digest)
  })

  it('follows a Bearer token challenge (realm, service, scope) and reuses the token', async () => {
    const upstream = new URL(registry.url)
    const seenScopes: string[] = []
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      if (req.url?.startsWith('/token')) {
        const url = new URL(req.url, 'http://x')
        seenScopes.push(`${url.searchParams.get('service')} ${url.searchParams.get('scope')}`)
        const ok = req.headers.authorization === `Basic ${Buffer.from('robot:token-test-secret').toString('base64')}`
        res.writeHead(ok ? 200 : 401, {'Content-Type': 'application/json'})
        res.end(ok ? JSON.stringify({token: 'issued-bearer-token-xyz'}) : '{}')
        return
      }
      if (req.headers.authorization !== 'Bearer issued-bearer-token-xyz') {
        const realm = `http://${req.headers.host}/token`
        res.writeHead(401, {
          'WWW-Authenticate': `Bearer realm="${realm}",service="test-registry",scope="repository:x:pull"`,
        })
        res.end()
        return
      }
      const forward = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: {...req.headers, authorization: ''},
        },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.rawHeaders)
          up.pipe(res)
        },
      )
      req.pipe(forward)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const host = `127.0.0.1:${(server.address() as AddressInfo).port}`
    try {
      const dockerDir = path.join(tmp, 'bearer-config')
      await mkdir(dockerDir, {recursive: true})
      await writeFile(
        path.join(dockerDir, 'config.json'),
        JSON.stringify({auths: {[host]: {auth: Buffer.from('robot:token-test-secret').toString('base64')}}}),
      )
      const client = new RegistryClient({
        retryPolicy: FAST_RETRY,
        credentials: new DockerStyleCredentials({env: {DOCKER_CONFIG: dockerDir}}),
      })
      const main = await client.getManifest(`${host}/app/single`, 'main')
      expect(main).not.toBeNull()
      await client.headManifest(`${host}/app/single`, 'main')
      expect(seenScopes).toEqual(['test-registry repository:app/single:pull'])
      const before = client.requests
      await client.putManifest(`${host}/app/single`, 'c'.repeat(40), main!.bytes, main!.mediaType)
      expect(seenScopes).toEqual([
        'test-registry repository:app/single:pull',
        'test-registry repository:app/single:pull,push',
      ])
      expect(client.requests - before).toBe(2) // token for the push scope + the PUT itself
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  })

  it('retries 503, 429 with Retry-After and dropped connections, then succeeds; gives up after the budget with exit 4', async () => {
    const proxy = await startFaultProxy(registry.url)
    try {
      const repository = `${proxy.host}/app/single`
      const client = new RegistryClient({retryPolicy: FAST_RETRY})
      proxy.inject({mode: '503', times: 1}, {mode: 'reset', times: 1}, {mode: '503', times: 1})
      expect((await client.headManifest(repository, 'main'))?.digest).toMatch(/^sha256:/)
      expect(client.requests).toBe(4)

      proxy.inject({mode: '429', times: 1})
      const started = Date.now()
      await client.getManifest(repository, 'main')
      expect(Date.now() - started).toBeGreaterThanOrEqual(950) // the proxy's Retry-After: 1 was honoured

      proxy.inject({mode: '503', times: 10})
      const error = await client.headManifest(repository, 'main').catch((e) => e)
      expect(error).toMatchObject({code: 'REGISTRY_UNAVAILABLE', exitCode: 4})
    } finally {
      await proxy.stop()
    }
  })
})

describe('registry references and challenges', () => {
  it('parses repositories and decides plain HTTP', () => {
    expect(parseRepository('ghcr.io/ameideio/primitive-domain-orders')).toMatchObject({
      registry: 'ghcr.io',
      path: 'ameideio/primitive-domain-orders',
    })
    expect(registryApiHost(parseRepository('docker.io/library/busybox').registry)).toBe('registry-1.docker.io')
    expect(isPlainHttp('127.0.0.1:5000')).toBe(true)
    expect(isPlainHttp('localhost:5000')).toBe(true)
    expect(isPlainHttp('ghcr.io')).toBe(false)
    expect(isPlainHttp('registry.lan:5000', ['registry.lan'])).toBe(true)
    expect(isPlainHttp('registry.lan:5000', ['registry.lan:5001'])).toBe(false)
  })

  it('parses Basic and Bearer challenges', () => {
    expect(parseChallenge('Basic realm="ameide-test-registry"')).toEqual({
      scheme: 'basic',
      params: {realm: 'ameide-test-registry'},
    })
    expect(
      parseChallenge('Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:a/b:pull"'),
    ).toEqual({
      scheme: 'bearer',
      params: {realm: 'https://ghcr.io/token', service: 'ghcr.io', scope: 'repository:a/b:pull'},
    })
    expect(parseChallenge('Bearer service="x"')).toBeUndefined()
    expect(parseChallenge(null)).toBeUndefined()
  })

  it('reads GITHUB_TOKEN for ghcr.io only', async () => {
    const credentials = new DockerStyleCredentials({env: {GITHUB_TOKEN: 'ghs_exampletoken'}, home: '/nonexistent'})
    expect(await credentials.get('ghcr.io')).toMatchObject({
      username: 'x-access-token',
      password: 'ghs_exampletoken',
      source: 'GITHUB_TOKEN',
    })
    expect(await credentials.get('quay.io')).toBeUndefined()
  })
})
