import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {BuildRequest} from '../../../src/effects/builders/builder.js'
import {PodmanBuilder} from '../../../src/effects/builders/podman.js'
import {buildahEnv, pushBaseImage, type BuildahEnv} from '../../support/images.js'
import {getManifest, startRegistry, type Registry} from '../../support/registry.js'
import {makeTempDir, runCleanups} from '../../support/tmp.js'
import {buildRequest, writeContext} from './build-fixture.js'
import {requireTools} from '../../support/toolchain.js'

/** podman (bookworm 4.3.1, `apt-get install --no-install-recommends podman`): the same daemonless flow as buildah. */
let registry: Registry
let tmp: string
let benv: BuildahEnv
let baseRef: string
let builder: PodmanBuilder

const context = (name: string, files: Record<string, string>) => writeContext(tmp, name, files)
const request = (contextDir: string, repo: string, tag: string, extra: Partial<BuildRequest> = {}) =>
  buildRequest(registry.host, contextDir, repo, tag, extra)

beforeAll(async () => {
  requireTools('podman', 'buildah', 'docker-registry', 'busybox')
  registry = await startRegistry()
  tmp = await makeTempDir('ameide-podman-test-')
  benv = await buildahEnv(tmp, {insecureRegistries: [registry.host]})
  baseRef = (await pushBaseImage(registry, benv)).ref
  builder = new PodmanBuilder({
    storageRoot: path.join(tmp, 'podman-root'),
    runRoot: path.join(tmp, 'podman-run'),
    storageDriver: 'vfs',
    isolation: 'chroot',
    env: benv.env,
  })
})

afterAll(runCleanups)

describe('podman builder (real podman, real registry)', () => {
  it('builds FROM a registry image with RUN and pushes the tag', async () => {
    const ctx = await context('app', {
      Dockerfile: `FROM ${baseRef}\nCOPY a.txt /a.txt\nRUN cat /a.txt > /b.txt\n`,
      'a.txt': 'podman\n',
    })
    const tag = '1'.repeat(40)
    const outcome = await builder.buildAndPush(request(ctx, 'primitive-agent-podman', tag))
    expect(outcome.builderId).toMatch(/^https:\/\/ameide\.io\/builders\/podman@4\./)
    expect((await getManifest(registry, 'primitive-agent-podman', tag)).digest).toMatch(/^sha256:[0-9a-f]{64}$/)
  })

  it('two platforms → an index with both', async () => {
    const ctx = await context('multi', {Dockerfile: 'FROM scratch\nCOPY a.txt /a.txt\n', 'a.txt': 'multi\n'})
    const tag = '2'.repeat(40)
    await builder.buildAndPush(
      request(ctx, 'primitive-agent-podman-multi', tag, {platforms: ['linux/amd64', 'linux/arm64']}),
    )
    const index = await getManifest(registry, 'primitive-agent-podman-multi', tag)
    expect(index.mediaType).toBe('application/vnd.oci.image.index.v1+json')
    const platforms = index
      .json<{manifests: {platform: {architecture: string}}[]}>()
      .manifests.map((m) => m.platform.architecture)
      .sort()
    expect(platforms).toEqual(['amd64', 'arm64'])
  })
})
