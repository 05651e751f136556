import {execa} from 'execa'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {AmeideError} from '../../../src/core/errors.js'
import type {BuildRequest} from '../../../src/effects/builders/builder.js'
import {DockerBuildxBuilder} from '../../../src/effects/builders/docker.js'
import {selectBuilder} from '../../../src/effects/builders/select.js'
import {getManifest, startRegistry, type Registry} from '../../support/registry.js'
import {makeTempDir, registerCleanup, runCleanups} from '../../support/tmp.js'
import {REPO_ROOT, requireTools, toolEnv} from '../../support/toolchain.js'
import {buildRequest, writeContext} from './build-fixture.js'

/**
 * docker buildx build --push against a PRIVATE Docker engine started by scripts/ci/docker-engine.sh (bookworm
 * dockerd 20.10 + trixie buildx plugin, own data/exec root and socket under a temp dir). Fails loudly when the
 * engine cannot start — this builder is the CI runner path and must be exercised for real.
 */
const SCRIPT = path.join(REPO_ROOT, 'scripts/ci/docker-engine.sh')
const FAST_RETRY = {attempts: 2, baseDelayMs: 50, maxDelayMs: 200, maxRetryAfterMs: 2000}

let registry: Registry
let tmp: string
let engineEnv: Record<string, string>

async function startEngine(dci: string): Promise<Record<string, string>> {
  const scriptEnv = toolEnv({DCI: dci, START_REGISTRY: '0', BASE_IMAGE: '1'})
  const install = await execa('bash', [SCRIPT, 'install'], {env: scriptEnv, reject: false, timeout: 300_000})
  if (install.exitCode !== 0) throw new Error(`docker-engine.sh install failed:\n${install.stderr}`)
  registerCleanup(async () => {
    await execa('bash', [SCRIPT, 'stop'], {env: scriptEnv, reject: false, timeout: 60_000})
  })
  const start = await execa('bash', [SCRIPT, 'start'], {env: scriptEnv, reject: false, timeout: 120_000})
  if (start.exitCode !== 0)
    throw new Error(`docker-engine.sh start failed (the docker builder test needs a real engine):\n${start.stderr}`)
  const env: Record<string, string> = {...scriptEnv}
  for (const line of start.stdout.split('\n')) {
    const m = /^export (\w+)="?(.*?)"?$/.exec(line.trim())
    if (m) env[m[1]] = m[2].replace('$PATH', scriptEnv.PATH)
  }
  if (!env.DOCKER_HOST) throw new Error(`docker-engine.sh start printed no DOCKER_HOST:\n${start.stdout}`)
  return env
}

const context = (name: string, files: Record<string, string>) => writeContext(tmp, name, files)
const request = (contextDir: string, repo: string, tag: string, extra: Partial<BuildRequest> = {}) =>
  buildRequest(registry.host, contextDir, repo, tag, extra)

beforeAll(async () => {
  requireTools('docker', 'dockerd', 'docker-registry')
  registry = await startRegistry()
  tmp = await makeTempDir('ameide-docker-test-')
  engineEnv = await startEngine(path.join(tmp, 'engine'))
}, 300_000)

// The engine's stop (up to 60 s) and the removal of its state.
afterAll(runCleanups, 240_000)

describe('docker buildx builder (real private engine, real registry)', () => {
  it('is available with the engine, and --builder auto picks it', async () => {
    const builder = new DockerBuildxBuilder({env: engineEnv})
    expect(await builder.available()).toBe(true)
    expect((await selectBuilder({choice: 'auto', env: engineEnv})).name).toBe('docker')
  })

  it('buildx build --push: the registry has the tag; the metadata digest hint equals the registry digest; no BuildKit provenance', async () => {
    const ctx = await context('app', {
      Dockerfile:
        'FROM localhost/busybox:base\nARG GREETING=none\nCOPY app.txt /app/app.txt\nRUN echo "$GREETING" > /app/greeting\n',
      'app.txt': 'hello\n',
    })
    const sha = 'f'.repeat(40)
    const builder = new DockerBuildxBuilder({env: engineEnv, retryPolicy: FAST_RETRY})
    const outcome = await builder.buildAndPush(
      request(ctx, 'primitive-domain-docker', sha, {
        buildArgs: {GREETING: 'hi'},
        labels: {'org.opencontainers.image.revision': sha},
      }),
    )
    expect(outcome.builderId).toMatch(/^https:\/\/ameide\.io\/builders\/docker-buildx@\d+\.\d+/)

    const manifest = await getManifest(registry, 'primitive-domain-docker', sha)
    expect(manifest.digest).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(outcome.digestHint).toBe(manifest.digest)
    // --provenance=false: a single image manifest, not an index with an attestation manifest.
    expect(manifest.mediaType).toMatch(/manifest\.v2\+json|image\.manifest\.v1\+json/)
    const {config} = manifest.json<{config: {digest: string}}>()
    const imageConfig = (await (
      await fetch(`${registry.url}/v2/primitive-domain-docker/blobs/${config.digest}`)
    ).json()) as {config: {Labels: Record<string, string>}}
    expect(imageConfig.config.Labels['org.opencontainers.image.revision']).toBe(sha)
  })

  it('a broken Dockerfile is BUILD_FAILED (exit 1)', async () => {
    const ctx = await context('broken', {Dockerfile: 'FROM localhost/busybox:base\nRUN exit 3\n'})
    const error = await new DockerBuildxBuilder({env: engineEnv, retryPolicy: FAST_RETRY})
      .buildAndPush(request(ctx, 'broken', 'a'.repeat(40)))
      .catch((e: unknown) => e)
    expect((error as AmeideError).code).toBe('BUILD_FAILED')
    expect((error as AmeideError).exitCode).toBe(1)
  })
})
