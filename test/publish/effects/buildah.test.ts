import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {AmeideError} from '../../../src/core/errors.js'
import {BuildahBuilder} from '../../../src/effects/builders/buildah.js'
import type {BuildRequest} from '../../../src/effects/builders/builder.js'
import {selectBuilder} from '../../../src/effects/builders/select.js'
import {startFaultProxy} from '../../support/fault-proxy.js'
import {buildahEnv, pushBaseImage, type BuildahEnv} from '../../support/images.js'
import {getManifest, startRegistry, type Registry} from '../../support/registry.js'
import {makeTempDir, runCleanups} from '../../support/tmp.js'
import {buildRequest, writeContext} from './build-fixture.js'
import {requireTools} from '../../support/toolchain.js'

const FAST_RETRY = {attempts: 3, baseDelayMs: 50, maxDelayMs: 200, maxRetryAfterMs: 2000}

let registry: Registry
let tmp: string
let benv: BuildahEnv
let baseRef: string
let builder: BuildahBuilder

const context = (name: string, files: Record<string, string>) => writeContext(tmp, name, files)
const request = (contextDir: string, repo: string, tag: string, extra: Partial<BuildRequest> = {}) =>
  buildRequest(registry.host, contextDir, repo, tag, extra)

beforeAll(async () => {
  requireTools('buildah', 'docker-registry', 'busybox')
  registry = await startRegistry()
  tmp = await makeTempDir('ameide-buildah-test-')
  benv = await buildahEnv(tmp, {insecureRegistries: [registry.host]})
  baseRef = (await pushBaseImage(registry, benv)).ref
  // Flags as well as env: the builder's own options are exercised (root/runroot/driver/isolation).
  builder = new BuildahBuilder({
    storageRoot: benv.root,
    runRoot: benv.runroot,
    storageDriver: 'vfs',
    isolation: 'chroot',
    env: benv.env,
    retryPolicy: FAST_RETRY,
  })
})

afterAll(runCleanups)

describe('buildah builder (real buildah, real registry)', () => {
  it('builds a Dockerfile with ARG/RUN/labels and pushes it; the registry has the tag, its config carries the label', async () => {
    const ctx = await context('app', {
      Dockerfile: `FROM ${baseRef}\nARG GREETING=none\nCOPY app.txt /app/app.txt\nRUN echo "$GREETING" > /app/greeting\nCMD ["cat","/app/greeting"]\n`,
      'app.txt': 'hello\n',
    })
    const sha = 'a'.repeat(40)
    const outcome = await builder.buildAndPush(
      request(ctx, 'primitive-domain-orders', sha, {
        buildArgs: {GREETING: 'hi'},
        labels: {'org.opencontainers.image.revision': sha},
      }),
    )
    expect(outcome.builderId).toMatch(/^https:\/\/ameide\.io\/builders\/buildah@\d+\.\d+\.\d+/)

    const manifest = await getManifest(registry, 'primitive-domain-orders', sha)
    expect(manifest.digest).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(manifest.computedDigest).toBe(manifest.digest)
    expect(manifest.mediaType).toBe('application/vnd.oci.image.manifest.v1+json')
    const {config} = manifest.json<{config: {digest: string}}>()
    const blob = await fetch(`${registry.url}/v2/primitive-domain-orders/blobs/${config.digest}`)
    const imageConfig = (await blob.json()) as {
      config: {Labels: Record<string, string>}
      history: {created_by?: string}[]
    }
    expect(imageConfig.config.Labels['org.opencontainers.image.revision']).toBe(sha)
    expect(imageConfig.history.some((h) => h.created_by?.includes('GREETING'))).toBe(true)

    // The private local build name is gone after the push (no accumulation in the store).
    await builder.settle()
    const {execa} = await import('execa')
    const images = await execa('buildah', [...benv.globalArgs, 'images', '--format', '{{.Name}}'], {env: benv.env})
    expect(images.stdout).not.toContain('ameide-build')
  })

  it('builds two platforms (FROM scratch + COPY, no emulation) into an OCI index with both platforms', async () => {
    const ctx = await context('multi', {
      Dockerfile: 'FROM scratch\nCOPY hello.txt /hello.txt\n',
      'hello.txt': 'multi\n',
    })
    const tag = 'b'.repeat(40)
    await builder.buildAndPush(
      request(ctx, 'primitive-projection-multi', tag, {platforms: ['linux/amd64', 'linux/arm64']}),
    )
    const index = await getManifest(registry, 'primitive-projection-multi', tag)
    expect(index.mediaType).toBe('application/vnd.oci.image.index.v1+json')
    const platforms = index
      .json<{manifests: {platform: {os: string; architecture: string}}[]}>()
      .manifests.map((m) => `${m.platform.os}/${m.platform.architecture}`)
      .sort()
    expect(platforms).toEqual(['linux/amd64', 'linux/arm64'])
  })

  it('a broken Dockerfile is BUILD_FAILED (exit 1), not retried as a remote failure', async () => {
    const ctx = await context('broken', {Dockerfile: `FROM ${baseRef}\nRUN exit 7\n`})
    const error = await builder.buildAndPush(request(ctx, 'broken', 'c'.repeat(40))).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AmeideError)
    expect((error as AmeideError).code).toBe('BUILD_FAILED')
    expect((error as AmeideError).exitCode).toBe(1)
  })

  it('retries a push that meets 503s; gives up with exit 4 (PUSH_REMOTE_FAILED) when they outlast the budget', async () => {
    const ctx = await context('faulty', {Dockerfile: 'FROM scratch\nCOPY f.txt /f.txt\n', 'f.txt': 'fault\n'})
    const proxy = await startFaultProxy(registry.url)
    try {
      const isManifestPut = (method: string, p: string) => method === 'PUT' && p.includes('/manifests/')
      proxy.inject({mode: '503', times: 2, match: isManifestPut})
      const tag = 'd'.repeat(40)
      const ok = {...request(ctx, 'faulty', tag), imageRef: `${proxy.host}/faulty:${tag}`}
      await builder.buildAndPush(ok)
      expect(proxy.requests.filter((r) => r.injected).length).toBe(2)
      expect((await getManifest(registry, 'faulty', tag)).digest).toMatch(/^sha256:/)

      proxy.inject({mode: '503', times: 1000, match: isManifestPut})
      const tag2 = 'e'.repeat(40)
      const error = await builder
        .buildAndPush({...ok, imageRef: `${proxy.host}/faulty:${tag2}`})
        .catch((e: unknown) => e)
      expect(error).toBeInstanceOf(AmeideError)
      expect((error as AmeideError).code).toBe('PUSH_REMOTE_FAILED')
      expect((error as AmeideError).exitCode).toBe(4)
      await expect(getManifest(registry, 'faulty', tag2)).rejects.toThrow(/404/)
    } finally {
      await proxy.stop()
    }
  })
})

describe('builder selection', () => {
  it('auto picks buildah when docker buildx does not answer', async () => {
    const env = {...benv.env, PATH: benv.env.PATH, DOCKER_HOST: 'unix:///nonexistent/docker.sock'}
    const selected = await selectBuilder({choice: 'auto', env})
    expect(selected.name).toBe('buildah')
  })

  it('an explicit builder that is not usable here is exit 3 before any build', async () => {
    const error = await selectBuilder({
      choice: 'docker',
      env: {...benv.env, DOCKER_HOST: 'unix:///nonexistent/docker.sock'},
    }).catch((e: unknown) => e)
    expect((error as AmeideError).code).toBe('BUILDER_NOT_AVAILABLE')
    expect((error as AmeideError).exitCode).toBe(3)
  })

  it('nothing usable at all is BUILDER_NOT_FOUND (exit 3)', async () => {
    const error = await selectBuilder({choice: 'auto', env: {PATH: path.join(tmp, 'empty-path')}}).catch(
      (e: unknown) => e,
    )
    expect((error as AmeideError).code).toBe('BUILDER_NOT_FOUND')
    expect((error as AmeideError).exitCode).toBe(3)
  })
})
