import {mkdir, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {CLI} from '../support/cli.js'
import {startFaultProxy, type FaultProxy} from '../support/fault-proxy.js'
import {buildahEnv, pushMultiArchIndex} from '../support/images.js'
import {getManifest, startRegistry, type Registry} from '../support/registry.js'
import {assertMatchesSchema} from '../support/schema.js'
import {commitAll, git, makeTempDir, runCleanups} from '../support/tmp.js'
import {requireTools} from '../support/toolchain.js'
import {buildSetup, createMonorepo, publishCli, type Monorepo} from './fixture.js'

/**
 * Faults between publish and a registry with Basic auth: a loopback proxy answers 503, 429 + Retry-After or
 * drops connections. Signing is off here (the e2e file covers it); retries are fast (AMEIDE_TEST_TIMINGS retryDelayMs 5)
 * except the proxy's real 1 s Retry-After.
 */
const REGISTRY_PASSWORD = 'fault-registry-password-93f1'

let registry: Registry
let proxy: FaultProxy
let repo: Monorepo
let env: Record<string, string>
let ns: string
let tmp: string

type Report = {
  images: {component: string; action: string; digest: string}[]
  failures: {component: string; code: string; exitCode: number}[]
}

function expectNoSecrets(run: {stdout: string; stderr: string}): void {
  const basic = Buffer.from(`ci-user:${REGISTRY_PASSWORD}`).toString('base64')
  for (const output of [run.stdout, run.stderr]) {
    expect(output).not.toContain(REGISTRY_PASSWORD)
    expect(output).not.toContain(basic)
  }
}

const publish = (args: string[]) =>
  publishCli(repo.dir, ns, ['--no-sign', '--jobs', '3', ...args], {
    ...env,
    AMEIDE_TEST_TIMINGS: JSON.stringify({retryAttempts: 4, retryDelayMs: 5}),
  })

beforeAll(async () => {
  requireTools('buildah', 'docker-registry')
  tmp = await makeTempDir('ameide-publish-faults-')
  registry = await startRegistry({auth: 'htpasswd', password: REGISTRY_PASSWORD})
  proxy = await startFaultProxy(registry.url)
  const dockerConfig = path.join(tmp, 'docker-config')
  await mkdir(dockerConfig, {recursive: true})
  const auth = Buffer.from(`ci-user:${REGISTRY_PASSWORD}`).toString('base64')
  await writeFile(
    path.join(dockerConfig, 'config.json'),
    JSON.stringify({auths: {[registry.host]: {auth}, [proxy.host]: {auth}}}),
    {mode: 0o600},
  )
  const setup = await buildSetup(tmp, registry, {
    DOCKER_CONFIG: dockerConfig,
    REGISTRY_AUTH_FILE: path.join(dockerConfig, 'config.json'),
  })
  const benv = await buildahEnv(path.join(tmp, 'proxy'), {insecureRegistries: [registry.host, proxy.host]})
  env = {...setup.env, CONTAINERS_REGISTRIES_CONF: benv.registriesConf}
  ns = `${proxy.host}/faults`
  repo = await createMonorepo(path.join(tmp, 'mono'), setup.base, registry.host)
  const first = await publish([])
  expect(first.exitCode, first.stdout).toBe(0)
  expectNoSecrets(first)
  // :main for every component, as CD would have left it
  const report = first.json<Report>()
  for (const image of report.images) {
    const manifest = await getManifest(registry, `faults/primitive-${image.component}`, image.digest)
    await fetch(`${registry.url}/v2/faults/primitive-${image.component}/manifests/main`, {
      method: 'PUT',
      headers: {'Content-Type': manifest.mediaType, ...registry.headers()},
      body: manifest.body,
    })
  }
  await git(repo.dir, ['checkout', '-q', '-b', 'feature'])
}, 180_000)
afterAll(async () => {
  await proxy?.stop()
  await runCleanups()
})

describe('publish under registry faults', () => {
  it('503s, a 429 with Retry-After and dropped connections are retried: the publish succeeds', async () => {
    await repo.touch('domain/orders', 'orders v2\n')
    await commitAll(repo.dir, 'orders v2')
    proxy.resetCounts()
    proxy.inject({mode: '503', times: 2}, {mode: 'reset', times: 2}, {mode: '429', times: 1})
    const started = Date.now()
    const run = await publish([])
    expect(run.exitCode, run.stdout + run.stderr).toBe(0)
    expect(Date.now() - started).toBeGreaterThan(1000) // the real Retry-After: 1
    expectNoSecrets(run)
    const report = run.json<Report>()
    assertMatchesSchema('publish.schema.json', report)
    expect(report.images.map((i) => [i.component, i.action])).toEqual([
      ['agent-triage', 'retagged'],
      ['domain-orders', 'built'],
      ['process-billing', 'retagged'],
    ])
    expect(proxy.requests.filter((r) => r.injected)).toHaveLength(5)
  })

  it('beyond the retry budget: exit 4, a report of what succeeded; a rerun converges', async () => {
    await writeFile(path.join(repo.dir, 'README.md'), '# changed readme\n')
    const sha = await commitAll(repo.dir, 'readme only')
    const billingPut = (method: string, p: string) =>
      method === 'PUT' && p === `/v2/faults/primitive-process-billing/manifests/${sha}`
    proxy.inject({mode: '503', times: 4, match: billingPut}) // = retryAttempts
    const run = await publish([])
    expect(run.exitCode, run.stdout).toBe(4)
    expectNoSecrets(run)
    const report = run.json<Report>()
    assertMatchesSchema('publish.schema.json', report)
    expect(report.images.map((i) => [i.component, i.action])).toEqual([
      ['agent-triage', 'retagged'],
      ['domain-orders', 'built'], // still changed against main on this branch
    ])
    expect(report.failures).toEqual([
      expect.objectContaining({component: 'process-billing', code: 'REGISTRY_UNAVAILABLE', exitCode: 4}),
    ])

    const rerun = await publish([])
    expect(rerun.exitCode, rerun.stdout).toBe(0)
    const converged = rerun.json<Report>()
    expect(converged.images.map((i) => [i.component, i.action])).toEqual([
      ['agent-triage', 'existing'],
      ['domain-orders', 'existing'],
      ['process-billing', 'retagged'],
    ])
    expect(converged.failures).toEqual([])
  })

  it('a multi-arch index on :main is re-tagged unchanged (whole index, same children)', async () => {
    const benv = await buildahEnv(path.join(tmp, 'multi'), {insecureRegistries: [registry.host]})
    const index = await pushMultiArchIndex(registry, benv, {repo: 'faults/primitive-integration-multi', tag: 'main'})
    await mkdir(path.join(repo.dir, 'primitives/integration/multi'), {recursive: true})
    await writeFile(path.join(repo.dir, 'primitives/integration/multi/Dockerfile'), 'FROM scratch\n')
    // committed on main's side so that it is unchanged for the branch
    await git(repo.dir, ['checkout', '-q', 'main'])
    await writeFile(path.join(repo.dir, 'primitives/integration/multi/Dockerfile'), 'FROM scratch\n')
    await commitAll(repo.dir, 'add multi')
    await git(repo.dir, ['checkout', '-q', '-b', 'feature-multi'])
    await writeFile(path.join(repo.dir, 'NOTES.md'), 'n\n')
    const sha = await commitAll(repo.dir, 'notes')
    const run = await publish(['--component', 'integration/multi'])
    expect(run.exitCode, run.stdout).toBe(0)
    const image = run.json<{images: {action: string; digest: string; mediaType: string; platforms: string[]}[]}>()
      .images[0]
    expect(image).toMatchObject({
      action: 'retagged',
      digest: index.digest,
      mediaType: 'application/vnd.oci.image.index.v1+json',
    })
    expect(image.platforms).toEqual(['linux/amd64', 'linux/arm64'])
    const copied = await getManifest(registry, 'faults/primitive-integration-multi', sha)
    expect(copied.digest).toBe(index.digest)
    expect(
      copied
        .json<{manifests: {digest: string}[]}>()
        .manifests.map((m) => m.digest)
        .sort(),
    ).toEqual(Object.values(index.manifests).sort())
  })

  it('--platform with two platforms builds and reports a multi-arch index', async () => {
    const run = await publish([
      '--all',
      '--component',
      'agent/triage',
      '--platform',
      'linux/amd64,linux/arm64',
      '--sha',
      await git(repo.dir, ['rev-parse', 'HEAD~1']),
    ])
    expect(run.exitCode, run.stdout).toBe(0)
    const image = run.json<{
      images: {action: string; digest: string; mediaType: string; platforms: string[]; tag: string}[]
    }>().images[0]
    expect(image).toMatchObject({action: 'built', mediaType: 'application/vnd.oci.image.index.v1+json'})
    expect(image.platforms).toEqual(['linux/amd64', 'linux/arm64'])
    expect((await getManifest(registry, 'faults/primitive-agent-triage', image.tag)).digest).toBe(image.digest)
  })
})

describe('publish killed mid-run', () => {
  /**
   * The whole process group is SIGKILLed (as a CI runner cancelling a job does: the builder's children too) when
   * the registry sees the chosen request; a rerun must leave every reported component's :<sha> tag on the reported
   * digest, and a second rerun must find everything `existing` with the same digests.
   */
  it('SIGKILL at a blob upload, the first and the second manifest PUT: the rerun and the registry converge', async () => {
    const points = [
      {name: 'the first blob upload', method: 'POST', path: /\/blobs\/uploads\/$/, nth: 1},
      {name: 'the first manifest PUT', method: 'PUT', path: /\/manifests\//, nth: 1},
      {name: 'the second manifest PUT', method: 'PUT', path: /\/manifests\//, nth: 2},
    ]
    for (const [k, point] of points.entries()) {
      for (const component of ['domain/orders', 'agent/triage']) await repo.touch(component, `${component} kill ${k}\n`)
      const sha = await commitAll(repo.dir, `kill ${k}`)
      const child = execa(
        process.execPath,
        [CLI, 'primitive', 'publish', '--json', '--registry', ns, '--builder', 'buildah', '--no-sign', '--jobs', '3'],
        {
          cwd: repo.dir,
          env: {NO_COLOR: '1', CI: 'true', ...env, AMEIDE_TEST_TIMINGS: JSON.stringify({retryDelayMs: 5})},
          detached: true,
          reject: false,
        },
      )
      let seen = 0
      const stop = proxy.watch((method, p) => {
        if (method === point.method && point.path.test(p) && ++seen === point.nth) process.kill(-child.pid!, 'SIGKILL')
      })
      const killed = await child
      stop()
      expect(killed.signal, `${point.name}: ${killed.stdout}`).toBe('SIGKILL')

      const rerun = await publish([])
      expect(rerun.exitCode, `${point.name}: ${rerun.stdout}${rerun.stderr}`).toBe(0)
      expectNoSecrets(rerun)
      const report = rerun.json<Report & {sha: string}>()
      assertMatchesSchema('publish.schema.json', report)
      expect(report.sha).toBe(sha)
      expect(report.failures).toEqual([])
      expect(report.images.map((i) => i.component)).toEqual(expect.arrayContaining(['agent-triage', 'domain-orders']))
      for (const image of report.images) {
        const tagged = await getManifest(registry, `faults/primitive-${image.component}`, sha)
        expect(tagged.digest, `${point.name}: ${image.component}`).toBe(image.digest)
      }
      const again = await publish([])
      expect(again.exitCode, again.stdout).toBe(0)
      const settled = again.json<Report>()
      expect(settled.images.map((i) => [i.component, i.action, i.digest])).toEqual(
        report.images.map((i) => [i.component, 'existing', i.digest]),
      )
    }
  }, 600_000)
})
