import {execa} from 'execa'
import {existsSync} from 'node:fs'
import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {COSIGN_VERIFY_OFFLINE_FLAGS, cosign, generateKeyPair, signImage, verifyImage} from './cosign.js'
import {startFaultProxy} from './fault-proxy.js'
import {buildahEnv, pushBaseImage, pushMultiArchIndex, type BuildahEnv, type PushedImage} from './images.js'
import {getManifest, startRegistry, type Registry} from './registry.js'
import {commitAll, initGitRepo, makeTempDir, runCleanups} from './tmp.js'
import {MissingToolError, requireTool, toolEnv, TOOLS_DIR} from './toolchain.js'

// Proves each test-support helper against the real tools (no mocks). Needs scripts/ci/install-toolchain.sh.

afterAll(runCleanups)

describe('toolchain', () => {
  it('resolves project-local and system tools', () => {
    expect(requireTool('cosign')).toBe(path.join(TOOLS_DIR, 'bin', 'cosign'))
    expect(requireTool('cdxgen')).toBe(path.join(TOOLS_DIR, 'cdxgen', 'node_modules', '.bin', 'cdxgen'))
    for (const tool of ['oras', 'buildah', 'skopeo', 'docker-registry', 'busybox', 'htpasswd']) {
      expect(existsSync(requireTool(tool))).toBe(true)
    }
    expect(toolEnv().PATH.split(path.delimiter)[0]).toBe(path.join(TOOLS_DIR, 'bin'))
  })

  it('fails loudly, naming the install script, when a tool is missing', () => {
    expect(() => requireTool('no-such-tool-ameide')).toThrow(MissingToolError)
    expect(() => requireTool('no-such-tool-ameide')).toThrow(/scripts\/ci\/install-toolchain\.sh/)
  })
})

describe('registry + images + cosign', () => {
  let registry: Registry
  let tmp: string
  let buildEnv: BuildahEnv
  let base: PushedImage

  beforeAll(async () => {
    tmp = await makeTempDir('ameide-support-')
    registry = await startRegistry()
    buildEnv = await buildahEnv(tmp, {insecureRegistries: [registry.host]})
  })

  it('starts a registry that answers /v2/', async () => {
    expect(registry.host).toMatch(/^127\.0\.0\.1:\d+$/)
    const response = await fetch(`${registry.url}/v2/`)
    expect(response.status).toBe(200)
    expect(response.headers.get('docker-distribution-api-version')).toBe('registry/2.0')
  })

  it('pushes the busybox base image; its digest is what a manifest GET returns', async () => {
    base = await pushBaseImage(registry, buildEnv)
    expect(base.ref).toBe(`${registry.host}/base/busybox@${base.digest}`)
    const byTag = await getManifest(registry, 'base/busybox', '1')
    expect(byTag.digest).toBe(base.digest)
    expect(byTag.computedDigest).toBe(base.digest)
    expect(byTag.mediaType).toBe('application/vnd.oci.image.manifest.v1+json')
    expect((await getManifest(registry, 'base/busybox', base.digest)).digest).toBe(base.digest)
  })

  it('pushes a 2-platform OCI index', async () => {
    const index = await pushMultiArchIndex(registry, buildEnv)
    const manifest = await getManifest(registry, index.repo, index.tag)
    expect(manifest.digest).toBe(index.digest)
    expect(manifest.mediaType).toBe('application/vnd.oci.image.index.v1+json')
    const body = manifest.json<{manifests: {digest: string; platform: {architecture: string}}[]}>()
    expect(body.manifests.map((m) => m.platform.architecture).sort()).toEqual(['amd64', 'arm64'])
    expect(Object.values(index.manifests).sort()).toEqual(body.manifests.map((m) => m.digest).sort())
  })

  it('generates a cosign key pair and signs + verifies the base image by digest, offline', async () => {
    const keys = await generateKeyPair(path.join(tmp, 'keys'), 'test-only-key-password')
    expect(await readFile(keys.privateKey, 'utf8')).toContain('ENCRYPTED SIGSTORE PRIVATE KEY')
    expect(await readFile(keys.publicKey, 'utf8')).toContain('BEGIN PUBLIC KEY')
    await signImage(keys, base.ref)
    const payloads = (await verifyImage(keys, base.ref)) as {critical: {image: {'docker-manifest-digest': string}}}[]
    expect(payloads[0].critical.image['docker-manifest-digest']).toBe(base.digest)
    // A different key must not verify (cosign exits 12: no matching signatures).
    const other = await generateKeyPair(path.join(tmp, 'other-keys'), 'another-test-password')
    const rejected = await execa(
      requireTool('cosign'),
      ['verify', '--key', other.publicKey, ...COSIGN_VERIFY_OFFLINE_FLAGS, base.ref],
      {
        env: other.env,
        extendEnv: false,
        reject: false,
      },
    )
    expect(rejected.exitCode).not.toBe(0)
    expect(await cosign(['triangulate', base.ref], keys.env)).toContain('.sig')
  })
})

describe('registry with htpasswd auth', () => {
  it('answers 401 without and 200 with credentials; buildah pushes with an auth file', async () => {
    const registry = await startRegistry({auth: 'htpasswd', user: 'ci', password: 'pw-not-for-logs'})
    const anonymous = await fetch(`${registry.url}/v2/`)
    expect(anonymous.status).toBe(401)
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic /)
    expect((await fetch(`${registry.url}/v2/`, {headers: registry.headers()})).status).toBe(200)
    const env = await buildahEnv(await makeTempDir('ameide-auth-'), {insecureRegistries: [registry.host]})
    const pushed = await pushBaseImage(registry, env)
    expect((await getManifest(registry, pushed.repo, pushed.tag)).digest).toBe(pushed.digest)
    expect(await readFile(path.join(registry.dir, 'htpasswd'), 'utf8')).not.toContain('pw-not-for-logs')
    await registry.stop()
  })
})

describe('fault proxy', () => {
  it('injects 503, 429 + Retry-After and resets for the first N requests, then passes through, counting', async () => {
    const registry = await startRegistry()
    const proxy = await startFaultProxy(registry.url, {mode: '503', times: 2})
    try {
      expect((await fetch(`${proxy.url}/v2/`)).status).toBe(503)
      expect((await fetch(`${proxy.url}/v2/`)).status).toBe(503)
      const passed = await fetch(`${proxy.url}/v2/`)
      expect(passed.status).toBe(200)
      expect(passed.headers.get('docker-distribution-api-version')).toBe('registry/2.0')

      proxy.inject({mode: '429', times: 1}, {mode: 'reset', times: 1, match: (method) => method === 'HEAD'})
      const limited = await fetch(`${proxy.url}/v2/`)
      expect(limited.status).toBe(429)
      expect(limited.headers.get('retry-after')).toBe('1')
      await expect(fetch(`${proxy.url}/v2/app/manifests/main`, {method: 'HEAD'})).rejects.toThrow()
      expect((await fetch(`${proxy.url}/v2/app/manifests/main`, {method: 'HEAD'})).status).toBe(404)

      expect(proxy.total()).toBe(6)
      expect(proxy.countsByRoute()).toEqual({'GET /v2/': 4, 'HEAD /v2/app/manifests/main': 2})
      expect(proxy.requests.map((r) => r.outcome)).toEqual([503, 503, 200, 429, 'reset', 404])
    } finally {
      await proxy.stop()
      await registry.stop()
    }
  })
})

describe('tmp + git', () => {
  it('creates a git repo and returns the commit sha', async () => {
    const dir = await makeTempDir('ameide-git-')
    await initGitRepo(dir)
    const first = await commitAll(dir, 'initial')
    expect(first).toMatch(/^[0-9a-f]{40}$/)
    const {stdout} = await execa('git', ['log', '--format=%an <%ae> %s'], {cwd: dir})
    expect(stdout).toBe('Ameide Test <ameide-test@example.invalid> initial')
  })
})
